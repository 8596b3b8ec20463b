package samples

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"github.com/casepack/casepack/packager/finding"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/schema"
)

// load copies an embedded sample to a temporary folder, as `casepack demo`
// does, and validates it there with every file check, hashes included.
func load(t *testing.T, fsys fs.FS) (*schema.Case, []finding.Finding) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatalf("copy sample: %v", err)
	}
	doc, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{})
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc == nil || doc.Case == nil {
		t.Fatalf("the case could not be parsed: %v", findings)
	}
	return doc.Case, findings
}

func TestSamplesValidateClean(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fs.FS
	}{
		{"la-vega", LaVega},
		{"minimal", Minimal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, findings := load(t, tc.fsys)
			for _, f := range findings {
				t.Errorf("%s", f)
			}
		})
	}
}

// TestMinimalIsMinimal keeps the minimal sample down to what the schema
// requires, so it stays a useful starting point.
func TestMinimalIsMinimal(t *testing.T) {
	c, _ := load(t, Minimal)
	if len(c.Incidents) != 1 || len(c.Evidence) != 1 || len(c.Evidence[0].Files) != 1 {
		t.Errorf("minimal: %d incidents, %d evidence items; want one incident and one item with one file", len(c.Incidents), len(c.Evidence))
	}
	if len(c.Persons)+len(c.Units)+len(c.Consents) != 0 {
		t.Errorf("minimal: has optional persons, units or consents")
	}
}

// TestLaVegaFacts pins the sample to the public facts it is built from.
func TestLaVegaFacts(t *testing.T) {
	c, _ := load(t, LaVega)

	victims := c.Victims()
	if len(victims) != 14 {
		t.Errorf("victims: got %d, want 14", len(victims))
	}
	minors := 0
	wounds := map[string]int{}
	for _, v := range victims {
		if v.Sex != "male" {
			t.Errorf("%s: sex %q, want male", v.ID, v.Sex)
		}
		if v.Minor != nil && *v.Minor {
			minors++
			if v.Age == nil || *v.Age != 17 {
				t.Errorf("%s: a minor whose age is not 17", v.ID)
			}
		}
		if v.Death == nil {
			t.Errorf("%s: no death record", v.ID)
			continue
		}
		if d := v.Death.Date; d < "2021-01-06" || d > "2021-01-09" {
			t.Errorf("%s: died %s, outside 6–9 January 2021", v.ID, d)
		}
		// A review of photographs assesses a cause where it can and
		// establishes no manner of death: the data must not claim more.
		if v.Death.Manner != "" || !strings.Contains(strings.ToLower(v.Death.OfficialCauseClaim), "resistance to authority") {
			t.Errorf("%s: manner %q, official claim %q", v.ID, v.Death.Manner, v.Death.OfficialCauseClaim)
		}
		switch cc := v.Death.CauseCertainty; {
		case cc == schema.CertaintyAssessed && v.Death.Cause != "" && len(v.Death.Wounds) > 0:
		case cc == schema.CertaintyNotDeterminable && v.Death.Cause == "" && len(v.Death.Wounds) == 0:
		default:
			t.Errorf("%s: cause %q with certainty %q: the expert assessed causes from photographs or found them not determinable", v.ID, v.Death.Cause, cc)
		}
		key := "not determinable"
		for _, w := range v.Death.Wounds {
			if w.Type != "gunshot" {
				t.Errorf("%s: wound type %q", v.ID, w.Type)
			}
			switch {
			case w.Location == "head" && w.Count == 1:
				key = "head, single"
			case strings.Contains(w.Location, "immediately above the heart") && w.Count == 1:
				key = "above the heart, single"
			case strings.Contains(w.Location, "over the heart"):
				key = "over the heart"
			default:
				key = "other: " + w.Location
			}
		}
		wounds[key]++
		if p := v.Protected; p != nil && !strings.Contains(p.FullName, "placeholder") {
			t.Errorf("%s: protected name %q is not an obvious placeholder", v.ID, p.FullName)
		}
	}
	if minors != 2 {
		t.Errorf("minors: got %d, want 2", minors)
	}
	want := map[string]int{"over the heart": 7, "above the heart, single": 2, "head, single": 2, "not determinable": 3}
	for k, n := range want {
		if wounds[k] != n {
			t.Errorf("wounds %q: got %d bodies, want %d (all: %v)", k, wounds[k], n, wounds)
		}
	}
	if len(wounds) != len(want) {
		t.Errorf("unexpected wound groups: %v", wounds)
	}

	var videos int
	places := map[string]bool{}
	classes := map[string]int{}
	for _, e := range c.Evidence {
		classes[e.Classification]++
		if e.Type == "video" {
			videos++
			if e.Verification == nil || e.Verification.Status != "verified" ||
				e.Verification.Geolocation == nil || e.Verification.Geolocation.Status != "confirmed" ||
				e.Verification.Chronolocation == nil || e.Verification.Chronolocation.Status != "confirmed" {
				t.Errorf("%s: a video without a confirmed verification record", e.ID)
			}
			if e.Provenance == nil || !strings.Contains(e.Provenance.URL, "example.") {
				t.Errorf("%s: provenance URL must be a placeholder (example.com/example.org)", e.ID)
			}
			if e.Location != nil {
				places[e.Location.Place] = true
			}
		}
		if d := e.ContentTime.Date(); e.Type == "video" && (d < "2021-01-08" || d > "2021-01-09") {
			t.Errorf("%s: video dated %s, outside 8–9 January 2021", e.ID, d)
		}
	}
	if videos != 9 {
		t.Errorf("videos: got %d, want 9", videos)
	}
	for _, name := range []string{"Avenida O'Higgins", "Av. Guzmán Blanco", "Gimnasio Vertical", "Calle los Bloques", "Calle 1 de Mayo", "Calle Zulia"} {
		found := false
		for p := range places {
			found = found || strings.Contains(p, name)
		}
		if !found {
			t.Errorf("no video located at %q", name)
		}
	}
	if classes["public"] == 0 || classes["confidential"] < 2 {
		t.Errorf("classifications %v: want public items and several confidential ones", classes)
	}

	units := map[string]bool{}
	for _, u := range c.Units {
		units[u.ID] = true
	}
	for _, id := range []string{"U-FAES", "U-PNB", "U-UOTE"} {
		if !units[id] {
			t.Errorf("unit %s missing", id)
		}
	}
	if r := c.Submission.Recipient; r.SituationCode != "ICC-02/18" || r.SituationName != "Venezuela I" || r.Stage != "preliminary_examination" {
		t.Errorf("recipient %+v", r)
	}
	// The languages claimed are the ones the case gives its analysis in.
	if got := strings.Join(c.Submission.Languages, ","); got != "en,fr,es" {
		t.Errorf("languages %q, want en,fr,es", got)
	}
	for _, lang := range []string{"fr", "es"} {
		n := 0
		for _, tr := range c.Translations {
			if tr.Language == lang && strings.HasPrefix(tr.Pointer, "/analysis/") {
				n++
			}
		}
		if n != 14 {
			t.Errorf("%s: %d analysis sections translated, want all 14", lang, n)
		}
	}
	if strings.Contains(strings.ToLower(c.Submission.Sender.Organisation), "amnesty") {
		t.Errorf("the sample must not present Amnesty International as its sender")
	}
}

