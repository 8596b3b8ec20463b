package submission

import (
	"context"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// built is one edition of La Vega, built once for every test that reads it.
type built struct {
	dir       string // the package folder
	narrative string // the narrative's text (pdftotext -layout)
}

var (
	laVegaOnce sync.Once
	laVegaPkgs map[edition.Edition]*built
	laVegaErr  error
	laVegaDir  string
)

// laVegaPackages builds both editions of the La Vega sample (real builds,
// verified after writing) into a folder shared by the tests of this file.
func laVegaPackages(t *testing.T) (conf, pub *built) {
	t.Helper()
	pdftotext := testtool.Need(t, "pdftotext")
	laVegaOnce.Do(func() {
		doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "la-vega"), schema.Options{SkipHashes: true})
		if err != nil {
			laVegaErr = err
			return
		}
		laVegaDir, laVegaErr = os.MkdirTemp("", "casepack-lavega-")
		if laVegaErr != nil {
			return
		}
		laVegaPkgs = map[edition.Edition]*built{}
		for _, e := range []edition.Edition{edition.Confidential, edition.Public} {
			spec, err := Spec(doc, Options{Edition: e, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), Version: "test"})
			if err != nil {
				laVegaErr = err
				return
			}
			res, err := assemble.Build(context.Background(), spec, assemble.Options{OutDir: laVegaDir})
			if err != nil {
				laVegaErr = err
				return
			}
			out, err := exec.Command(pdftotext, "-layout", filepath.Join(res.Dir, NarrativePath), "-").Output()
			if err != nil {
				laVegaErr = err
				return
			}
			laVegaPkgs[e] = &built{dir: res.Dir, narrative: string(out)}
		}
	})
	if laVegaErr != nil {
		t.Fatal(laVegaErr)
	}
	return laVegaPkgs[edition.Confidential], laVegaPkgs[edition.Public]
}

func TestMain(m *testing.M) {
	code := m.Run()
	if laVegaDir != "" {
		os.RemoveAll(laVegaDir)
	}
	os.Exit(code)
}

