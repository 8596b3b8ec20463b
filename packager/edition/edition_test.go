package edition

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

func loadFixture(t testing.TB) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), "testdata", schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("fixture is invalid: %v", findings)
	}
	return doc.Case
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Edition
		err  bool
	}{
		{"", Confidential, false},
		{"confidential", Confidential, false},
		{"public", Public, false},
		{" Public ", Public, false},
		{"PUBLIC", Public, false},
		{"draft", "", true},
		{"publics", "", true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrUnknown) {
			t.Errorf("Parse(%q): %v does not wrap ErrUnknown", tc.in, err)
		}
	}
	if !Public.IsPublic() || Confidential.IsPublic() {
		t.Error("IsPublic")
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := New(nil, Public); err == nil {
		t.Error("nil case accepted")
	}
	if _, err := New(&schema.Case{}, "draft"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown edition: %v", err)
	}
}

func TestConfidentialIsTheCase(t *testing.T) {
	c := loadFixture(t)
	for _, e := range []Edition{"", Confidential} {
		p, err := New(c, e)
		if err != nil {
			t.Fatal(err)
		}
		if p.Case() != c || p.Edition() != Confidential {
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
	c := loadFixture(t)
	before, _ := json.Marshal(c)
	p, err := New(c, Public)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(c); string(after) != string(before) {
		t.Error("New changed the case it was given")
	}
	pub := p.Case()
	if p.Edition() != Public || pub == c {
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
	c := loadFixture(t)
	once, err := New(c, Public)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := New(once.Case(), Public)
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
	RedactPerson(&p)
	if p.Protected == nil || p.Protected.FullName != "" || p.Protected.Contacts != nil {
		t.Errorf("got %+v", p.Protected)
	}
	q := schema.Person{ID: "W-01"}
	RedactPerson(&q)
	if q.Protected != nil {
		t.Error("a person without protected details gained a record")
	}
}

func TestPackagePath(t *testing.T) {
	for _, tc := range []struct{ id, in, want string }{
		{"EV-0001", "evidence/video/clip.mp4", "data/evidence/EV-0001/clip.mp4"},
		{"EV-0002", "clip.mp4", "data/evidence/EV-0002/clip.mp4"},
	} {
		if got := PackagePath(tc.id, tc.in); got != tc.want {
			t.Errorf("PackagePath(%q, %q) = %q, want %q", tc.id, tc.in, got, tc.want)
		}
	}
}

func TestNaNIsAnError(t *testing.T) {
	nan := 0.0
	nan /= nan
	c := &schema.Case{Incidents: []schema.Incident{{ID: "INC-01", Location: schema.Location{Lat: &nan, Lon: &nan}}}}
	if _, err := New(c, Public); err == nil {
		t.Error("a case JSON cannot hold was copied")
	}
}
