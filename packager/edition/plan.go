package edition

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/casepack/casepack/packager/locale"
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
	// lang writes what the public view generates in the case's texts: an
	// evidence title made of its type and pseudonyms, a redaction mark.
	lang *locale.Lang
}

// Entry is one line of the redaction log: where a detail was left out or
// generalised, what kind of detail, how and on what ground, never the
// detail itself. Its words are catalogue messages (packager/locale), so
// each document writes the log in its own language (Entry.In); the
// pointer and the IDs are the same in every language.
type Entry struct {
	// Where is the place in the package, filled in by the file that shows
	// it: "section 6.2.1, paragraph 14", "Victims sheet, row 6"; zero when
	// the file that lists the entry places it.
	Where locale.Msg
	// Pointer is the JSON pointer of the detail in case.json ("/persons/4/age").
	Pointer string
	Item    string     // the ID concerned: V-05, EV-0026
	Detail  locale.Msg // what kind of detail: "exact age", "2 testimony files"
	Action  locale.Msg // what the edition did: "withheld", "generalised to an age band"
	Ground  locale.Msg // why: "protected person", "classification: confidential"
}

// Line is an entry of the redaction log written in one language: a row of
// the Redactions sheet, an item of check-edition's report. The codes are
// the same in every language: the kind of detail, the action and the
// ground as the catalogue names them ("exact_age", "band", "policy"), and
// for a ground in submission.public_edition the rule ("victims.age = omit").
type Line struct {
	Where      string `json:"where,omitempty"`
	Pointer    string `json:"pointer,omitempty"`
	Item       string `json:"item"`
	Detail     string `json:"detail"`
	Action     string `json:"action"`
	Ground     string `json:"ground"`
	DetailCode string `json:"detail_code"`
	ActionCode string `json:"action_code"`
	GroundCode string `json:"ground_code"`
	Rule       string `json:"rule,omitempty"`
}

// In writes the entry in language l.
func (e Entry) In(l *locale.Lang) Line {
	code := func(m locale.Msg, prefix string) string { return strings.TrimPrefix(m.Key, prefix) }
	ln := Line{Where: l.Text(e.Where), Pointer: e.Pointer, Item: e.Item,
		Detail: l.Text(e.Detail), Action: l.Text(e.Action), Ground: l.Text(e.Ground),
		DetailCode: code(e.Detail, "redaction.detail."), ActionCode: code(e.Action, "redaction.action."),
		GroundCode: code(e.Ground, "redaction.ground.")}
	for i := 0; i+1 < len(e.Ground.Args); i += 2 {
		if e.Ground.Args[i] == "rule" {
			ln.Rule, _ = e.Ground.Args[i+1].(string)
		}
	}
	return ln
}

// Detail, action and ground messages of the log (packager/locale's
// catalogue, keys redaction.*).
func detail(kind string, args ...any) locale.Msg { return locale.M("redaction.detail."+kind, args...) }
func action(kind string) locale.Msg              { return locale.M("redaction.action." + kind) }

// rule is the ground of a redaction the case's submission.public_edition
// asks for: the rule as the case data writes it.
func rule(r string) locale.Msg { return locale.M("redaction.ground.policy", "rule", r) }

var groundProtected = locale.M("redaction.ground.protected")

// New decides what edition e of c contains. c is not changed; the plan's
// Case is a copy for the public edition and c itself for the confidential.
// What the public view writes into the case's texts (a redaction mark, an
// evidence title made of its type and pseudonyms) is in the case's
// language (its first of submission.languages casepack writes).
func New(c *schema.Case, e Edition) (*Plan, error) {
	if c == nil {
		return nil, errors.New("no case data")
	}
	return NewIn(c, e, locale.Must(locale.DefaultFor(c.Submission.Languages)))
}

