package edition

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/casepack/casepack/schema"
)

// Plan is the disclosure decision for one case in one edition: the case as
// that edition shows it, which evidence it withholds and why, and the log
// of every redaction and generalisation it made. Every consumer (the
// builder, the annexes, the narrative) makes its plan from the original
// case, so they all show the same.
type Plan struct {
	edition  Edition
	policy   Policy
	orig     *schema.Case
	view     *schema.Case
	withheld map[string]Withholding
	from     map[string][]string // evidence ID → persons it comes from
	ages     map[string]string   // person ID → the age as published ("" none)
	bands    map[string]string   // person ID → the age band as published ("" none)
	log      []Entry
}

// Entry is one line of the redaction log: where a detail was left out or
// generalised, what kind of detail, how and on what ground, never the
// detail itself.
type Entry struct {
	// Where is the place in the package, filled in by the file that shows
	// it: "section 6.2.1, paragraph 14", "Victims sheet, row 6".
	Where string `json:"where,omitempty"`
	// Pointer is the JSON pointer of the detail in case.json ("/persons/4/age").
	Pointer string `json:"pointer,omitempty"`
	Item    string `json:"item"`   // the ID concerned: V-05, EV-0026
	Detail  string `json:"detail"` // what kind of detail: "exact age", "files (2)"
	Action  string `json:"action"` // what the edition did: "withheld", "generalised to an age band"
	Ground  string `json:"ground"` // why: "protected person", "classification: confidential"
}

// New decides what edition e of c contains. c is not changed; the plan's
// Case is a copy for the public edition and c itself for the confidential.
func New(c *schema.Case, e Edition) (*Plan, error) {
	if c == nil {
		return nil, errors.New("no case data")
	}
	if e == "" {
		e = Confidential
	}
	if e != Confidential && e != Public {
		return nil, fmt.Errorf("%w, not %q", ErrUnknown, string(e))
	}
	p := &Plan{edition: e, policy: PolicyOf(c), orig: c, view: c, withheld: map[string]Withholding{}, ages: map[string]string{}, bands: map[string]string{}}
	if e == Confidential {
		for _, ps := range c.Persons {
			if ps.Age != nil {
				p.ages[ps.ID] = strconv.Itoa(*ps.Age)
				p.bands[ps.ID] = AgeBand(*ps.Age)
			}
		}
		return p, nil
	}
	p.from = sources(c)
	p.withheld = withholdings(c, p.from)
	view, err := p.redact(c)
	if err != nil {
		return nil, err
	}
	p.view = view
	return p, nil
}

// Edition is the edition the plan is for.
func (p *Plan) Edition() Edition { return p.edition }

// Policy is the public-edition policy the plan applies.
func (p *Plan) Policy() Policy { return p.policy }

// Original is the case the plan was made from.
func (p *Plan) Original() *schema.Case { return p.orig }

// Case is the case as the edition shows it: for the public edition,
// without any person's protected details, generalised as the policy says,
// and with withheld evidence reduced to what the evidence index may show.
// Callers must not change it.
func (p *Plan) Case() *schema.Case { return p.view }

// Withheld reports whether the edition leaves the files of evidence item id
// out of the package (they are hashed and listed, not copied).
func (p *Plan) Withheld(id string) bool {
	_, ok := p.withheld[id]
	return ok
}

// Withholding says why the edition withholds evidence item id.
func (p *Plan) Withholding(id string) (Withholding, bool) {
	w, ok := p.withheld[id]
	return w, ok
}

// Age is the age of person id as the edition shows it: the number, a band
// ("18–24", "minor") or "".
func (p *Plan) Age(id string) string { return p.ages[id] }

// AgeBand is the age band of person id as the edition shows it, or "" when
// it shows no age.
func (p *Plan) AgeBand(id string) string { return p.bands[id] }

// Log is the redaction log of the case data (the narrative adds its own
// entries for the text it redacts). Empty for the confidential edition.
func (p *Plan) Log() []Entry { return p.log }

// TextRedaction decides whether text citing the evidence items ids is
// replaced by a redaction mark in this edition, and returns the strongest
// withholding among them (consent before ex parte before confidential).
// Text citing evidence withheld only because it is classified confidential
// is kept when the policy says text_citing_confidential: keep.
func (p *Plan) TextRedaction(ids []string) (Withholding, bool) {
	var best Withholding
	found := false
	rank := map[Ground]int{GroundConsent: 3, GroundExParte: 2, GroundConfidential: 1}
	for _, id := range ids {
		w, ok := p.withheld[id]
		if !ok || w.Ground == GroundConfidential && p.policy.TextCitingConfidential == Keep {
			continue
		}
		if !found || rank[w.Ground] > rank[best.Ground] {
			best, found = w, true
		}
	}
	return best, found
}