// TestLaVegaCoherence checks what a reviewer notices when the parts of the
// sample disagree: victims spread over the incidents the public reporting
// describes, the videos of those incidents tied to the deaths, coordinates
// wherever a geolocation is confirmed, and nothing dated after the
// submission or the demo's bagging date.
func TestLaVegaCoherence(t *testing.T) {
	c, _ := load(t, LaVega)
	x := schema.NewIndex(c)
	byIncident := map[string]int{}
	videoTied := 0
	for _, v := range c.Victims() {
		if v.Death == nil {
			continue
		}
		byIncident[v.Death.IncidentID]++
		inc := x.Incidents[v.Death.IncidentID]
		if inc == nil || !slices.Contains(inc.VictimIDs, v.ID) {
			t.Errorf("%s died in %s, which does not list the victim", v.ID, v.Death.IncidentID)
		}
		for _, id := range v.EvidenceIDs {
			if e := x.Evidence[id]; e != nil && e.Type == "video" {
				videoTied++
				break
			}
		}
	}
	if len(byIncident) < 3 {
		t.Errorf("the deaths fall in %d incidents (%v); the reporting describes killings across the operation", len(byIncident), byIncident)
	}
	if videoTied < 8 {
		t.Errorf("only %d victims are tied to a video of their incident", videoTied)
	}
	for _, e := range c.Evidence {
		if vr := e.Verification; vr != nil && vr.Geolocation != nil && vr.Geolocation.Status == "confirmed" {
			if e.Location == nil || e.Location.Lat == nil || e.Location.Lon == nil || e.Location.PrecisionM == nil {
				t.Errorf("%s: geolocation confirmed but no coordinates", e.ID)
			}
		}
	}
	submitted, err := time.Parse("2006-01-02", c.Submission.Date)
	if err != nil {
		t.Fatal(err)
	}
	late := func(what, s string) {
		if s == "" {
			return
		}
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tm, err = time.Parse("2006-01-02", s)
		}
		if err != nil {
			t.Errorf("%s: %q is not a date", what, s)
			return
		}
		if tm.After(submitted.Add(24 * time.Hour)) {
			t.Errorf("%s (%s) is after the submission date %s", what, s, c.Submission.Date)
		}
	}
	for _, e := range c.Evidence {
		for _, cu := range e.Custody {
			late(e.ID+" custody", cu.At)
		}
		if vr := e.Verification; vr != nil {
			late(e.ID+" verification", vr.Date)
		}
		if p := e.Provenance; p != nil {
			late(e.ID+" capture", p.CapturedAt)
		}
	}
	// The demo bags the sample on the submission date, after every event.
	mk, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "DEMO_DATE ?= "+c.Submission.Date+"T") {
		t.Errorf("the Makefile's DEMO_DATE is not the submission date %s", c.Submission.Date)
	}
}

// TestLaVegaCustodyDigests checks what validate does not: the digest at
// every custody step equals the SHA-256 of one of the item's files.
func TestLaVegaCustodyDigests(t *testing.T) {
	c, _ := load(t, LaVega)
	for _, e := range c.Evidence {
		actual := map[string]bool{}
		for _, f := range e.Files {
			data, err := fs.ReadFile(LaVega, f.Path)
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			sum := sha256.Sum256(data)
			actual[hex.EncodeToString(sum[:])] = true
		}
		hashed := false
		for i, ev := range e.Custody {
			if ev.SHA256 != "" && !actual[ev.SHA256] {
				t.Errorf("%s: custody/%d (%s) digest %s matches none of its files", e.ID, i, ev.Action, ev.SHA256)
			}
			hashed = hashed || (ev.Action == "hashed" && ev.SHA256 != "")
		}
		if !hashed {
			t.Errorf("%s: no hashed step with a digest in its chain of custody", e.ID)
		}
	}
}
