package schema

import (
	"slices"
	"sort"
	"strconv"
)

// Index gives by-ID access to a case and the reverse links that case.json
// states only one way (an incident lists its evidence; the evidence index
// wants the incidents of each item).
type Index struct {
	Evidence  map[string]*Evidence
	Incidents map[string]*Incident
	Persons   map[string]*Person
	Units     map[string]*Unit
	Consents  map[string]*Consent
	// Authorities by ID.
	Authorities map[string]*Authority

	// Reverse links from an evidence ID, each sorted and without repeats.
	IncidentsOf map[string][]string // incident IDs that list or cite the item
	PersonsOf   map[string][]string // person IDs linked to the item (victims of its incidents, persons listing it)
	UnitsOf     map[string][]string // unit IDs of its incidents and units listing it
	ArticlesOf  map[string][]string // Rome Statute articles whose elements rely on it
}

// NewIndex builds the index. With duplicate IDs the first one wins; validate
// reports the duplicates.
//
// Reverse links with the same content share one list, which is why a
// caller must not change them: an item's persons are mostly its incident's
// victims, the same for every item of the incident, and a list of them for
// each item was 16.5 MB of 20,000 items with one incident's victims
// (2.8 MB at 20,000 photos of one incident without victims, one incident
// ID each). Each shared list is full (its capacity is its length), so an
// append makes a list of its own.
func NewIndex(c *Case) *Index {
	x := newLookup(c)
	// The incidents that list or cite each evidence item, by their index
	// in c.Incidents, each once: the first, and any further ones (nearly
	// every item has one).
	first, more := map[string]int{}, map[string][]int{}
	articles := map[string][]string{}
	for i := range c.Incidents {
		inc := &c.Incidents[i]
		evs := append([]string(nil), inc.EvidenceIDs...)
		for _, ct := range Citations(inc.Description + "\n" + inc.OfficialVersion) {
			evs = append(evs, ct.ID)
		}
		for _, ch := range inc.Characterisation {
			for _, el := range ch.Elements {
				for _, ev := range el.EvidenceIDs {
					evs = append(evs, ev)
					articles[ev] = append(articles[ev], ch.Article)
				}
			}
		}
		for _, ev := range evs {
			f, ok := first[ev]
			if !ok {
				first[ev] = i
				continue
			}
			if l := more[ev]; f != i && (len(l) == 0 || l[len(l)-1] != i) {
				more[ev] = append(l, i)
			}
		}
	}
	// The persons and units that list each item themselves.
	persons, units := map[string][]string{}, map[string][]string{}
	for _, p := range c.Persons {
		for _, ev := range p.EvidenceIDs {
			persons[ev] = append(persons[ev], p.ID)
		}
	}
	for _, u := range c.Units {
		for _, ev := range u.EvidenceIDs {
			units[ev] = append(units[ev], u.ID)
		}
	}

	in := interner{}
	// Each incident's own lists: what an item of that incident alone,
	// listed by no person or unit itself, links to.
	type incLists struct{ id, victims, units []string }
	own := make([]incLists, len(c.Incidents))
	for i, inc := range c.Incidents {
		own[i] = incLists{id: in.list([]string{inc.ID}), victims: in.sorted(inc.VictimIDs), units: in.sorted(inc.UnitIDs)}
	}
	x.IncidentsOf = make(map[string][]string, len(first))
	x.PersonsOf, x.UnitsOf = map[string][]string{}, map[string][]string{}
	x.ArticlesOf = make(map[string][]string, len(articles))
	// link sets m[ev] to the union of what the incidents f (-1: none)
	// and rest link to (of) and direct, when not empty.
	link := func(m map[string][]string, ev string, f int, rest []int, of func(*incLists) []string, direct []string) {
		var out []string
		if f >= 0 && len(rest) == 0 && len(direct) == 0 {
			out = of(&own[f])
		} else {
			var all []string
			if f >= 0 {
				all = append(all, of(&own[f])...)
			}
			for _, i := range rest {
				all = append(all, of(&own[i])...)
			}
			out = in.sorted(append(all, direct...))
		}
		if len(out) > 0 {
			m[ev] = out
		}
	}
	ids := func(l *incLists) []string { return l.id }
	victims := func(l *incLists) []string { return l.victims }
	unitsOf := func(l *incLists) []string { return l.units }
	for ev, f := range first {
		link(x.IncidentsOf, ev, f, more[ev], ids, nil)
		link(x.PersonsOf, ev, f, more[ev], victims, persons[ev])
		link(x.UnitsOf, ev, f, more[ev], unitsOf, units[ev])
	}
	for ev, d := range persons {
		if _, ok := first[ev]; !ok {
			link(x.PersonsOf, ev, -1, nil, victims, d)
		}
	}
	for ev, d := range units {
		if _, ok := first[ev]; !ok {
			link(x.UnitsOf, ev, -1, nil, unitsOf, d)
		}
	}
	for ev, a := range articles {
		x.ArticlesOf[ev] = in.sorted(a)
	}
	return x
}

// interner hands out one list for each content: a list of strings keyed
// by their lengths and bytes.
type interner map[string][]string

// sorted is v sorted and without repeats, as the list of that content
// already handed out if there is one (v is not changed).
func (in interner) sorted(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return in.list(sortedUnique(slices.Clone(v)))
}

// list is the list with v's content handed out first (v itself when it is
// the first), full.
func (in interner) list(v []string) []string {
	var k []byte
	for _, s := range v {
		k = strconv.AppendInt(k, int64(len(s)), 10)
		k = append(append(k, ':'), s...)
	}
	if l, ok := in[string(k)]; ok {
		return l
	}
	v = slices.Clip(v)
	in[string(k)] = v
	return v
}

// newLookup is the index without its reverse links (nil), which the
// validation rules and the checklist do not read: at 100,000 persons in
// 1,000 incidents, the persons of each evidence item alone are a million
// entries to gather and sort.
func newLookup(c *Case) *Index {
	return &Index{
		Evidence:    byID(c.Evidence, func(e *Evidence) string { return e.ID }),
		Incidents:   byID(c.Incidents, func(e *Incident) string { return e.ID }),
		Persons:     byID(c.Persons, func(e *Person) string { return e.ID }),
		Units:       byID(c.Units, func(e *Unit) string { return e.ID }),
		Consents:    byID(c.Consents, func(e *Consent) string { return e.ID }),
		Authorities: byID(c.Authorities, func(e *Authority) string { return e.ID }),
	}
}

// byID maps each item's ID to the item; the first of duplicates wins.
func byID[T any](items []T, id func(*T) string) map[string]*T {
	m := make(map[string]*T, len(items))
	for i := range items {
		if k := id(&items[i]); m[k] == nil {
			m[k] = &items[i]
		}
	}
	return m
}

func sortedUnique(v []string) []string {
	sort.Strings(v)
	out := v[:0]
	for i, s := range v {
		if i == 0 || s != v[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// Victims returns the persons with the victim role, in case order.
func (c *Case) Victims() []*Person {
	var out []*Person
	for i := range c.Persons {
		if c.Persons[i].HasRole("victim") {
			out = append(out, &c.Persons[i])
		}
	}
	return out
}
