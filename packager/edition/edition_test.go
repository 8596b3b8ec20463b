package edition_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want edition.Edition
		err  bool
	}{
		{"", edition.Confidential, false},
		{"confidential", edition.Confidential, false},
		{"public", edition.Public, false},
		{" Public ", edition.Public, false},
		{"PUBLIC", edition.Public, false},
		{"draft", "", true},
		{"publics", "", true},
	} {
		got, err := edition.Parse(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("edition.Parse(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, edition.ErrUnknown) {
			t.Errorf("edition.Parse(%q): %v does not wrap edition.ErrUnknown", tc.in, err)
		}
	}
	if !edition.Public.IsPublic() || edition.Confidential.IsPublic() {
		t.Error("IsPublic")
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := edition.New(nil, edition.Public); err == nil {
		t.Error("nil case accepted")
	}
	if _, err := edition.New(&schema.Case{}, "draft"); !errors.Is(err, edition.ErrUnknown) {
		t.Errorf("unknown edition: %v", err)
	}
}

func TestConfidentialIsTheCase(t *testing.T) {
	c := fixture(t)
	for _, e := range []edition.Edition{"", edition.Confidential} {
		p, err := edition.New(c, e)
		if err != nil {
			t.Fatal(err)
		}
		if p.Case() != c || p.Edition() != edition.Confidential {
			t.Errorf("%q: the confidential edition is not the case itself", e)
		}
		for _, ev := range c.Evidence {
			if p.Withheld(ev.ID) {
				t.Errorf("%q: %s withheld from the confidential edition", e, ev.ID)
			}
		}
	}
}

func TestPublicRedaction(t *testing.T) {
	c := fixture(t)
	before, _ := json.Marshal(c)
	p, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(c); string(after) != string(before) {
		t.Error("New changed the case it was given")
	}
	pub := p.Case()
	if p.Edition() != edition.Public || pub == c {
		t.Fatal("the public edition shares the original case")
	}
	for _, ps := range pub.Persons {
		orig := c.Persons[0]
		if ps.ID == orig.ID && (ps.Protected == nil || !reflect.DeepEqual(*ps.Protected, schema.Protected{})) {
			t.Errorf("%s: protected details %+v, want an empty record that still marks the person at risk", ps.ID, ps.Protected)
		}
		if ps.ID == "R-01" && ps.Protected != nil {
			t.Errorf("%s had no protected details and gained a record", ps.ID)
		}
	}
	if p.Withheld("EV-0001") || !p.Withheld("EV-0002") || p.Withheld("EV-9999") {
		t.Error("withheld: want only the confidential EV-0002")
	}
	kept, held := pub.Evidence[0], pub.Evidence[1]
	if kept.Description != c.Evidence[0].Description {
		t.Error("the public item lost its description")
	}
	if held.Description != "" || held.Provenance != nil || len(held.Custody) != 0 {
		t.Errorf("the withheld item keeps its details: %+v", held)
	}
	if held.Title != c.Evidence[1].Title || held.Files[0].SHA256 != c.Evidence[1].Files[0].SHA256 {
		t.Error("the withheld item lost its title or its declared digest")
	}
}

// TestRedactionIsIdempotent: the annexes and the narrative may be handed the
// original case or the build's redacted one; both must show the same.
func TestRedactionIsIdempotent(t *testing.T) {
	c := fixture(t)
	once, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := edition.New(once.Case(), edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(once.Case())
	b, _ := json.Marshal(twice.Case())
	if string(a) != string(b) {
		t.Errorf("redacting the redacted case changed it:\n%s\n%s", a, b)
	}
	for _, ev := range c.Evidence {
		if once.Withheld(ev.ID) != twice.Withheld(ev.ID) {
			t.Errorf("%s: withheld differs on the redacted case", ev.ID)
		}
	}
}

func TestRedactPerson(t *testing.T) {
	p := schema.Person{ID: "V-01", Protected: &schema.Protected{FullName: "X Y", Contacts: []string{"z"}}}
	edition.RedactPerson(&p)
	if p.Protected == nil || p.Protected.FullName != "" || p.Protected.Contacts != nil {
		t.Errorf("got %+v", p.Protected)
	}
	q := schema.Person{ID: "W-01"}
	edition.RedactPerson(&q)
	if q.Protected != nil {
		t.Error("a person without protected details gained a record")
	}
}

func TestPackagePath(t *testing.T) {
	for _, tc := range []struct{ id, in, want string }{
		{"EV-0001", "evidence/video/clip.mp4", "data/evidence/EV-0001/clip.mp4"},
		{"EV-0002", "clip.mp4", "data/evidence/EV-0002/clip.mp4"},
		{"EV-0003", "", "data/evidence/EV-0003/."},
		{"", "a/b.txt", "data/evidence//b.txt"},
	} {
		if got := edition.PackagePath(tc.id, tc.in); got != tc.want {
			t.Errorf("edition.PackagePath(%q, %q) = %q, want %q", tc.id, tc.in, got, tc.want)
		}
		if !edition.IsPackagePath(tc.want, tc.id, tc.in) {
			t.Errorf("edition.IsPackagePath(%q, %q, %q) = false", tc.want, tc.id, tc.in)
		}
		// Any other path, however close, is not.
		for _, p := range []string{tc.want[1:], tc.want + "x", "x" + tc.want, strings.Replace(tc.want, "/", "_", 3), strings.ToUpper(tc.want), ""} {
			if edition.IsPackagePath(p, tc.id, tc.in) {
				t.Errorf("edition.IsPackagePath(%q, %q, %q) = true", p, tc.id, tc.in)
			}
		}
	}
}

func TestNaNIsAnError(t *testing.T) {
	nan := 0.0
	nan /= nan
	c := &schema.Case{Incidents: []schema.Incident{{ID: "INC-01", Location: schema.Location{Lat: &nan, Lon: &nan}}}}
	if _, err := edition.New(c, edition.Public); err == nil {
		t.Error("a case JSON cannot hold was copied")
	}
}
