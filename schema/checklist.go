package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/finding"
)

// The checklist: the art. 53(1) test of the Rome Statute (jurisdiction,
// admissibility, interests of justice) and every element of each crime the
// case charges, one line each, with what the case argues and proves for it.
// It cannot say whether an argument is good; it says which element has no
// argument, cites no evidence, cites only evidence nobody verified, or is
// assessed unsupported by the sender, and shows the sender's note on a gap
// beside it. validate reports each unmet line as a warning (the CP-CHECK-
// codes) and `validate --checklist` prints the whole list.

// The parts of the checklist, in the order it is printed (the order of the
// narrative).
const (
	PartJurisdiction = "jurisdiction"         // art. 53(1)(a): temporal, territorial, subject-matter
	PartContextual   = "contextual"           // contextual elements of crimes against humanity
	PartCrimes       = "crimes"               // the elements of each crime charged
	PartPersons      = "persons_of_interest"  // modes of liability per person of interest
	PartDeaths       = "deaths"               // each death tied to place, time, unit and evidence
	PartAdmissible   = "admissibility"        // art. 53(1)(b): complementarity, potential cases, gravity
	PartJustice      = "interests_of_justice" // art. 53(1)(c)
)

// The status of a checklist line.
const (
	CheckMet   = "met"
	CheckUnmet = "unmet"
	// CheckAlternative is an unmet "widespread" or "systematic" when the
	// other one is met: the attack need be only one of them.
	CheckAlternative = "alternative"
)

// Checklist is the whole checklist of a case.
type Checklist struct {
	Items []CheckItem `json:"items"`
	Met   int         `json:"met"`
	Unmet int         `json:"unmet"`
}

// CheckItem is one line of the checklist.
type CheckItem struct {
	Part string `json:"part"`
	// Element names the element as a lawyer reads it: "Temporal
	// jurisdiction", "7(1)(a) INC-01, element 1: The perpetrator killed…".
	Element string `json:"element"`
	// Pointer is where the element is argued, or would be.
	Pointer string `json:"pointer"`
	Status  string `json:"status"`
	// Code is the warning validate reports for an unmet line; Gap says in
	// words what is missing.
	Code finding.Code `json:"code,omitempty"`
	Gap  string       `json:"gap,omitempty"`
	// Evidence is every item the argument cites or lists; Verified those
	// of them whose verification is verified or partly verified.
	Evidence   []string `json:"evidence,omitempty"`
	Verified   []string `json:"verified,omitempty"`
	Assessment string   `json:"assessment,omitempty"`
	// Note is the sender's own word on a gap.
	Note string `json:"note,omitempty"`

	// Where validate puts the warning: the object at parent lacks member
	// (an element not argued at all), or the value at Pointer.
	parent, member string
	// test: a line of the art. 53(1) test every case has (jurisdiction,
	// complementarity, potential case, gravity, interests of justice), as
	// opposed to the lines the case's own data add (a crime's elements, a
	// person of interest, a death).
	test bool
}

// NewChecklist builds the checklist of c.
func NewChecklist(c *Case) *Checklist { return newChecklist(c, NewIndex(c)) }

// newChecklist builds the checklist of c, whose index is x.
func newChecklist(c *Case, x *Index) *Checklist {
	k := &checker{x: x}
	k.jurisdiction(c)
	k.contextual(c)
	k.crimes(c)
	k.persons(c)
	k.deaths(c)
	k.admissibility(c)
	k.justice(c)
	for _, it := range k.items {
		if it.Status == CheckMet {
			k.list.Met++
		} else if it.Status == CheckUnmet {
			k.list.Unmet++
		}
	}
	k.list.Items = k.items
	if k.list.Items == nil {
		k.list.Items = []CheckItem{}
	}
	return &k.list
}

type checker struct {
	x     *Index
	items []CheckItem
	list  Checklist
}

// argued is what one argument offers: its text (with the evidence it cites),
// more evidence listed beside it, the sender's assessment and note.
type argued struct {
	text       string
	evidence   []string
	assessment string
	note       string
}