// NewIn is New for a case whose texts are in language l: the case as a
// document in l shows it (packager/translation), its texts translated.
func NewIn(c *schema.Case, e Edition, l *locale.Lang) (*Plan, error) {
	if c == nil {
		return nil, errors.New("no case data")
	}
	if e == "" {
		e = Confidential
	}
	if e != Confidential && e != Public {
		return nil, fmt.Errorf("%w, not %q", ErrUnknown, string(e))
	}
	p := &Plan{edition: e, policy: PolicyOf(c), orig: c, view: c, withheld: map[string]Withholding{}, ages: map[string]string{}, bands: map[string]string{}, lang: l}
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

func (p *Plan) note(ptr, item string, detail, action, ground locale.Msg) {
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
	p.staleTranslations(c, out)
	p.redactTexts(out)
	return out, nil
}

// staleTranslations drops from the public view every translation of a
// text the edition left out or replaced (the description of a withheld
// item, the basis of a person of interest under persons_of_interest =
// omit …): the translation would publish what the edition withholds. A
// text the edition redacts block by block (redactTexts) keeps its
// translations, which are redacted the same way.
func (p *Plan) staleTranslations(orig, out *schema.Case) {
	kept := make([]schema.Translation, 0, len(out.Translations))
	for i, t := range out.Translations {
		was, now := schema.TextAt(orig, t.Pointer), schema.TextAt(out, t.Pointer)
		if was == nil || now != nil && *now == *was {
			kept = append(kept, t)
			continue
		}
		item, ground := "", groundProtected
		best := -1
		for _, e := range p.log { // the redaction of the text itself, or of what holds it
			if (e.Pointer == t.Pointer || strings.HasPrefix(t.Pointer, e.Pointer+"/")) && len(e.Pointer) > best {
				item, ground, best = e.Item, e.Ground, len(e.Pointer)
			}
		}
		p.note(fmt.Sprintf("/translations/%d", i), item, detail("translation", "language", t.Language), action("withheld"), ground)
	}
	if len(kept) < len(out.Translations) {
		out.Translations = kept
	}
}

// person redacts one person in place.
func (p *Plan) person(ps *schema.Person, ptr string, incidents map[string]*schema.Incident) {
	if pr := ps.Protected; pr != nil {
		var kinds []locale.Msg
		for _, k := range []struct {
			name string
			set  bool
		}{{"full_name", pr.FullName != ""}, {"aliases", len(pr.Aliases) > 0}, {"address", pr.Address != ""},
			{"contacts", len(pr.Contacts) > 0}, {"id_documents", len(pr.IDDocuments) > 0}, {"notes", pr.Notes != ""}} {
			if k.set {
				kinds = append(kinds, locale.M("redaction.protected."+k.name))
			}
		}
		RedactPerson(ps)
		if len(kinds) > 0 {
			p.note(ptr+"/protected", ps.ID, detail("identifying", "kinds", kinds), action("removed"), groundProtected)
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
	ground := func(field, value string) locale.Msg { return rule(class + "." + field + " = " + value) }
	if rules.Sex == Omit && ps.Sex != "" {
		ps.Sex = ""
		p.note(ptr+"/sex", ps.ID, detail("sex"), action("omitted"), ground("sex", Omit))
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
			p.note(ptr+"/age", ps.ID, detail("exact_age"), action("band"), ground("age", Band))
		default:
			delete(p.ages, ps.ID)
			delete(p.bands, ps.ID)
			p.note(ptr+"/age", ps.ID, detail("age"), action("omitted"), ground("age", Omit))
		}
		if ps.BirthDate != "" {
			p.note(ptr+"/birth_date", ps.ID, detail("birth_date"), action("omitted"), ground("age", rules.Age))
		}
		ps.Age, ps.BirthDate = nil, ""
		switch {
		case rules.Age == Band && minor:
			t := true
			ps.Minor = &t // "minor" is the band
		case rules.Age == Omit && ps.Minor != nil:
			ps.Minor = nil // nothing: not even whether a minor
			p.note(ptr+"/minor", ps.ID, detail("minor"), action("omitted"), ground("age", Omit))
		}
	}
	if rules.Occupation == Omit && len(ps.Positions) > 0 {
		// A post is an occupation, and names the person more precisely.
		ps.Positions = make([]schema.Position, len(ps.Positions))
		p.note(ptr+"/positions", ps.ID, detail("posts", "n", len(ps.Positions)), action("withheld"), ground("occupation", Omit))
	}
	if rules.Occupation == Omit && ps.Occupation != "" {
		ps.Occupation = ""
		p.note(ptr+"/occupation", ps.ID, detail("occupation"), action("omitted"), ground("occupation", Omit))
	}
	if rules.Residence == Omit && ps.ResidenceArea != "" {
		ps.ResidenceArea = ""
		p.note(ptr+"/residence_area", ps.ID, detail("residence"), action("omitted"), ground("residence", Omit))
	}
	d := ps.Death
	if d == nil {
		return
	}
	inc := incidents[d.IncidentID]
	switch rules.DateOfDeath {
	case Period, Year:
		w, what := period(d.Date, inc), action("period")
		if rules.DateOfDeath == Year {
			w, what = period(d.Date, nil), action("year")
		}
		if w != d.Date {
			d.Date = w
			p.note(ptr+"/death/date", ps.ID, detail("death_date"), what, ground("date_of_death", rules.DateOfDeath))
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
			act := action("area")
			if area == "" {
				act = action("omitted")
			}
			p.note(ptr+"/death/place", ps.ID, detail("death_place"), act, ground("place_of_death", rules.PlaceOfDeath))
		}
	}
}

// personOfInterest withholds what identifies an alleged perpetrator, or
// what is alleged against the person, under persons_of_interest = omit:
// the public edition names the person by pseudonym only. Lists keep their
// length (as empty entries), so a narrative can put a redaction mark where
// each entry stood and keep the paragraph numbers of the full edition.
func (p *Plan) personOfInterest(ps *schema.Person, ptr string) {
	ground := rule("persons_of_interest = omit")
	drop := func(set bool, field string, what locale.Msg, clear func()) {
		if set {
			clear()
			p.note(ptr+"/"+field, ps.ID, what, action("withheld"), ground)
		}
	}
	drop(ps.Identification != "", "identification", detail("identification"), func() { ps.Identification = "" })
	drop(ps.Basis != "", "basis", detail("basis"), func() { ps.Basis = "" })
	n := len(ps.Positions)
	drop(n > 0, "positions", detail("interest_posts", "n", n), func() { ps.Positions = make([]schema.Position, n) })
	m := len(ps.Liability)
	drop(m > 0, "liability", detail("liability", "n", m), func() { ps.Liability = make([]schema.Liability, m) })
	drop(ps.Occupation != "", "occupation", detail("occupation"), func() { ps.Occupation = "" })
	drop(ps.ResidenceArea != "", "residence_area", detail("residence"), func() { ps.ResidenceArea = "" })
	drop(ps.Qualification != "", "qualification", detail("qualification"), func() { ps.Qualification = "" })
	if ps.Age != nil || ps.BirthDate != "" {
		ps.Age, ps.BirthDate = nil, ""
		delete(p.ages, ps.ID)
		delete(p.bands, ps.ID)
		p.note(ptr+"/age", ps.ID, detail("age"), action("withheld"), ground)
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
		title := p.lang.T("redaction.title", "type", typeLabel(p.lang, e.Type), "persons", p.lang.And(names))
		if len(names) == 0 {
			title = typeLabel(p.lang, e.Type)
		}
		if title != e.Title {
			e.Title = title
			p.note(ptr+"/title", e.ID, detail("title"), action("title"), rule("relationships = omit"))
		}
		if e.Description != "" && !withheld {
			e.Description = ""
			p.note(ptr+"/description", e.ID, detail("description"), action("omitted"), rule("relationships = omit"))
		}
	}
	if pv := e.Provenance; pv != nil && !withheld && p.policy.Accounts == Omit && identifying(e) &&
		(pv.Account != "" || pv.URL != "" || pv.ArchivedURL != "" || pv.CapturedBy != "") {
		pv.Account, pv.URL, pv.ArchivedURL, pv.CapturedBy = "", "", "", ""
		p.note(ptr+"/provenance", e.ID, detail("provenance"), action("omitted"), locale.M("redaction.ground.accounts", "rule", "accounts = omit"))
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
	p.note(ptr+"/files", e.ID, detail("files", "n", len(e.Files), "type", typeWord(e.Type)), action("files"), w.Basis())
	if e.Description != "" || e.Location != nil || e.Provenance != nil || len(e.Custody) > 0 || e.Notes != "" || e.Sensitivity != nil || len(e.ConsentIDs) > 0 {
		p.note(ptr, e.ID, detail("evidence_record"), action("withheld"), w.Basis())
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

// typeLabel writes an evidence type as words: forensic_report → Forensic
// report, Rapport médico-légal.
func typeLabel(l *locale.Lang, t string) string {
	if t == "" {
		return l.T("redaction.evidence")
	}
	return l.Label(t)
}

// typeWord is an evidence type as a word inside a sentence: "testimony",
// "témoignage".
func typeWord(t string) locale.Msg {
	if t == "" {
		return locale.Msg{Key: "redaction.evidence_word"}
	}
	return locale.Word(t)
}

// AgeBand is the band an age falls in: minor, 18–24, 25–34, 35–44, 45–54,
// 55–64, 65+ (a band is written the same in every language but "minor").
func AgeBand(age int) string {
	switch {
	case age < 18:
		return "minor"
	case age < 25:
		return "18–24"
	case age >= 65:
		return "65+"
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
	return packageDir + evidenceID + "/" + path.Base(filepath.ToSlash(casePath))
}

const packageDir = "data/evidence/"

// IsPackagePath says whether p is PackagePath(evidenceID, casePath),
// without making that string (the annexes ask it of every file, for every
// row that lists it).
func IsPackagePath(p, evidenceID, casePath string) bool {
	name := path.Base(filepath.ToSlash(casePath))
	n := len(packageDir) + len(evidenceID)
	return len(p) == n+1+len(name) && p[:len(packageDir)] == packageDir &&
		p[len(packageDir):n] == evidenceID && p[n] == '/' && p[n+1:] == name
}
