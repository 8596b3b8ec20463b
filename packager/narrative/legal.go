package narrative

import (
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// The legal sections of the narrative (templates/narrative.md.tmpl: the
// persons of interest and the chain of command, the contextual elements
// one by one, the potential cases, the per-victim matrix) read the case
// through these methods. A fact is worded by its status: an established
// one as it is, a reported one with its source, an assumed one as an
// assumption with what it rests on.

// PersonsOfInterest are the persons with the role alleged_perpetrator, in
// case order.
func (d *Data) PersonsOfInterest() []*schema.Person {
	var out []*schema.Person
	for i := range d.Case.Persons {
		if d.Case.Persons[i].HasRole(schema.RoleAlleged) {
			out = append(out, &d.Case.Persons[i])
		}
	}
	return out
}

// InterestWithheld reports whether this edition shows persons of interest
// by pseudonym only.
func (d *Data) InterestWithheld() bool {
	return d.Public && d.plan != nil && d.plan.Policy().PersonsOfInterest == edition.Omit
}

// KeptCitations is what the public edition keeps of a person of interest
// it withholds (InterestWithheld): the citations of what the full edition
// prints, so that each redaction mark keeps the footnotes, and every later
// footnote its number, of the text it replaces. Who holds the citations of
// the basis and of each post; Liability those of each mode of liability
// (its facts, the evidence listed beside them, its note). Each run of
// citations is on a line of its own, one footnote each, as in a mark the
// public edition puts in place of a paragraph (redact.go). The IDs are no
// secret: the evidence index lists every withheld item.
type KeptCitations struct {
	Who       MD
	Liability []MD
}

// Kept is KeptCitations for the person of interest id, read from the case
// the edition was made from.
func (d *Data) Kept(id string) KeptCitations {
	var k KeptCitations
	if d.plan == nil {
		return k
	}
	orig := d.plan.Original()
	var p *schema.Person
	for i := range orig.Persons {
		if orig.Persons[i].ID == id {
			p = &orig.Persons[i]
		}
	}
	if p == nil {
		return k
	}
	isAuth := func(id string) bool { _, ok := d.Index.Authorities[id]; return ok }
	var b strings.Builder
	runs := func(s string) {
		for _, r := range schema.CitationRuns(s, isAuth) {
			b.WriteString(hardBreak + escapeInline(s[r.Start:r.End]))
		}
	}
	ids := func(v []string) {
		if c := cite(v); c != "" {
			b.WriteString(hardBreak + string(c))
		}
	}
	runs(p.Basis)
	for _, pos := range p.Positions {
		if pos.UnitID != "" { // the template lists a post with its unit
			ids(pos.EvidenceIDs)
		}
	}
	k.Who = MD(b.String())
	for _, l := range p.Liability {
		b.Reset()
		runs(l.Facts)
		ids(d.Uncited(l.Facts, l.EvidenceIDs))
		runs(l.Note)
		k.Liability = append(k.Liability, MD(b.String()))
	}
	return k
}

// Status words the status of a fact for printing beside it: "" for an
// established one (or one whose status is not given), "reported: …" or
// "assumption: …" with what it rests on, in the document's language.
func (d *Data) Status(status, qualifier string) string {
	var key string
	switch status {
	case schema.StatusAssumed:
		key = "legal.status.assumed"
	case schema.StatusReported:
		key = "legal.status.reported"
	default:
		return ""
	}
	if qualifier == "" {
		return d.lang.T(key)
	}
	return d.lang.T(key+"_on", "qualifier", qualifier)
}

// GapWords words the gaps of a death (schema.DeathGaps) in the document's
// language.
func (d *Data) GapWords(gaps []string) []string {
	out := make([]string, len(gaps))
	for i, g := range gaps {
		out[i] = d.lang.T("legal.gap." + strings.ReplaceAll(g, " ", "_"))
	}
	return out
}

// LiabilityArticle is the Rome Statute provision of a mode of liability.
func (d *Data) LiabilityArticle(mode string) string { return schema.LiabilityArticle(mode) }

// IndicatorArticle is the Rome Statute provision of an art. 17 indicator.
func (d *Data) IndicatorArticle(ind string) string { return schema.IndicatorArticle(ind) }

// ChainLink is one line of the chain of command: a unit, the unit above
// it, and who commanded it, each with its status.
type ChainLink struct {
	Unit       *schema.Unit
	Superior   string // unit ID; "" for a unit with none recorded
	Relation   string // part_of or under_command
	Status     string // "" when the case does not say (a bare parent_id)
	Qualifier  string
	Evidence   []string
	Commanders []Commander
}

// Commander is a post that commands a unit.
type Commander struct {
	Person   *schema.Person
	Position schema.Position
}

// ChainOfCommand lists the units with what is above them and who
// commanded them. It is empty when the case records no superior and no
// post: the units table says all there is.
func (d *Data) ChainOfCommand() []ChainLink {
	var out []ChainLink
	found := false
	for i := range d.Case.Units {
		u := &d.Case.Units[i]
		var cmd []Commander
		for j := range d.Case.Persons {
			p := &d.Case.Persons[j]
			for _, pos := range p.Positions {
				if pos.UnitID == u.ID && pos.Commands {
					cmd = append(cmd, Commander{p, pos})
				}
			}
		}
		found = found || len(cmd) > 0 || len(u.Superiors) > 0
		switch {
		case len(u.Superiors) > 0:
			for k, s := range u.Superiors {
				l := ChainLink{Unit: u, Superior: s.SuperiorID, Relation: s.Relation, Status: s.Status, Qualifier: s.Qualifier, Evidence: s.EvidenceIDs}
				if k == 0 {
					l.Commanders = cmd
				}
				out = append(out, l)
			}
		default:
			out = append(out, ChainLink{Unit: u, Superior: u.ParentID, Commanders: cmd})
		}
	}
	if !found {
		return nil
	}
	return out
}

// ChainDiagram is the chain of command as a diagram the layout draws
// (layout.chainDiagram): a fenced block "chain-diagram" with a line per
// unit ("unit", ID, name), one per link to a superior ("link", unit,
// superior, line style, the status in words) and the legend. The layout
// leaves it out when it would not stay legible; the table beside it says
// the same. Empty when no unit has a superior.
func (d *Data) ChainDiagram() MD {
	var lines []string
	field := func(s string) string { // one field of a tab-separated line
		return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, s)), " ")
	}
	seen := map[string]bool{}
	links := 0
	for _, c := range d.ChainOfCommand() {
		if !seen[c.Unit.ID] {
			seen[c.Unit.ID] = true
			lines = append(lines, "unit\t"+field(c.Unit.ID)+"\t"+field(d.unit(c.Unit.ID)))
		}
	}
	for _, c := range d.ChainOfCommand() {
		if c.Superior == "" || !seen[c.Superior] {
			continue
		}
		style, word := "dotted", d.lang.T("legal.status.not_stated")
		switch c.Status {
		case schema.StatusEstablished:
			style, word = "solid", d.lang.T("legal.status.established")
		case schema.StatusReported:
			style, word = "dashed", d.lang.T("legal.status.reported")
		case schema.StatusAssumed:
			word = d.lang.T("legal.status.assumed")
		}
		links++
		lines = append(lines, "link\t"+field(c.Unit.ID)+"\t"+field(c.Superior)+"\t"+style+"\t"+field(word))
	}
	if links == 0 {
		return ""
	}
	lines = append(lines, "legend\t"+field(d.lang.T("legal.chain.legend")))
	body := strings.Join(lines, "\n")
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return MD("\n" + fence + "chain-diagram\n" + body + "\n" + fence + "\n")
}