// judge adds a line for an element argued at ptr (the member member of the
// object at parent when there is no argument yet).
func (k *checker) judge(part, element, ptr string, a argued) *CheckItem {
	it := CheckItem{Part: part, Element: element, Pointer: ptr, Assessment: a.assessment, Note: a.note}
	ids := slices.Clone(a.evidence)
	for _, ct := range Citations(a.text) {
		ids = append(ids, ct.ID)
	}
	it.Evidence = sortedUnique(ids)
	for _, id := range it.Evidence {
		if e := k.x.Evidence[id]; e != nil && e.Verification != nil &&
			(e.Verification.Status == "verified" || e.Verification.Status == "partly_verified") {
			it.Verified = append(it.Verified, id)
		}
	}
	switch {
	case strings.TrimSpace(a.text) == "":
		it.Code, it.Gap = finding.CheckUnargued, "not argued"
	case len(it.Evidence) == 0:
		it.Code, it.Gap = finding.CheckUnsupported, "the argument cites no evidence"
	case len(it.Verified) == 0:
		it.Code, it.Gap = finding.CheckUnverified, "the argument cites only evidence not verified ("+strings.Join(it.Evidence, ", ")+")"
	case a.assessment == "unsupported":
		it.Code, it.Gap = finding.CheckUnsupported, "assessed unsupported by the sender"
	}
	it.Status = CheckMet
	if it.Code != "" {
		it.Status = CheckUnmet
	}
	k.items = append(k.items, it)
	return &k.items[len(k.items)-1]
}

// missing adds an unmet line for something the case lacks altogether.
func (k *checker) missing(part, element, ptr string, code finding.Code, gap string) *CheckItem {
	k.items = append(k.items, CheckItem{Part: part, Element: element, Pointer: ptr, Status: CheckUnmet, Code: code, Gap: gap})
	return &k.items[len(k.items)-1]
}

// at sets where an element that is not there would be written: the
// member of parent.
func (it *CheckItem) at(parent, member string) {
	it.parent, it.member = parent, member
}

func (k *checker) jurisdiction(c *Case) {
	j := c.Analysis.Jurisdiction
	if j == nil {
		j = &Jurisdiction{}
	}
	for _, f := range []struct{ name, member, text string }{
		{"Temporal jurisdiction (art. 11)", "temporal", j.Temporal},
		{"Territorial or personal jurisdiction (art. 12(2))", "territorial", j.Territorial},
		{"Subject-matter jurisdiction (art. 5)", "subject_matter", j.SubjectMatter},
	} {
		it := k.judge(PartJurisdiction, f.name, "/analysis/jurisdiction/"+f.member, argued{text: f.text})
		it.test = true
		if f.text == "" {
			atAnalysis(c, it, "jurisdiction", f.member)
		}
	}
}

// atAnalysis places a missing /analysis/group/member.
func atAnalysis(c *Case, it *CheckItem, group, member string) {
	present := false
	switch group {
	case "jurisdiction":
		present = c.Analysis.Jurisdiction != nil
	case "admissibility":
		present = c.Analysis.Admissibility != nil
	}
	if present {
		it.at("/analysis/"+group, member)
	} else {
		it.at("/analysis", group)
	}
}

// chargesCAH reports whether the case charges a crime against humanity
// (an article 7 crime) or argues a contextual element.
func chargesCAH(c *Case) bool {
	if j := c.Analysis.Jurisdiction; j != nil && len(j.Contextual) > 0 {
		return true
	}
	for _, inc := range c.Incidents {
		for _, ch := range inc.Characterisation {
			if strings.HasPrefix(ch.Article, "7(") {
				return true
			}
		}
	}
	return false
}

var contextualNames = map[string]string{
	ContextAttack:     "Attack directed against a civilian population (art. 7(2)(a))",
	ContextWidespread: "Widespread attack (art. 7(1))",
	ContextSystematic: "Systematic attack (art. 7(1))",
	ContextPolicy:     "State or organisational policy (art. 7(2)(a))",
	ContextNexus:      "Nexus: the conduct was part of the attack",
	ContextKnowledge:  "Knowledge of the attack",
}

