package edition

import (
	"fmt"
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// Reidentification is the re-identification report of a public edition: over
// the published victims, and over the published witnesses (relatives and
// sources included), the smallest group of persons who share the same
// published quasi-identifiers (k-anonymity), against the case's threshold.
type Reidentification struct {
	MinGroupSize  int     `json:"min_group_size"` // k the case requires
	SmallestGroup int     `json:"smallest_group"` // 0: nobody is published
	OK            bool    `json:"ok"`
	Classes       []Class `json:"classes"`
	// SingledOut lists every person in a group smaller than MinGroupSize.
	SingledOut []SingledOut `json:"singled_out,omitempty"`
}

// Class is the report for one kind of person.
type Class struct {
	Class   string   `json:"class"`   // "victims" or "witnesses"
	Persons int      `json:"persons"` // published persons of this kind
	Fields  []string `json:"fields"`  // the quasi-identifiers compared
	// WithoutDetails counts the persons of whom nothing but the pseudonym
	// and roles is published: no detail can single them out, so they are
	// not compared.
	WithoutDetails int `json:"without_details"`
	SmallestGroup  int `json:"smallest_group"` // over the others; 0 when there are none
}

// SingledOut is one person the published details single out.
type SingledOut struct {
	Person    string `json:"person"` // ID
	Pseudonym string `json:"pseudonym"`
	Class     string `json:"class"`
	GroupSize int    `json:"group_size"`
	// Fields are the published details that single the person out: leaving
	// out any one of them would put the person in a large enough group
	// (or, when no single one does, all the details they have).
	Fields []string `json:"fields"`
}

// ReidentificationError stops a public build whose published details single
// someone out.
type ReidentificationError struct {
	Report *Reidentification
}

func (e *ReidentificationError) Error() string {
	r := e.Report
	var who []string
	for _, s := range r.SingledOut {
		who = append(who, fmt.Sprintf("%s (%s: %s)", s.Pseudonym, s.Person, strings.Join(s.Fields, ", ")))
	}
	return fmt.Sprintf("the public edition would single out %s: fewer than %d published %s share those details (submission.public_edition.min_group_size)",
		strings.Join(who, "; "), r.MinGroupSize, plural(r.MinGroupSize, "person", "persons"))
}

// Hint says how to fix it, in the case's terms.
func (e *ReidentificationError) Hint() string {
	for _, s := range e.Report.SingledOut {
		for _, f := range s.Fields {
			if f != "incidents" { // a victim's incidents are published with the incident
				return fmt.Sprintf("generalise or omit a detail in submission.public_edition (e.g. \"%s\": {\"%s\": \"omit\"}), or set a lower min_group_size if publishing it is safe; casepack check-edition shows the groups", s.Class, f)
			}
		}
	}
	return "omit more details in submission.public_edition, or set min_group_size to 1 if the incident identifies the person anyway; casepack check-edition shows the groups"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Fields compared for each class, in report order.
var (
	victimFields  = []string{"sex", "age", "occupation", "residence", "date_of_death", "place_of_death", "incidents"}
	witnessFields = []string{"sex", "age", "occupation", "residence"}
)

// Reidentification computes the report over what the public edition
// publishes of each person (the plan's Case and published ages). For a
// confidential plan it is computed as the public edition of the same case
// would publish: it is the public edition that is at stake.
func (p *Plan) Reidentification() (*Reidentification, error) {
	pub := p
	if p.edition != Public {
		var err error
		if pub, err = NewIn(p.orig, Public, p.lang); err != nil {
			return nil, err
		}
	}
	r := &Reidentification{MinGroupSize: pub.policy.MinGroupSize, OK: true}
	incidents := map[string][]string{}
	for _, inc := range pub.view.Incidents {
		for _, v := range inc.VictimIDs {
			if !slices.Contains(incidents[v], inc.ID) {
				incidents[v] = append(incidents[v], inc.ID)
			}
		}
	}
	type rec struct {
		p    *schema.Person
		vals []string
	}
	classes := map[string][]rec{}
	persons := map[string]int{}
	for i := range pub.view.Persons {
		ps := &pub.view.Persons[i]
		_, class, ok := pub.policy.rulesFor(ps)
		if !ok {
			continue
		}
		var vals []string
		if class == "victims" {
			dd, dp := "", ""
			incs := append([]string(nil), incidents[ps.ID]...)
			if d := ps.Death; d != nil {
				dd, dp = string(d.Date), d.Place
				if d.IncidentID != "" && !slices.Contains(incs, d.IncidentID) {
					incs = append(incs, d.IncidentID)
				}
			}
			slices.Sort(incs)
			vals = []string{ps.Sex, pub.publishedAge(ps), ps.Occupation, ps.ResidenceArea, dd, dp}
			if strings.Join(vals, "") == "" {
				// Of this victim nothing is published but that the
				// incident, the public event, took their life.
				persons[class]++
				continue
			}
			vals = append(vals, strings.Join(incs, " "))
		} else {
			vals = []string{ps.Sex, pub.publishedAge(ps), ps.Occupation, ps.ResidenceArea}
		}
		persons[class]++
		if strings.Join(vals, "") == "" {
			continue // nothing published to single them out by
		}
		classes[class] = append(classes[class], rec{ps, vals})
	}
	for _, class := range []string{"victims", "witnesses"} {
		recs := classes[class]
		fields := victimFields
		if class == "witnesses" {
			fields = witnessFields
		}
		if persons[class] == 0 {
			continue
		}
		c := Class{Class: class, Persons: persons[class], Fields: fields, WithoutDetails: persons[class] - len(recs)}
		if len(recs) == 0 {
			r.Classes = append(r.Classes, c)
			continue
		}
		// groupOf counts, for each person, the persons sharing their
		// values, with the field at index skip left out (-1: none).
		groupOf := func(skip int) []int {
			key := func(vals []string) string {
				k := make([]string, 0, len(vals))
				for j, v := range vals {
					if j != skip {
						k = append(k, v)
					}
				}
				return strings.Join(k, "\x00")
			}
			n := map[string]int{}
			for _, r := range recs {
				n[key(r.vals)]++
			}
			out := make([]int, len(recs))
			for i, r := range recs {
				out[i] = n[key(r.vals)]
			}
			return out
		}
		sizes := groupOf(-1)
		c.SmallestGroup = slices.Min(sizes)
		r.Classes = append(r.Classes, c)
		if r.SmallestGroup == 0 || c.SmallestGroup < r.SmallestGroup {
			r.SmallestGroup = c.SmallestGroup
		}
		var without [][]int
		for j := range fields {
			without = append(without, groupOf(j))
		}
		for i, rc := range recs {
			if sizes[i] >= r.MinGroupSize {
				continue
			}
			s := SingledOut{Person: rc.p.ID, Pseudonym: rc.p.Pseudonym, Class: class, GroupSize: sizes[i]}
			for j, f := range fields {
				if rc.vals[j] != "" && without[j][i] >= r.MinGroupSize {
					s.Fields = append(s.Fields, f)
				}
			}
			if len(s.Fields) == 0 {
				for j, f := range fields {
					if rc.vals[j] != "" {
						s.Fields = append(s.Fields, f)
					}
				}
			}
			r.SingledOut = append(r.SingledOut, s)
		}
	}
	r.OK = len(r.SingledOut) == 0
	return r, nil
}

// publishedAge is the age the edition shows, with the minor flag when it
// shows none.
func (p *Plan) publishedAge(ps *schema.Person) string {
	if a := p.ages[ps.ID]; a != "" {
		return a
	}
	if ps.Minor != nil && *ps.Minor {
		return "minor"
	}
	return ""
}

// Check is the re-identification check of a public build: a
// *ReidentificationError when the published details single someone out.
func (p *Plan) Check() error {
	r, err := p.Reidentification()
	if err != nil {
		return err
	}
	if !r.OK {
		return &ReidentificationError{Report: r}
	}
	return nil
}

// CheckReport is what a public edition of a case would withhold, how much it
// redacts, and whether its published details single someone out (casepack
// check-edition).
type CheckReport struct {
	Withheld []WithheldItem `json:"withheld"`
	// Redactions is the redaction log, written in English (the language
	// of casepack's command line), with its language-neutral codes.
	Redactions       []Line            `json:"redactions"`
	Reidentification *Reidentification `json:"reidentification"`
}

// WithheldItem is one evidence item the public edition withholds.
type WithheldItem struct {
	ID     string `json:"id"`
	Ground Ground `json:"ground"`
	Reason string `json:"reason"`
	Basis  string `json:"basis"`
}

// CheckReport reports on the public edition of the plan's case.
func (p *Plan) CheckReport() (*CheckReport, error) {
	pub := p
	if p.edition != Public {
		var err error
		if pub, err = NewIn(p.orig, Public, p.lang); err != nil {
			return nil, err
		}
	}
	r, err := pub.Reidentification()
	if err != nil {
		return nil, err
	}
	out := &CheckReport{Reidentification: r, Redactions: []Line{}, Withheld: []WithheldItem{}}
	for _, e := range pub.log {
		out.Redactions = append(out.Redactions, e.In(locale.English()))
	}
	for _, e := range pub.orig.Evidence {
		if w, ok := pub.withheld[e.ID]; ok {
			en := locale.English()
			out.Withheld = append(out.Withheld, WithheldItem{ID: e.ID, Ground: w.Ground, Reason: en.Text(w.Reason()), Basis: en.Text(w.Basis())})
		}
	}
	return out, nil
}