func (p *Plan) note(ptr, item, detail, action, ground string) {
	p.log = append(p.log, Entry{Pointer: ptr, Item: item, Detail: detail, Action: action, Ground: ground})
}

// redact returns the public view of c and logs what it changed.
func (p *Plan) redact(c *schema.Case) (*schema.Case, error) {
	out, err := schema.Copy(c)
	if err != nil {
		return nil, err
	}
	incidents := map[string]*schema.Incident{}
	for i := range out.Incidents {
		incidents[out.Incidents[i].ID] = &out.Incidents[i]
	}
	pseudonyms := map[string]string{}
	for i := range out.Persons {
		ps := &out.Persons[i]
		pseudonyms[ps.ID] = ps.Pseudonym
		p.person(ps, fmt.Sprintf("/persons/%d", i), incidents)
	}
	for i := range out.Evidence {
		p.evidence(&out.Evidence[i], fmt.Sprintf("/evidence/%d", i), pseudonyms)
	}
	p.redactTexts(out)
	return out, nil
}

// person redacts one person in place.
func (p *Plan) person(ps *schema.Person, ptr string, incidents map[string]*schema.Incident) {
	if pr := ps.Protected; pr != nil {
		var kinds []string
		for _, k := range []struct {
			name string
			set  bool
		}{{"full name", pr.FullName != ""}, {"aliases", len(pr.Aliases) > 0}, {"address", pr.Address != ""},
			{"contacts", len(pr.Contacts) > 0}, {"identity documents", len(pr.IDDocuments) > 0}, {"notes", pr.Notes != ""}} {
			if k.set {
				kinds = append(kinds, k.name)
			}
		}
		RedactPerson(ps)
		if len(kinds) > 0 {
			p.note(ptr+"/protected", ps.ID, "identifying details: "+strings.Join(kinds, ", "), "removed", "protected person")
		}
	}
	if ps.Age != nil {
		p.ages[ps.ID] = strconv.Itoa(*ps.Age)
		p.bands[ps.ID] = AgeBand(*ps.Age)
	}
	if ps.HasRole(schema.RoleAlleged) && p.policy.PersonsOfInterest == Omit {
		p.personOfInterest(ps, ptr)
	}
	rules, class, ok := p.policy.rulesFor(ps)
	if !ok {
		return
	}
	ground := func(field, value string) string { return "policy: " + class + "." + field + " = " + value }
	if rules.Sex == Omit && ps.Sex != "" {
		ps.Sex = ""
		p.note(ptr+"/sex", ps.ID, "sex", "omitted", ground("sex", Omit))
	}
	minor := ps.Minor != nil && *ps.Minor || ps.Age != nil && *ps.Age < 18
	switch rules.Age {
	case Band, Omit:
		if ps.Age == nil && ps.BirthDate == "" && (rules.Age == Band || ps.Minor == nil) {
			break
		}
		switch {
		case ps.Age == nil:
		case rules.Age == Band:
			p.ages[ps.ID] = p.bands[ps.ID]
			p.note(ptr+"/age", ps.ID, "exact age", "generalised to an age band", ground("age", Band))
		default:
			delete(p.ages, ps.ID)
			delete(p.bands, ps.ID)
			p.note(ptr+"/age", ps.ID, "age", "omitted", ground("age", Omit))
		}
		if ps.BirthDate != "" {
			p.note(ptr+"/birth_date", ps.ID, "date of birth", "omitted", ground("age", rules.Age))
		}
		ps.Age, ps.BirthDate = nil, ""
		switch {
		case rules.Age == Band && minor:
			t := true
			ps.Minor = &t // "minor" is the band
		case rules.Age == Omit && ps.Minor != nil:
			ps.Minor = nil // nothing: not even whether a minor
			p.note(ptr+"/minor", ps.ID, "whether a minor", "omitted", ground("age", Omit))
		}
	}
	if rules.Occupation == Omit && len(ps.Positions) > 0 {
		// A post is an occupation, and names the person more precisely.
		ps.Positions = make([]schema.Position, len(ps.Positions))
		p.note(ptr+"/positions", ps.ID, fmt.Sprintf("posts (%d)", len(ps.Positions)), "withheld", ground("occupation", Omit))
	}
	if rules.Occupation == Omit && ps.Occupation != "" {
		ps.Occupation = ""
		p.note(ptr+"/occupation", ps.ID, "occupation", "omitted", ground("occupation", Omit))
	}
	if rules.Residence == Omit && ps.ResidenceArea != "" {
		ps.ResidenceArea = ""
		p.note(ptr+"/residence_area", ps.ID, "residence area", "omitted", ground("residence", Omit))
	}
	d := ps.Death
	if d == nil {
		return
	}
	inc := incidents[d.IncidentID]
	switch rules.DateOfDeath {
	case Period, Year:
		w, what := period(d.Date, inc), "the month or year of its incident"
		if rules.DateOfDeath == Year {
			w, what = period(d.Date, nil), "the year"
		}
		if w != d.Date {
			d.Date = w
			p.note(ptr+"/death/date", ps.ID, "date of death", "generalised to "+what, ground("date_of_death", rules.DateOfDeath))
		}
	}
	switch rules.PlaceOfDeath {
	case Area, Omit:
		if d.Place == "" {
			break
		}
		area := ""
		if inc != nil && rules.PlaceOfDeath == Area {
			l := inc.Location
			area = strings.Join(slices.DeleteFunc([]string{l.Parish, l.Municipality, l.State, l.Country}, func(s string) bool { return s == "" }), ", ")
		}
		if area != d.Place {
			d.Place = area
			action := "generalised to the incident's area"
			if area == "" {
				action = "omitted"
			}
			p.note(ptr+"/death/place", ps.ID, "place of death", action, ground("place_of_death", rules.PlaceOfDeath))
		}
	}
}