func (k *checker) contextual(c *Case) {
	if !chargesCAH(c) {
		return
	}
	var list []ContextualElement
	if j := c.Analysis.Jurisdiction; j != nil {
		list = j.Contextual
	}
	where := map[string]int{}
	for i, ce := range list {
		if _, dup := where[ce.Element]; !dup {
			where[ce.Element] = i
		}
	}
	lines := map[string]int{} // index in k.items: a later append may move them
	for _, el := range ContextualElements {
		lines[el] = len(k.items)
		i, ok := where[el]
		if !ok {
			it := k.missing(PartContextual, contextualNames[el], "/analysis/jurisdiction/contextual", finding.CheckUnargued, "not argued")
			switch {
			case c.Analysis.Jurisdiction == nil:
				it.at("/analysis", "jurisdiction")
			case len(list) == 0:
				it.at("/analysis/jurisdiction", "contextual")
			}
			continue
		}
		ce := list[i]
		k.judge(PartContextual, contextualNames[el], fmt.Sprintf("/analysis/jurisdiction/contextual/%d", i),
			argued{text: ce.Argument, evidence: ce.EvidenceIDs, assessment: ce.Assessment, note: ce.Note})
	}
	// The attack need be widespread or systematic, not both.
	w, s := &k.items[lines[ContextWidespread]], &k.items[lines[ContextSystematic]]
	if w.Status == CheckMet && s.Status == CheckUnmet {
		s.Status, s.Code = CheckAlternative, ""
	} else if s.Status == CheckMet && w.Status == CheckUnmet {
		w.Status, w.Code = CheckAlternative, ""
	}
}

func (k *checker) crimes(c *Case) {
	for i, inc := range c.Incidents {
		for j, ch := range inc.Characterisation {
			for e, el := range ch.Elements {
				name := fmt.Sprintf("%s %s (%s), element %d: %s", ch.Article, ch.Label, inc.ID, e+1, el.Element)
				k.judge(PartCrimes, name, fmt.Sprintf("/incidents/%d/characterisation/%d/elements/%d", i, j, e),
					argued{text: el.Argument, evidence: el.EvidenceIDs, assessment: el.Assessment, note: el.Note})
			}
		}
	}
}

func (k *checker) persons(c *Case) {
	for i, p := range c.Persons {
		if !p.HasRole(RoleAlleged) {
			continue
		}
		ptr := fmt.Sprintf("/persons/%d", i)
		who := p.ID
		if p.Pseudonym != "" {
			who += " (" + p.Pseudonym + ")"
		}
		if len(p.Liability) == 0 {
			k.missing(PartPersons, who+": mode of liability (arts. 25(3), 28)", ptr+"/liability", finding.CheckLiability, "no mode of liability").at(ptr, "liability")
			continue
		}
		for j, l := range p.Liability {
			name := fmt.Sprintf("%s: %s", who, strings.ReplaceAll(l.Mode, "_", " "))
			if a := LiabilityArticle(l.Mode); a != "" {
				name += " (art. " + a + ")"
			}
			it := k.judge(PartPersons, name, fmt.Sprintf("%s/liability/%d", ptr, j),
				argued{text: l.Facts, evidence: l.EvidenceIDs, assessment: l.Assessment, note: l.Note})
			if l.Facts == "" {
				it.at(fmt.Sprintf("%s/liability/%d", ptr, j), "facts")
				it.Gap = "no facts stated"
			}
		}
	}
}

func (k *checker) deaths(c *Case) {
	n := 0
	for i := range c.Persons {
		if c.Persons[i].Death != nil {
			n++
		}
	}
	k.items = slices.Grow(k.items, n) // a line each: one allocation
	for i, p := range c.Persons {
		d := p.Death
		if d == nil || !p.HasRole("victim") {
			continue
		}
		ptr := fmt.Sprintf("/persons/%d/death", i)
		it := CheckItem{Part: PartDeaths, Element: fmt.Sprintf("%s (%s): place, time and unit of the death", p.ID, p.Pseudonym), Pointer: ptr}
		lacks := DeathGaps(d)
		a := d.Perpetrators
		ev := append(slices.Clone(d.PlaceEvidenceIDs), d.DateEvidenceIDs...)
		if a != nil {
			ev = append(ev, a.EvidenceIDs...)
		}
		it.Evidence = sortedUnique(ev)
		for _, id := range it.Evidence {
			if e := k.x.Evidence[id]; e != nil && e.Verification != nil && (e.Verification.Status == "verified" || e.Verification.Status == "partly_verified") {
				it.Verified = append(it.Verified, id)
			}
		}
		it.Status = CheckMet
		if len(lacks) > 0 {
			it.Status, it.Code = CheckUnmet, finding.CheckDeath
			it.Gap = "no evidence of its " + joinAnd(lacks)
		}
		k.items = append(k.items, it)
	}
}

