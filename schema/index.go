package schema

import (
	"sort"
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
func NewIndex(c *Case) *Index {
	x := newLookup(c)
	x.IncidentsOf = map[string][]string{}
	x.PersonsOf = map[string][]string{}
	x.UnitsOf = map[string][]string{}
	x.ArticlesOf = map[string][]string{}
	add := func(m map[string][]string, ev, v string) { m[ev] = append(m[ev], v) }
	for _, inc := range c.Incidents {
		evs := append([]string(nil), inc.EvidenceIDs...)
		for _, ct := range Citations(inc.Description + "\n" + inc.OfficialVersion) {
			evs = append(evs, ct.ID)
		}
		for _, ch := range inc.Characterisation {
			for _, el := range ch.Elements {
				for _, ev := range el.EvidenceIDs {
					evs = append(evs, ev)
					add(x.ArticlesOf, ev, ch.Article)
				}
			}
		}
		for _, ev := range evs {
			add(x.IncidentsOf, ev, inc.ID)
			for _, v := range inc.VictimIDs {
				add(x.PersonsOf, ev, v)
			}
			for _, u := range inc.UnitIDs {
				add(x.UnitsOf, ev, u)
			}
		}
	}
	for _, p := range c.Persons {
		for _, ev := range p.EvidenceIDs {
			add(x.PersonsOf, ev, p.ID)
		}
	}
	for _, u := range c.Units {
		for _, ev := range u.EvidenceIDs {
			add(x.UnitsOf, ev, u.ID)
		}
	}
	for _, m := range []map[string][]string{x.IncidentsOf, x.PersonsOf, x.UnitsOf, x.ArticlesOf} {
		for k, v := range m {
			m[k] = sortedUnique(v)
		}
	}
	return x
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