// personOfInterest withholds what identifies an alleged perpetrator, or
// what is alleged against the person, under persons_of_interest = omit:
// the public edition names the person by pseudonym only. Lists keep their
// length (as empty entries), so a narrative can put a redaction mark where
// each entry stood and keep the paragraph numbers of the full edition.
func (p *Plan) personOfInterest(ps *schema.Person, ptr string) {
	const ground = "policy: persons_of_interest = omit"
	drop := func(set bool, field, detail string, clear func()) {
		if set {
			clear()
			p.note(ptr+"/"+field, ps.ID, detail, "withheld", ground)
		}
	}
	drop(ps.Identification != "", "identification", "how the person is identified", func() { ps.Identification = "" })
	drop(ps.Basis != "", "basis", "why the person is of interest", func() { ps.Basis = "" })
	n := len(ps.Positions)
	drop(n > 0, "positions", fmt.Sprintf("posts (%d): unit, title, rank, period", n), func() { ps.Positions = make([]schema.Position, n) })
	m := len(ps.Liability)
	drop(m > 0, "liability", fmt.Sprintf("modes of liability (%d) and their facts", m), func() { ps.Liability = make([]schema.Liability, m) })
	drop(ps.Occupation != "", "occupation", "occupation", func() { ps.Occupation = "" })
	drop(ps.ResidenceArea != "", "residence_area", "residence area", func() { ps.ResidenceArea = "" })
	drop(ps.Qualification != "", "qualification", "qualifications", func() { ps.Qualification = "" })
	if ps.Age != nil || ps.BirthDate != "" {
		ps.Age, ps.BirthDate = nil, ""
		delete(p.ages, ps.ID)
		delete(p.bands, ps.ID)
		p.note(ptr+"/age", ps.ID, "age", "withheld", ground)
	}
}