func (k *checker) admissibility(c *Case) {
	adm := c.Analysis.Admissibility
	if adm == nil {
		adm = &Admissibility{}
	}
	it := k.judge(PartAdmissible, "Complementarity (art. 17(1))", "/analysis/admissibility/complementarity", argued{text: adm.Complementarity})
	it.test = true
	if adm.Complementarity == "" {
		atAnalysis(c, it, "admissibility", "complementarity")
	}
	if len(c.PotentialCases) == 0 {
		it := k.missing(PartAdmissible, "Potential case: the persons and conduct complementarity is assessed against", "/potential_cases",
			finding.CheckUnargued, "no potential case")
		it.at("", "potential_cases")
		it.test = true
	}
	for i, pc := range c.PotentialCases {
		ptr := fmt.Sprintf("/potential_cases/%d", i)
		who := pc.ID + " (" + pc.Title + ")"
		if len(pc.PersonIDs)+len(pc.UnitIDs) == 0 {
			k.missing(PartAdmissible, who+": persons concerned", ptr+"/person_ids", finding.CheckUnargued,
				"names no person of interest or unit").at(ptr, "person_ids")
		}
		if len(pc.Searches) == 0 {
			k.missing(PartAdmissible, who+": search for national proceedings", ptr+"/searches", finding.CheckUnargued,
				"no search for national proceedings recorded").at(ptr, "searches")
		}
		for j, s := range pc.Searches {
			k.judge(PartAdmissible, fmt.Sprintf("%s: search for national proceedings of %s", who, s.Date), fmt.Sprintf("%s/searches/%d", ptr, j),
				argued{text: s.Result, evidence: s.EvidenceIDs})
		}
		for j, pr := range pc.Proceedings {
			name := fmt.Sprintf("%s: proceeding before %s, same person and same conduct", who, pr.Authority)
			q := fmt.Sprintf("%s/proceedings/%d", ptr, j)
			switch {
			case pr.SamePerson == "":
				k.missing(PartAdmissible, name, q, finding.CheckUnargued, "does not say whether it concerns the same person").at(q, "same_person")
			case pr.SameConduct == "":
				k.missing(PartAdmissible, name, q, finding.CheckUnargued, "does not say whether it concerns substantially the same conduct").at(q, "same_conduct")
			default:
				k.judge(PartAdmissible, name, q, argued{text: pr.Assessment, evidence: pr.EvidenceIDs})
			}
		}
		if len(pc.Indicators) == 0 {
			k.missing(PartAdmissible, who+": art. 17 indicators", ptr+"/indicators", finding.CheckUnargued,
				"no indicator of inactivity, unwillingness or inability").at(ptr, "indicators")
		}
		for j, ind := range pc.Indicators {
			name := fmt.Sprintf("%s: %s", who, strings.ReplaceAll(ind.Indicator, "_", " "))
			if a := IndicatorArticle(ind.Indicator); a != "" {
				name += " (art. " + a + ")"
			}
			jt := k.judge(PartAdmissible, name, fmt.Sprintf("%s/indicators/%d", ptr, j),
				argued{text: ind.Argument, evidence: ind.EvidenceIDs, assessment: ind.Assessment, note: ind.Note})
			if ind.Argument == "" {
				jt.at(fmt.Sprintf("%s/indicators/%d", ptr, j), "argument")
			}
		}
	}
	g := adm.Gravity
	if g == nil {
		g = &Gravity{}
	}
	for _, f := range []struct{ name, member, text string }{
		{"Gravity: scale", "scale", g.Scale},
		{"Gravity: nature", "nature", g.Nature},
		{"Gravity: manner of commission", "manner", g.Manner},
		{"Gravity: impact", "impact", g.Impact},
	} {
		it := k.judge(PartAdmissible, f.name, "/analysis/admissibility/gravity/"+f.member, argued{text: f.text})
		it.test = true
		if f.text == "" {
			switch {
			case adm.Gravity != nil:
				it.at("/analysis/admissibility/gravity", f.member)
			default:
				atAnalysis(c, it, "admissibility", "gravity")
			}
		}
	}
}

func (k *checker) justice(c *Case) {
	it := k.judge(PartJustice, "Interests of justice (art. 53(1)(c))", "/analysis/interests_of_justice", argued{text: c.Analysis.InterestsOfJustice})
	it.test = true
	if c.Analysis.InterestsOfJustice == "" {
		it.at("/analysis", "interests_of_justice")
	}
}

// The gaps DeathGaps names.
const (
	GapPlace = "place"
	GapTime  = "time"
	GapUnit  = "perpetrator unit"
)