func (b *built) read(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// sheet reads an annex CSV twin as records, keyed by column name.
func (b *built) sheet(t *testing.T, name string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(b.read(t, "data/annexes/csv/"+name))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// The tests below each pin one finding of the review of the La Vega public
// edition (a practitioner's reading and a byte-level search).

// The evidence index printed "Testimony of Relative 01, mother of Victim
// 02": the relationship of a witness to a victim.
func TestPublicNoRelationships(t *testing.T) {
	_, pub := laVegaPackages(t)
	for _, f := range []string{"data/case/case.json", "data/annexes/csv/evidence.csv", "casepack/manifest.json"} {
		if s := pub.read(t, f); regexp.MustCompile(`(?i)(mother|father|sister|partner) of Victim`).MatchString(s) {
			t.Errorf("%s names a relative's relationship to a victim", f)
		}
	}
	if regexp.MustCompile(`(?i)(mother|father|sister|partner)\s+of\s+Victim`).MatchString(pub.narrative) {
		t.Error("the narrative names a relative's relationship to a victim")
	}
	if !strings.Contains(pub.narrative, "Testimony of Relative 01") {
		t.Error("the evidence index does not list the testimony by type and pseudonym")
	}
}

// Every victim's exact age, sex, date of death and incident stayed in the
// public victims table.
func TestPublicVictimsGeneralised(t *testing.T) {
	conf, pub := laVegaPackages(t)
	cv, pv := conf.sheet(t, "victims.csv"), pub.sheet(t, "victims.csv")
	if len(cv) != 14 || len(pv) != len(cv) {
		t.Fatalf("%d confidential and %d public victim rows", len(cv), len(pv))
	}
	// The sample omits ages (with the incident, a band would single out four
	// victims; see TestReidentification in packager/edition).
	for i, r := range pv {
		if r["Age"] != "" || r["Age band"] != "" || r["Minor"] != "" {
			t.Errorf("%s: age %q, band %q, minor %q published", r["Person ID"], r["Age"], r["Age band"], r["Minor"])
		}
		if atoi(t, cv[i]["Age"]) < 12 || cv[i]["Age band"] != edition.AgeBand(atoi(t, cv[i]["Age"])) {
			t.Errorf("%s: confidential age %q, band %q", r["Person ID"], cv[i]["Age"], cv[i]["Age band"])
		}
		if r["Date of death"] != "2021-01" || !strings.HasPrefix(cv[i]["Date of death"], "2021-01-") {
			t.Errorf("%s: date of death %q (confidential %q)", r["Person ID"], r["Date of death"], cv[i]["Date of death"])
		}
		if r["Place of death"] != "La Vega, Libertador, Distrito Capital, VE" {
			t.Errorf("%s: place of death %q", r["Person ID"], r["Place of death"])
		}
	}
	// The narrative's victims table: no ages.
	for _, r := range cv {
		line := regexp.MustCompile(`(?m)^\s*` + r["Pseudonym"] + `\s+Male\s+(\S+)`).FindStringSubmatch(pub.narrative)
		if line == nil || line[1] == r["Age"] {
			t.Errorf("%s: the public victims table shows %v", r["Pseudonym"], line)
		}
	}
}

// The public evidence.csv kept the uploader handles of items flagged
// "identifiable persons".
func TestPublicNoUploaderHandles(t *testing.T) {
	_, pub := laVegaPackages(t)
	for _, f := range []string{"data/annexes/csv/evidence.csv", "data/case/case.json", "casepack/manifest.json"} {
		if s := pub.read(t, f); strings.Contains(s, "@sample_resident") {
			t.Errorf("%s keeps an uploader handle", f)
		}
	}
	if strings.Contains(pub.narrative, "@sample_resident") {
		t.Error("the narrative keeps an uploader handle")
	}
}

// A withheld file kept its path (its name can be a person's) in
// casepack/manifest.json and case.json.
func TestPublicWithheldFilesNeutral(t *testing.T) {
	_, pub := laVegaPackages(t)
	for _, f := range []string{"casepack/manifest.json", "data/case/case.json", "manifest-sha256.txt", "data/annexes/csv/files.csv", "data/annexes/csv/evidence.csv"} {
		s := pub.read(t, f)
		for _, name := range []string{"ev-0026-relative-01", "ev-0011-body-v-01", "ev-0005-calle-los-bloques"} {
			if strings.Contains(s, name) {
				t.Errorf("%s records the withheld file name %s", f, name)
			}
		}
	}
	if !strings.Contains(pub.read(t, "casepack/manifest.json"), `"path": "data/evidence/EV-0026/file-1.txt"`) {
		t.Error("the withheld testimony is not listed under a neutral name")
	}
}

// The cover said "Classification requested: Public" and the methodology
// counted withheld items as not verified (9 verified, 25 not).
func TestPublicLabels(t *testing.T) {
	conf, pub := laVegaPackages(t)
	if !regexp.MustCompile(`Classification requested\s+Confidential \(for the full edition\)`).MatchString(pub.narrative) {
		t.Error("the cover does not repeat the classification requested as a request")
	}
	if !regexp.MustCompile(`Edition\s+Public redacted edition`).MatchString(pub.narrative) {
		t.Error("the cover does not state the edition")
	}
	figures := regexp.MustCompile(`rests\s+on\s+34\s+items\s+of\s+evidence\.\s+Of\s+these,\s+(\d+)\s+have\s+been\s+verified\s+and\s+(\d+)\s+partly\s+verified`)
	c, p := figures.FindStringSubmatch(conf.narrative), figures.FindStringSubmatch(pub.narrative)
	if c == nil || p == nil || strings.Join(c[1:], ",") != strings.Join(p[1:], ",") || c[1] != "16" {
		t.Errorf("verification figures: confidential %v, public %v", c, p)
	}
	if !regexp.MustCompile(`25 of\s+them\s+are\s+withheld\s+from\s+this\s+edition`).MatchString(pub.narrative) {
		t.Error("the public methodology does not count what is withheld from this edition")
	}
	// The covering letter counts the files as the full edition does, and
	// which of them this edition withholds.
	out, err := exec.Command(testtool.Need(t, "pdftotext"), filepath.Join(pub.dir, filepath.FromSlash(LetterPath)), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	letter := strings.Join(strings.Fields(string(out)), " ")
	if !strings.Contains(letter, "34 evidence items in 39 files, of which 29 are withheld from this edition") {
		t.Errorf("the public covering letter counts: %s", letter)
	}
	pe := pub.sheet(t, "evidence.csv")
	for i, r := range conf.sheet(t, "evidence.csv") {
		if pe[i]["Verification status"] != r["Verification status"] {
			t.Errorf("%s: verification %q in public, %q in confidential", r["Evidence ID"], pe[i]["Verification status"], r["Verification status"])
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n
}

var update = flag.Bool("update", false, "rewrite the golden files of the La Vega public edition")

// TestPublicGoldenLaVega pins the public edition of La Vega: its redaction
// log (golden: testdata/golden/la-vega-public-redactions.csv, -update to
// rewrite after review), its sections and paragraph numbers equal to the
// confidential edition's, no exact age of a victim, and no text that
// comes from a relative who did not consent to publication.
func TestPublicGoldenLaVega(t *testing.T) {
	conf, pub := laVegaPackages(t)
	log := pub.read(t, "data/annexes/csv/redactions.csv")
	golden := filepath.Join("testdata", "golden", "la-vega-public-redactions.csv")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if log != string(want) {
		t.Errorf("the redaction log differs from %s (run go test -update and review the diff)", golden)
	}
	if c := conf.read(t, "data/annexes/csv/redactions.csv"); strings.Count(c, "\n") != 1 {
		t.Errorf("the confidential edition's redaction log is not empty:\n%s", c)
	}
	// Every redaction names its ground and never a protected value.
	for _, r := range pub.sheet(t, "redactions.csv") {
		if r["Ground"] == "" || r["Where"] == "" || r["Detail"] == "" || r["Action"] == "" {
			t.Errorf("incomplete log entry %v", r)
		}
	}

	// A case-data text the log places on a sheet is a mark there.
	at := regexp.MustCompile(`^(\w+) sheet, rows? ([0-9]+)(?:–([0-9]+))?, column (.+)$`)
	located := 0
	for _, r := range pub.sheet(t, "redactions.csv") {
		m := at.FindStringSubmatch(r["Where"])
		if m == nil || !strings.HasPrefix(r["Detail"], "text citing") {
			continue
		}
		rows := pub.sheet(t, strings.ToLower(m[1])+".csv")
		first, last := atoi(t, m[2]), atoi(t, m[2])
		if m[3] != "" {
			last = atoi(t, m[3])
		}
		for n := first; n <= last; n++ {
			if n-2 >= len(rows) || !strings.Contains(rows[n-2][m[4]], "[Redacted — ") {
				t.Errorf("%s: no redaction mark there", r["Where"])
			}
		}
		located++
	}
	if located < 5 {
		t.Errorf("only %d case-data redactions located on a sheet", located)
	}

	// The same numbered paragraphs, in the same order, in both editions.
	nums := regexp.MustCompile(`(?m)^([0-9]+)\.\s`)
	c, p := nums.FindAllString(conf.narrative, -1), nums.FindAllString(pub.narrative, -1)
	if len(c) < 50 || strings.Join(c, ",") != strings.Join(p, ",") {
		t.Errorf("paragraph numbers differ: %d confidential, %d public", len(c), len(p))
	}
	// The same footnotes, under the same numbers: a redaction mark keeps
	// those of the text it replaces.
	notes := regexp.MustCompile(`(?m)^\s+([0-9]+)\s+((?:EV-[0-9]{4}|Rome Statute|Rules of Procedure|Elements of Crimes|OTP Policy|Berkeley|Minnesota).*)$`)
	list := func(text string) []string {
		var out []string
		for _, m := range notes.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1]+" "+strings.Join(strings.Fields(m[2]), " "))
		}
		return out
	}
	if cn, pn := list(conf.narrative), list(pub.narrative); len(cn) < 50 || strings.Join(cn, "\n") != strings.Join(pn, "\n") {
		t.Errorf("footnotes differ: %d confidential, %d public", len(cn), len(pn))
	}
	// The same annex numbers: the annex index lists the withheld files too.
	annexes := regexp.MustCompile(`Annex\s+([AB](?:\.[0-9]+)?)\s+(EV-[0-9]{4})?`)
	an := func(text string) string {
		var out []string
		for _, m := range annexes.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1]+" "+m[2])
		}
		return strings.Join(out, ", ")
	}
	if ca, pa := an(conf.narrative), an(pub.narrative); strings.Count(ca, "B.") < 34 || ca != pa {
		t.Errorf("annex numbers differ:\nconfidential %s\npublic       %s", ca, pa)
	}
	// Each paragraph that reports what a relative said in the confidential
	// edition is a redaction mark, under the same number, in the public one.
	paras := func(text string) map[string]string {
		out := map[string]string{}
		cur := ""
		for _, ln := range strings.Split(text, "\n") {
			if m := nums.FindStringSubmatch(ln); m != nil {
				cur = m[1]
			} else if strings.TrimSpace(ln) == "" {
				cur = ""
			}
			if cur != "" {
				out[cur] += " " + strings.TrimSpace(ln)
			}
		}
		return out
	}
	cp, pp := paras(conf.narrative), paras(pub.narrative)
	testimony := 0
	for n, text := range cp {
		if !strings.Contains(strings.ToLower(text), "relatives describe") {
			continue
		}
		testimony++
		if !strings.Contains(pp[n], "[Redacted —") {
			t.Errorf("paragraph %s: the public edition prints %q", n, pp[n])
		}
	}
	if testimony == 0 {
		t.Fatal("no paragraph of the confidential narrative reports the relatives' accounts")
	}
	if strings.Contains(strings.ToLower(pub.narrative), "relatives describe") {
		t.Error("the public narrative reports what the relatives said")
	}
	// No testimony file reaches the package, and none of its words.
	for _, rel := range []string{"data/evidence/EV-0026", "data/evidence/EV-0027", "data/evidence/EV-0028", "data/evidence/EV-0029"} {
		if entries, _ := os.ReadDir(filepath.Join(pub.dir, rel)); len(entries) != 0 {
			t.Errorf("%s holds %d files in the public edition", rel, len(entries))
		}
	}
	// No exact age of a victim anywhere the victims are listed.
	for _, r := range conf.sheet(t, "victims.csv") {
		if strings.Contains(pub.read(t, "data/case/case.json"), `"age": `+r["Age"]) {
			t.Errorf("case.json publishes the age %s", r["Age"])
		}
	}
}