// evidence redacts one evidence item in place.
func (p *Plan) evidence(e *schema.Evidence, ptr string, pseudonyms map[string]string) {
	w, withheld := p.withheld[e.ID]
	personal := len(p.from[e.ID]) > 0
	if p.policy.Relationships == Omit && personal {
		var names []string
		for _, id := range p.from[e.ID] {
			if n := pseudonyms[id]; n != "" {
				names = append(names, n)
			}
		}
		title := typeLabel(e.Type) + " of " + strings.Join(names, ", ")
		if len(names) == 0 {
			title = typeLabel(e.Type)
		}
		if title != e.Title {
			e.Title = title
			p.note(ptr+"/title", e.ID, "title", "replaced by its type and the pseudonyms of the persons it comes from", "policy: relationships = omit")
		}
		if e.Description != "" && !withheld {
			e.Description = ""
			p.note(ptr+"/description", e.ID, "description", "omitted", "policy: relationships = omit")
		}
	}
	if pv := e.Provenance; pv != nil && !withheld && p.policy.Accounts == Omit && identifying(e) &&
		(pv.Account != "" || pv.URL != "" || pv.ArchivedURL != "" || pv.CapturedBy != "") {
		pv.Account, pv.URL, pv.ArchivedURL, pv.CapturedBy = "", "", "", ""
		p.note(ptr+"/provenance", e.ID, "account, address and capturer of the item", "omitted", "policy: accounts = omit (the item shows identifiable persons)")
	}
	if !withheld {
		return
	}
	files := make([]schema.File, len(e.Files))
	for i, f := range e.Files {
		files[i] = schema.File{Path: neutralPath(e.ID, i, f.Path), Role: f.Role, SHA256: f.SHA256, MediaType: f.MediaType, Language: f.Language}
	}
	var v *schema.Verification
	if e.Verification != nil {
		// The outcome of verification is no detail of the item: both
		// editions give the same verification figures.
		v = &schema.Verification{Status: e.Verification.Status, Confidence: e.Verification.Confidence, Date: e.Verification.Date}
	}
	p.note(ptr+"/files", e.ID, fmt.Sprintf("%s files (%d)", e.Type, len(e.Files)), "withheld: hashed and listed, not copied; file names replaced by neutral ones", w.Basis())
	if e.Description != "" || e.Location != nil || e.Provenance != nil || len(e.Custody) > 0 || e.Notes != "" || e.Sensitivity != nil || len(e.ConsentIDs) > 0 {
		p.note(ptr, e.ID, "description, location, provenance, custody, notes", "withheld", w.Basis())
	}
	*e = schema.Evidence{ID: e.ID, Title: e.Title, Type: e.Type, Files: files, ContentTime: e.ContentTime,
		Verification: v, Classification: e.Classification}
}

// identifying reports whether an item shows people who can be identified,
// or minors: who filmed or posted it can lead to them.
func identifying(e *schema.Evidence) bool {
	s := e.Sensitivity
	return s != nil && (s.IdentifiablePersons || s.Minors)
}

// neutralPath is the name a withheld file is recorded under in the public
// edition: its own name could name a person. The extension stays when it
// is a plain one.
func neutralPath(id string, i int, orig string) string {
	ext := strings.ToLower(path.Ext(filepath.ToSlash(orig)))
	if len(ext) > 6 || strings.IndexFunc(ext[min(1, len(ext)):], func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) >= 0 {
		ext = ""
	}
	return fmt.Sprintf("withheld/%s/file-%d%s", id, i+1, ext)
}

// typeLabel writes an evidence type as words: forensic_report → Forensic report.
func typeLabel(t string) string {
	t = strings.ReplaceAll(t, "_", " ")
	if t == "" {
		return "Evidence"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// AgeBand is the band an age falls in: minor, 18–24, 25–34, 35–44, 45–54,
// 55–64, 65 and over.
func AgeBand(age int) string {
	switch {
	case age < 18:
		return "minor"
	case age < 25:
		return "18–24"
	case age >= 65:
		return "65 and over"
	}
	lo := (age-25)/10*10 + 25
	return fmt.Sprintf("%d–%d", lo, lo+9)
}

// period is the month, or else the year, that holds the date of death and
// the dates of its incident (nil: the year of death); the death's own year
// when they span years.
func period(death schema.When, inc *schema.Incident) schema.When {
	dates := []string{death.Date()}
	if inc == nil {
		return schema.When(dates[0][:min(4, len(dates[0]))])
	}
	dates = append(dates, inc.Start.Date())
	if inc.End != "" {
		dates = append(dates, inc.End.Date())
	}
	for _, n := range []int{7, 4} {
		same := true
		for _, d := range dates {
			if len(d) < n || d[:n] != dates[0][:min(n, len(dates[0]))] {
				same = false
			}
		}
		if same {
			return schema.When(dates[0][:n])
		}
	}
	return schema.When(dates[0][:min(4, len(dates[0]))])
}

// RedactPerson removes every protected detail of p. A person who had
// protected details keeps an empty record of them, so every edition still
// shows who is at risk (by pseudonym) without showing why or who they are.
func RedactPerson(p *schema.Person) {
	if p.Protected != nil {
		p.Protected = &schema.Protected{}
	}
}

// PackagePath is where an evidence file of a case sits in a package:
// data/evidence/<evidence ID>/<file name>. A file the public edition
// withholds is named by its plan's Case, which gives it a neutral name.
func PackagePath(evidenceID, casePath string) string {
	return "data/evidence/" + evidenceID + "/" + path.Base(filepath.ToSlash(casePath))
}