// DeathGaps lists what no evidence ties a death to: its place, its time,
// the unit (or person) that caused it. An attribution without evidence,
// however firmly stated, is a gap. The checklist, the per-victim matrix of
// the annexes and the narrative all use it.
func DeathGaps(d *Death) []string {
	var out []string
	if len(d.PlaceEvidenceIDs) == 0 {
		out = append(out, GapPlace)
	}
	if len(d.DateEvidenceIDs) == 0 {
		out = append(out, GapTime)
	}
	if a := d.Perpetrators; a == nil || len(a.UnitIDs)+len(a.PersonIDs) == 0 || len(a.EvidenceIDs) == 0 {
		out = append(out, GapUnit)
	}
	return out
}

// DeathEvidence lists, in order and with repeats, every evidence item that
// concerns a victim's death: the victim's own, the evidence of the place,
// the time and the perpetrators, the forensic review's material and report
// and the autopsy report. The per-victim matrix takes the kinds of
// evidence from it.
func DeathEvidence(p *Person) []string {
	ids := slices.Clone(p.EvidenceIDs)
	d := p.Death
	if d == nil {
		return ids
	}
	ids = append(append(ids, d.PlaceEvidenceIDs...), d.DateEvidenceIDs...)
	if a := d.Perpetrators; a != nil {
		ids = append(ids, a.EvidenceIDs...)
	}
	if r := d.ForensicReview; r != nil {
		ids = append(append(ids, r.Materials...), r.ReportEvidenceID)
	}
	if a := d.Autopsy; a != nil && a.ReportEvidenceID != "" {
		ids = append(ids, a.ReportEvidenceID)
	}
	return ids
}

// joinAnd joins words as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// checklist reports every unmet line as a warning. While the case argues
// no line of the art. 53(1) test at all (a case just begun: casepack
// init's, the minimal sample), those lines are one warning that says the
// analysis is not begun and where the list is: the team entering the facts
// is not at the argument yet, and ten warnings would bury the findings that
// matter. What the case's own data leave open (a crime's element, a person
// of interest, a death) is reported line by line whatever the stage.
func (v *vctx) checklist(c *Case, x *Index) {
	items := newChecklist(c, x).Items
	open, begun := 0, false
	for _, it := range items {
		if it.test {
			if it.Status == CheckUnmet && it.Code == finding.CheckUnargued {
				open++
			} else {
				begun = true
			}
		}
	}
	fold := !begun && open > 0
	unmet := 1
	for i := range items {
		if items[i].Status == CheckUnmet {
			unmet++
		}
	}
	v.grow(unmet)
	if fold {
		v.add(finding.CheckUnargued, "/analysis",
			fmt.Sprintf("checklist: the art. 53(1) analysis is not begun: none of its %d elements (jurisdiction, complementarity and a potential case, gravity, interests of justice) is argued", open),
			"argue them in analysis (jurisdiction, admissibility, interests_of_justice) and describe the potential case in potential_cases; casepack validate --checklist lists every element")
	}
	for _, it := range items {
		if fold && it.test {
			continue
		}
		if it.Status != CheckUnmet {
			continue
		}
		msg := fmt.Sprintf("checklist: %s: %s", it.Element, it.Gap)
		if it.Note != "" {
			msg += " (noted: " + firstLine(it.Note) + ")"
		}
		hint := checkHints[it.Code]
		switch {
		case it.member != "":
			v.addMissing(it.Code, it.parent, it.member, msg, hint)
		case it.parent != "":
			v.add(it.Code, it.parent, msg, hint)
		default:
			v.add(it.Code, it.Pointer, msg, hint)
		}
	}
}

var checkHints = map[finding.Code]string{
	finding.CheckUnargued:    "argue the element, citing the evidence that shows it ([EV-…]); if the case cannot show it yet, say why in its note",
	finding.CheckUnsupported: "cite the evidence that shows it ([EV-…] in the text, or evidence_ids), or say in its note why there is none",
	finding.CheckUnverified:  "verify the evidence it cites (verification.status verified or partly_verified), or cite verified evidence too",
	finding.CheckLiability:   "add a mode of liability (liability: mode, facts, evidence_ids), or remove the role alleged_perpetrator",
	finding.CheckDeath:       "add place_evidence_ids, date_evidence_ids and perpetrators (unit_ids with evidence_ids) to the death",
}

// firstLine is the first line of s, shortened to 120 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > 120 {
		return string(r[:119]) + "…"
	}
	return s
}
