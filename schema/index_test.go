package schema_test

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"testing"
	"unsafe"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/schema"
)

// TestIndexReverseLinks: every reverse link of NewIndex is the union,
// sorted and without repeats, of what the case states the other way (an
// incident listing or citing an item, its victims and units, the articles
// whose elements rely on it, the persons and units listing it), on the La
// Vega sample and on generated cases of several incidents.
func TestIndexReverseLinks(t *testing.T) {
	var cases []*schema.Case
	doc, _, err := schema.Load("../samples/la-vega/case.json")
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, doc.Case)
	for _, o := range []casegen.Options{{Incidents: 7, Persons: 300, Evidence: 500, Seed: 3}, {Incidents: 1, Persons: 40, Evidence: 60}} {
		c, err := casegen.Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		// A unit that lists items itself, one of them an incident's (in a
		// list of units of this case's own: casegen shares its units).
		c.Units = slices.Clone(c.Units)
		c.Units[0].EvidenceIDs = []string{c.Evidence[0].ID, "EV-999999"}
		cases = append(cases, c)
	}
	for i, c := range cases {
		got, want := schema.NewIndex(c), reverseLinks(c)
		for name, m := range map[string]map[string][]string{"IncidentsOf": got.IncidentsOf, "PersonsOf": got.PersonsOf, "UnitsOf": got.UnitsOf, "ArticlesOf": got.ArticlesOf} {
			if !reflect.DeepEqual(m, want[name]) {
				t.Errorf("case %d: %s = %v, want %v", i, name, m, want[name])
			}
		}
	}
}

// reverseLinks is what NewIndex's reverse links must hold, gathered the
// plain way: a list for each item.
func reverseLinks(c *schema.Case) map[string]map[string][]string {
	out := map[string]map[string][]string{"IncidentsOf": {}, "PersonsOf": {}, "UnitsOf": {}, "ArticlesOf": {}}
	add := func(m, ev string, v ...string) { out[m][ev] = append(out[m][ev], v...) }
	for _, inc := range c.Incidents {
		evs := append([]string(nil), inc.EvidenceIDs...)
		for _, ct := range schema.Citations(inc.Description + "\n" + inc.OfficialVersion) {
			evs = append(evs, ct.ID)
		}
		for _, ch := range inc.Characterisation {
			for _, el := range ch.Elements {
				for _, ev := range el.EvidenceIDs {
					evs = append(evs, ev)
					add("ArticlesOf", ev, ch.Article)
				}
			}
		}
		for _, ev := range evs {
			add("IncidentsOf", ev, inc.ID)
			add("PersonsOf", ev, inc.VictimIDs...)
			add("UnitsOf", ev, inc.UnitIDs...)
		}
	}
	for _, p := range c.Persons {
		for _, ev := range p.EvidenceIDs {
			add("PersonsOf", ev, p.ID)
		}
	}
	for _, u := range c.Units {
		for _, ev := range u.EvidenceIDs {
			add("UnitsOf", ev, u.ID)
		}
	}
	for _, m := range out {
		for k, v := range m {
			if len(v) == 0 {
				delete(m, k)
				continue
			}
			sort.Strings(v)
			u := v[:1]
			for _, s := range v[1:] {
				if s != u[len(u)-1] {
					u = append(u, s)
				}
			}
			m[k] = u
		}
	}
	return out
}

// TestIndexSharesLists: the items of one incident share one list of its
// victims (and of its ID and units), each full, so that an append makes a
// list of its own: 20,000 items of one incident of 14 victims take 5.6 MB
// of index, not the 16.5 MB of a list for each.
func TestIndexSharesLists(t *testing.T) {
	c, err := casegen.Generate(casegen.Options{Incidents: 1, Persons: 56, Evidence: 20000})
	if err != nil {
		t.Fatal(err)
	}
	before := testtool.LiveHeap()
	x := schema.NewIndex(c)
	size := float64(testtool.LiveHeap()-before) / 1e6
	t.Logf("the index holds %.2f MB", size)
	a, b := c.Incidents[0].EvidenceIDs[0], c.Incidents[0].EvidenceIDs[19999]
	for name, m := range map[string]map[string][]string{"IncidentsOf": x.IncidentsOf, "PersonsOf": x.PersonsOf, "UnitsOf": x.UnitsOf} {
		la, lb := m[a], m[b]
		if len(la) == 0 || fmt.Sprint(la) != fmt.Sprint(lb) {
			t.Fatalf("%s of %s and %s: %v, %v", name, a, b, la, lb)
		}
		if unsafe.SliceData(la) != unsafe.SliceData(lb) || cap(la) != len(la) {
			t.Errorf("%s: the items of one incident do not share one full list (capacity %d, length %d)", name, cap(la), len(la))
		}
	}
	if size > 8 {
		t.Errorf("the index holds %.2f MB, want at most 8 (a list for each item: 16.5)", size)
	}
	runtime.KeepAlive(x)
}