// Contextual is one contextual element of crimes against humanity as the
// narrative argues it: the element (schema.ContextAttack …) and the case's
// argument (nil when the case does not argue it).
type Contextual struct {
	Element string
	Arg     *schema.ContextualElement
	// Alternative: not argued, but not needed (the attack is argued to be
	// widespread or systematic, the other one).
	Alternative bool
}

// ContextualArguments lists the six contextual elements in order when the
// case argues any of them one by one; nil otherwise.
func (d *Data) ContextualArguments() []Contextual {
	j := d.Case.Analysis.Jurisdiction
	if j == nil || len(j.Contextual) == 0 {
		return nil
	}
	by := map[string]*schema.ContextualElement{}
	for i := range j.Contextual {
		if _, dup := by[j.Contextual[i].Element]; !dup {
			by[j.Contextual[i].Element] = &j.Contextual[i]
		}
	}
	argued := func(el string) bool { a := by[el]; return a != nil && strings.TrimSpace(a.Argument) != "" }
	var out []Contextual
	for _, el := range schema.ContextualElements {
		c := Contextual{Element: el, Arg: by[el]}
		if (el == schema.ContextWidespread && !argued(el) && argued(schema.ContextSystematic)) ||
			(el == schema.ContextSystematic && !argued(el) && argued(schema.ContextWidespread)) {
			c.Alternative = true
		}
		out = append(out, c)
	}
	return out
}

// MatrixRow is one victim's line of the per-victim matrix.
type MatrixRow struct {
	Victim   *schema.Person
	Death    *schema.Death
	Units    []string // unit IDs alleged
	Persons  []string // person IDs alleged
	Status   string
	Types    []string // types of the evidence that concerns the victim
	Evidence []string // the evidence of place, time and perpetrators
	Gaps     []string
}

// Matrix is the per-victim matrix: each victim who died, with the place,
// time and unit of the death, the kinds of evidence and the gaps. It is
// empty when no death records who caused it or the evidence of its place
// or time: the victims table says all there is.
func (d *Data) Matrix() []MatrixRow {
	var out []MatrixRow
	found := false
	for _, p := range d.Deaths {
		dd := p.Death
		r := MatrixRow{Victim: p, Death: dd, Gaps: schema.DeathGaps(dd)}
		r.Evidence = append(append([]string(nil), dd.PlaceEvidenceIDs...), dd.DateEvidenceIDs...)
		if a := dd.Perpetrators; a != nil {
			r.Units, r.Persons, r.Status = a.UnitIDs, a.PersonIDs, a.Status
			r.Evidence = append(r.Evidence, a.EvidenceIDs...)
		}
		r.Evidence = uniqueSorted(r.Evidence)
		seen := map[string]bool{}
		for _, id := range schema.DeathEvidence(p) {
			if e := d.Index.Evidence[id]; e != nil && !seen[e.Type] {
				seen[e.Type] = true
				r.Types = append(r.Types, e.Type)
			}
		}
		found = found || dd.Perpetrators != nil || len(dd.PlaceEvidenceIDs)+len(dd.DateEvidenceIDs) > 0
		out = append(out, r)
	}
	if !found {
		return nil
	}
	return out
}

// uniqueSorted sorts ids and drops repeats.
func uniqueSorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// Uncited lists the ids that text does not already cite, so that evidence
// listed beside an argument is cited once, not twice.
func (d *Data) Uncited(text string, ids []string) []string {
	in := map[string]bool{}
	for _, c := range schema.Citations(text) {
		in[c.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !in[id] {
			out = append(out, id)
		}
	}
	return out
}
