package samples

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"github.com/casepack/casepack/packager/finding"
	"io/fs"
	"os"
	"strings"
	"testing"

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
		if v.Death.Manner != "homicide" || !strings.Contains(strings.ToLower(v.Death.OfficialCauseClaim), "resistance to authority") {
			t.Errorf("%s: manner %q, official claim %q", v.ID, v.Death.Manner, v.Death.OfficialCauseClaim)
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
	for _, id := range []string{"U-FAES", "U-PNB", "U-CPNB", "U-UOTE"} {
		if !units[id] {
			t.Errorf("unit %s missing", id)
		}
	}
	if r := c.Submission.Recipient; r.SituationCode != "ICC-02/18" || r.SituationName != "Venezuela I" || r.Stage != "preliminary_examination" {
		t.Errorf("recipient %+v", r)
	}
	if strings.Contains(strings.ToLower(c.Submission.Sender.Organisation), "amnesty") {
		t.Errorf("the sample must not present Amnesty International as its sender")
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
