package schema

import (
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"strings"
	"time"
)

// The consistency rules: what a schema cannot say about one value because
// it depends on others (their codes and meanings are the case rows of the
// code table, packager/finding/codes.go, which README.md lists).

//
// They come in two halves of about equal work that need nothing from each
// other but the case, its index and its texts (textFields, in v.texts):
// Validate runs them side by side and reports the findings of the first
// half before those of the second.

// consistencyLinks: IDs, references, citations and raw HTML.
func (v *vctx) consistencyLinks(c *Case, x *Index) {
	v.uniqueIDs(c)
	v.references(c, x)
	v.citations(c, x)
	v.rawHTML(c)
}

// consistencyFacts: dates, minors, uncited evidence, translations and the
// scope of consents.
func (v *vctx) consistencyFacts(c *Case, x *Index) {
	v.dates(c, x)
	v.minors(c)
	v.uncited(c)
	v.translations(c)
	v.consentScope(c, x)
}

func (v *vctx) uniqueIDs(c *Case) {
	check := func(coll string, ids []string) {
		first := map[string]int{}
		for i, id := range ids {
			if id == "" {
				continue
			}
			if j, dup := first[id]; dup {
				v.add(finding.IDDuplicate, fmt.Sprintf("/%s/%d/id", coll, i),
					fmt.Sprintf("%s is already the ID of /%s/%d", id, coll, j),
					"give each item its own ID; if both describe the same thing, merge them")
				continue
			}
			first[id] = i
		}
	}
	for _, list := range idLists {
		check(list, c.IDs(list))
	}
	if j := c.Analysis.Jurisdiction; j != nil {
		first := map[string]int{}
		for i, ce := range j.Contextual {
			if k, dup := first[ce.Element]; dup && ce.Element != "" {
				v.add(finding.IDDuplicate, fmt.Sprintf("/analysis/jurisdiction/contextual/%d/element", i),
					fmt.Sprintf("the contextual element %q is already argued at /analysis/jurisdiction/contextual/%d", ce.Element, k),
					"argue each contextual element once: merge the two arguments")
				continue
			}
			first[ce.Element] = i
		}
	}
}

func (v *vctx) references(c *Case, x *Index) {
	ev := func(ptr, id string) {
		if id != "" && x.Evidence[id] == nil {
			v.add(finding.RefDangling, ptr, fmt.Sprintf("evidence %s does not exist", id),
				"add the item to \"evidence\", or correct the ID")
		}
	}
	evs := func(ptr string, ids []string) {
		for i, id := range ids {
			ev(fmt.Sprintf("%s/%d", ptr, i), id)
		}
	}
	person := func(ptr, id, role string) {
		if id == "" {
			return
		}
		p := x.Persons[id]
		if p == nil {
			v.add(finding.RefDangling, ptr, fmt.Sprintf("person %s does not exist", id),
				"add the person to \"persons\", or correct the ID")
			return
		}
		if role != "" && !p.HasRole(role) {
			v.add(finding.RefRole, ptr, fmt.Sprintf("%s (%s) is referred to as a %s but does not have the role %q", id, p.Pseudonym, role, role),
				fmt.Sprintf("add %q to the roles of %s, or correct the ID", role, id))
		}
	}
	unit := func(ptr, id string) {
		if id != "" && x.Units[id] == nil {
			v.add(finding.RefDangling, ptr, fmt.Sprintf("unit %s does not exist", id), "add the unit to \"units\", or correct the ID")
		}
	}
	consent := func(ptr, id string) {
		if id != "" && x.Consents[id] == nil {
			v.add(finding.RefDangling, ptr, fmt.Sprintf("consent %s does not exist", id), "add the consent to \"consents\", or correct the ID")
		}
	}
	incident := func(ptr, id string) {
		if id != "" && x.Incidents[id] == nil {
			v.add(finding.RefDangling, ptr, fmt.Sprintf("incident %s does not exist", id), "add the incident to \"incidents\", or correct the ID")
		}
	}
	for i, inc := range c.Incidents {
		p := fmt.Sprintf("/incidents/%d", i)
		for j, id := range inc.VictimIDs {
			person(fmt.Sprintf("%s/victim_ids/%d", p, j), id, "victim")
		}
		for j, id := range inc.UnitIDs {
			unit(fmt.Sprintf("%s/unit_ids/%d", p, j), id)
		}
		evs(p+"/evidence_ids", inc.EvidenceIDs)
		for j, ch := range inc.Characterisation {
			for k, el := range ch.Elements {
				evs(fmt.Sprintf("%s/characterisation/%d/elements/%d/evidence_ids", p, j, k), el.EvidenceIDs)
			}
		}
	}
	for i, per := range c.Persons {
		p := fmt.Sprintf("/persons/%d", i)
		for j, id := range per.ConsentIDs {
			consent(fmt.Sprintf("%s/consent_ids/%d", p, j), id)
		}
		evs(p+"/evidence_ids", per.EvidenceIDs)
		for j, pos := range per.Positions {
			unit(fmt.Sprintf("%s/positions/%d/unit_id", p, j), pos.UnitID)
			evs(fmt.Sprintf("%s/positions/%d/evidence_ids", p, j), pos.EvidenceIDs)
		}
		for j, l := range per.Liability {
			evs(fmt.Sprintf("%s/liability/%d/evidence_ids", p, j), l.EvidenceIDs)
		}
		if !per.HasRole(RoleAlleged) {
			for _, f := range []struct {
				name string
				set  bool
			}{{"liability", len(per.Liability) > 0}, {"basis", per.Basis != ""}, {"identification", per.Identification != ""}} {
				if f.set {
					v.add(finding.RefRole, p+"/"+f.name, fmt.Sprintf("%s (%s) has %s, which only an alleged perpetrator has, but not the role %q", per.ID, per.Pseudonym, strings.ReplaceAll(f.name, "_", " "), RoleAlleged),
						fmt.Sprintf("add %q to the roles of %s, or remove %q", RoleAlleged, per.ID, f.name))
					break
				}
			}
		}
		if d := per.Death; d != nil {
			incident(p+"/death/incident_id", d.IncidentID)
			evs(p+"/death/place_evidence_ids", d.PlaceEvidenceIDs)
			evs(p+"/death/date_evidence_ids", d.DateEvidenceIDs)
			if a := d.Perpetrators; a != nil {
				for j, id := range a.UnitIDs {
					unit(fmt.Sprintf("%s/death/perpetrators/unit_ids/%d", p, j), id)
				}
				for j, id := range a.PersonIDs {
					person(fmt.Sprintf("%s/death/perpetrators/person_ids/%d", p, j), id, RoleAlleged)
				}
				evs(p+"/death/perpetrators/evidence_ids", a.EvidenceIDs)
			}
			if d.Autopsy != nil {
				ev(p+"/death/autopsy/report_evidence_id", d.Autopsy.ReportEvidenceID)
			}
			if r := d.ForensicReview; r != nil {
				person(p+"/death/forensic_review/expert_id", r.ExpertID, "expert")
				evs(p+"/death/forensic_review/materials", r.Materials)
				ev(p+"/death/forensic_review/report_evidence_id", r.ReportEvidenceID)
			}
		}
	}
	for i, u := range c.Units {
		p := fmt.Sprintf("/units/%d", i)
		unit(p+"/parent_id", u.ParentID)
		if u.ParentID != "" && u.ParentID == u.ID {
			v.add(finding.RefDangling, p+"/parent_id", fmt.Sprintf("unit %s cannot be its own parent", u.ID), "remove parent_id or name the unit above it")
		}
		for j, sup := range u.Superiors {
			q := fmt.Sprintf("%s/superiors/%d", p, j)
			unit(q+"/superior_id", sup.SuperiorID)
			if sup.SuperiorID != "" && sup.SuperiorID == u.ID {
				v.add(finding.RefDangling, q+"/superior_id", fmt.Sprintf("unit %s cannot be its own superior", u.ID), "name the unit above it")
			}
			evs(q+"/evidence_ids", sup.EvidenceIDs)
		}
		evs(p+"/evidence_ids", u.EvidenceIDs)
	}
	if j := c.Analysis.Jurisdiction; j != nil {
		for i, ce := range j.Contextual {
			evs(fmt.Sprintf("/analysis/jurisdiction/contextual/%d/evidence_ids", i), ce.EvidenceIDs)
		}
	}
	for i, pc := range c.PotentialCases {
		p := fmt.Sprintf("/potential_cases/%d", i)
		for j, id := range pc.PersonIDs {
			person(fmt.Sprintf("%s/person_ids/%d", p, j), id, RoleAlleged)
		}
		for j, id := range pc.UnitIDs {
			unit(fmt.Sprintf("%s/unit_ids/%d", p, j), id)
		}
		for j, id := range pc.IncidentIDs {
			incident(fmt.Sprintf("%s/incident_ids/%d", p, j), id)
		}
		for j, s := range pc.Searches {
			evs(fmt.Sprintf("%s/searches/%d/evidence_ids", p, j), s.EvidenceIDs)
		}
		for j, pr := range pc.Proceedings {
			evs(fmt.Sprintf("%s/proceedings/%d/evidence_ids", p, j), pr.EvidenceIDs)
		}
		for j, ind := range pc.Indicators {
			evs(fmt.Sprintf("%s/indicators/%d/evidence_ids", p, j), ind.EvidenceIDs)
		}
	}
	for i, e := range c.Evidence {
		for j, id := range e.ConsentIDs {
			consent(fmt.Sprintf("/evidence/%d/consent_ids/%d", i, j), id)
		}
	}
	for i, cs := range c.Consents {
		person(fmt.Sprintf("/consents/%d/person_id", i), cs.PersonID, "")
	}
}

// textFields lists the Markdown fields that cite evidence, with their
// pointers. Only texts holding "[EV-" matter to the rules, and a pointer is
// built only for those: a large case has hundreds of thousands of texts.
func textFields(c *Case) []textField {
	var out []textField
	add := func(s, format string, a ...any) {
		if strings.Contains(s, "[") {
			out = append(out, textField{fmt.Sprintf(format, a...), s})
		}
	}
	s := &c.Submission
	add(s.Protection, "/submission/protection")
	add(s.Sender.Mandate, "/submission/sender/mandate")
	for i, r := range s.Requests {
		add(r.Text, "/submission/requests/%d/text", i)
	}
	a := &c.Analysis
	add(a.Summary, "/analysis/summary")
	add(a.Methodology, "/analysis/methodology")
	add(a.Context, "/analysis/context")
	if j := a.Jurisdiction; j != nil {
		add(j.Temporal, "/analysis/jurisdiction/temporal")
		add(j.Territorial, "/analysis/jurisdiction/territorial")
		add(j.SubjectMatter, "/analysis/jurisdiction/subject_matter")
		add(j.ContextualElements, "/analysis/jurisdiction/contextual_elements")
		for i, ce := range j.Contextual {
			add(ce.Argument, "/analysis/jurisdiction/contextual/%d/argument", i)
			add(ce.Note, "/analysis/jurisdiction/contextual/%d/note", i)
		}
	}
	if ad := a.Admissibility; ad != nil {
		add(ad.Complementarity, "/analysis/admissibility/complementarity")
		if g := ad.Gravity; g != nil {
			add(g.Scale, "/analysis/admissibility/gravity/scale")
			add(g.Nature, "/analysis/admissibility/gravity/nature")
			add(g.Manner, "/analysis/admissibility/gravity/manner")
			add(g.Impact, "/analysis/admissibility/gravity/impact")
		}
	}
	add(a.InterestsOfJustice, "/analysis/interests_of_justice")
	add(a.Conclusions, "/analysis/conclusions")
	for i, inc := range c.Incidents {
		add(inc.Description, "/incidents/%d/description", i)
		add(inc.OfficialVersion, "/incidents/%d/official_version", i)
		for j, ch := range inc.Characterisation {
			for k, el := range ch.Elements {
				add(el.Element, "/incidents/%d/characterisation/%d/elements/%d/element", i, j, k)
				add(el.Argument, "/incidents/%d/characterisation/%d/elements/%d/argument", i, j, k)
				add(el.Note, "/incidents/%d/characterisation/%d/elements/%d/note", i, j, k)
			}
		}
	}
	for i, per := range c.Persons {
		add(per.Qualification, "/persons/%d/qualification", i)
		add(per.Basis, "/persons/%d/basis", i)
		for j, pos := range per.Positions {
			add(pos.Note, "/persons/%d/positions/%d/note", i, j)
		}
		for j, l := range per.Liability {
			add(l.Facts, "/persons/%d/liability/%d/facts", i, j)
			add(l.Note, "/persons/%d/liability/%d/note", i, j)
		}
		if d := per.Death; d != nil {
			for j, w := range d.Wounds {
				add(w.Note, "/persons/%d/death/wounds/%d/note", i, j)
			}
			if r := d.ForensicReview; r != nil {
				add(r.Findings, "/persons/%d/death/forensic_review/findings", i)
				add(r.Limitations, "/persons/%d/death/forensic_review/limitations", i)
			}
		}
	}
	for i, u := range c.Units {
		add(u.Description, "/units/%d/description", i)
	}
	for i, pc := range c.PotentialCases {
		add(pc.Conduct, "/potential_cases/%d/conduct", i)
		add(pc.Assessment, "/potential_cases/%d/assessment", i)
		for j, s := range pc.Searches {
			add(s.Method, "/potential_cases/%d/searches/%d/method", i, j)
			add(s.Sources, "/potential_cases/%d/searches/%d/sources", i, j)
			add(s.Result, "/potential_cases/%d/searches/%d/result", i, j)
		}
		for j, pr := range pc.Proceedings {
			add(pr.Persons, "/potential_cases/%d/proceedings/%d/persons", i, j)
			add(pr.Conduct, "/potential_cases/%d/proceedings/%d/conduct", i, j)
			add(pr.Assessment, "/potential_cases/%d/proceedings/%d/assessment", i, j)
		}
		for j, ind := range pc.Indicators {
			add(ind.Argument, "/potential_cases/%d/indicators/%d/argument", i, j)
			add(ind.Note, "/potential_cases/%d/indicators/%d/note", i, j)
		}
	}
	for i, e := range c.Evidence {
		add(e.Description, "/evidence/%d/description", i)
		add(e.Notes, "/evidence/%d/notes", i)
		if vr := e.Verification; vr != nil {
			add(vr.SourceAnalysis, "/evidence/%d/verification/source_analysis", i)
			add(vr.TechnicalAnalysis, "/evidence/%d/verification/technical_analysis", i)
			add(vr.ContentAnalysis, "/evidence/%d/verification/content_analysis", i)
			if g := vr.Geolocation; g != nil {
				add(g.Method, "/evidence/%d/verification/geolocation/method", i)
			}
			if g := vr.Chronolocation; g != nil {
				add(g.Method, "/evidence/%d/verification/chronolocation/method", i)
			}
		}
		for j, cu := range e.Custody {
			add(cu.Note, "/evidence/%d/custody/%d/note", i, j)
		}
	}
	for i, t := range c.Translations {
		add(t.Text, "/translations/%d/text", i)
	}
	return out
}

type textField struct{ ptr, text string }

// citations checks every citation of the texts: that what it cites exists,
// that its pinpoint can be read, and that the pinpoint fits the item (a time
// in a recording no longer than the time, a page of a document that long).
func (v *vctx) citations(c *Case, x *Index) {
	auth := x.Authorities
	isAuth := func(id string) bool { return auth[id] != nil }
	for _, tf := range v.texts {
		for _, g := range ParseCitations(tf.text, isAuth) {
			whole := g.Text(tf.text)
			for _, it := range g.Items {
				if IsEvidenceID(it.ID) && x.Evidence[it.ID] == nil {
					v.addAt(finding.CiteDangling, tf.ptr, false, whole,
						fmt.Sprintf("the text cites %s, but there is no evidence item %s", whole, it.ID),
						"add the item to \"evidence\", or correct the citation")
					continue
				}
				if it.Locator != nil {
					if msg, hint := pinpointFits(x.Evidence[it.ID], it.Locator); msg != "" {
						v.addAt(finding.CitePinpoint, tf.ptr, false, whole, fmt.Sprintf("%s: %s", whole, msg), hint)
					}
				}
			}
			if e := g.Err; e != nil {
				code := finding.CiteLocator
				if e.Dangling {
					code = finding.CiteDangling
				}
				v.addAt(code, tf.ptr, false, whole, e.Msg, e.Hint)
			}
		}
	}
	for i, a := range c.Authorities {
		if strings.HasPrefix(a.ID, "EV-") {
			v.add(finding.SchemaPattern, fmt.Sprintf("/authorities/%d/id", i),
				fmt.Sprintf("%s starts like an evidence ID; an authority's ID may not start with EV-", a.ID),
				"choose another ID, e.g. RS for the Rome Statute")
		}
	}
}

// pinpointFits reports why a locator does not fit the evidence item e (nil
// for an authority): a time code on an item that is not a recording, or one
// past its length; a page past its page count.
func pinpointFits(e *Evidence, loc *Locator) (msg, hint string) {
	if e == nil {
		return "", ""
	}
	switch loc.Kind {
	case LocTime:
		longest := -1
		for _, f := range e.Files {
			if d := DurationSeconds(f.Duration); d > longest {
				longest = d
			}
		}
		if e.Type != "video" && e.Type != "audio" && longest < 0 && !hasMedia(e, "video/", "audio/") {
			return fmt.Sprintf("a time pinpoint, but %s is a %s, not a recording", e.ID, strings.ReplaceAll(e.Type, "_", " ")),
				"cite a page or paragraph instead (p. 3, para. 4)"
		}
		if longest >= 0 && loc.Seconds > longest {
			return fmt.Sprintf("the time %s is past the end of %s, which lasts %s", loc.Value, e.ID, formatSeconds(longest)),
				"check the time code, or the file's duration"
		}
	case LocPage:
		most := 0
		for _, f := range e.Files {
			most = max(most, f.Pages)
		}
		if most > 0 && loc.Last > most {
			return fmt.Sprintf("page %d is past the end of %s, which has %d pages", loc.Last, e.ID, most),
				"check the page, or the file's page count"
		}
	case LocArticle, LocRule:
		return fmt.Sprintf("an article or rule pinpoint, but %s is evidence", e.ID),
			"cite the authority for an article or rule, e.g. [RS art. 7(1)(a)]"
	}
	return "", ""
}

func hasMedia(e *Evidence, prefixes ...string) bool {
	for _, f := range e.Files {
		for _, p := range prefixes {
			if strings.HasPrefix(f.MediaType, p) {
				return true
			}
		}
	}
	return false
}

func formatSeconds(n int) string {
	return fmt.Sprintf("%d:%02d:%02d", n/3600, n/60%60, n%60)
}

// when checks that a When holds a real date and returns its range.
func (v *vctx) when(ptr string, w When) (lo, hi time.Time, p Precision, ok bool) {
	if w == "" {
		return lo, hi, p, false
	}
	lo, hi, p, err := w.Range()
	if err != nil {
		if whenRE.MatchString(string(w)) { // the schema reports malformed ones
			v.add(finding.DateInvalid, ptr, err.Error(), "check the day and the month")
		}
		return lo, hi, p, false
	}
	return lo, hi, p, true
}

// span is a When checked and read: its calendar or instant range.
type span struct {
	lo, hi time.Time
	p      Precision
}

// disjointAfter reports whether a lies entirely after b. Dates compare as
// calendar dates and moments as instants; when a date meets a moment, the
// date is widened to every time zone (Widen), so a local date is never
// wrongly out of order with a UTC moment.
func disjointAfter(a, b span) bool {
	alo, bhi := a.lo, b.hi
	if (a.p == PrecisionMoment) != (b.p == PrecisionMoment) {
		alo, _ = Widen(a.lo, a.hi, a.p)
		_, bhi = Widen(b.lo, b.hi, b.p)
	}
	return alo.After(bhi)
}

func (v *vctx) dates(c *Case, x *Index) {
	incSpan := map[string][2]span{}
	for i, inc := range c.Incidents {
		p := fmt.Sprintf("/incidents/%d", i)
		slo, shi, sp, sok := v.when(p+"/start", inc.Start)
		elo, ehi, ep, eok := v.when(p+"/end", inc.End)
		start, end := span{slo, shi, sp}, span{elo, ehi, ep}
		if sok && eok && disjointAfter(start, end) {
			v.add(finding.DateOrder, p+"/end", fmt.Sprintf("the incident ends (%s) before it starts (%s)", inc.End, inc.Start),
				"swap start and end, or correct one of them")
		}
		if sok {
			if !eok {
				end = start
			}
			if _, dup := incSpan[inc.ID]; !dup {
				incSpan[inc.ID] = [2]span{start, end}
			}
		}
	}
	for i, per := range c.Persons {
		p := fmt.Sprintf("/persons/%d", i)
		v.when(p+"/birth_date", per.BirthDate)
		d := per.Death
		if d == nil {
			continue
		}
		dlo, dhi, dp, ok := v.when(p+"/death/date", d.Date)
		if r := d.ForensicReview; r != nil {
			v.when(p+"/death/forensic_review/date", r.Date)
		}
		death := span{dlo, dhi, dp}
		sp, known := incSpan[d.IncidentID]
		if ok && known && (disjointAfter(sp[0], death) || disjointAfter(death, sp[1])) {
			inc := x.Incidents[d.IncidentID]
			end := inc.End
			if end == "" {
				end = inc.Start
			}
			v.add(finding.DeathOutside, p+"/death/date",
				fmt.Sprintf("%s died on %s, outside the dates of %s (%s to %s)", per.Pseudonym, d.Date, d.IncidentID, inc.Start, end),
				"check the date of death and the incident's dates; a later death from injuries is possible, so this is a warning")
		}
	}
	period := func(p string, from, to When) {
		flo, fhi, fp, fok := v.when(p+"/from", from)
		tlo, thi, tp, tok := v.when(p+"/to", to)
		if fok && tok && disjointAfter(span{flo, fhi, fp}, span{tlo, thi, tp}) {
			v.add(finding.DateOrder, p+"/to", fmt.Sprintf("the period ends (%s) before it starts (%s)", to, from),
				"swap from and to, or correct one of them")
		}
	}
	for i, per := range c.Persons {
		for j, pos := range per.Positions {
			period(fmt.Sprintf("/persons/%d/positions/%d", i, j), pos.From, pos.To)
		}
	}
	for i, u := range c.Units {
		for j, sup := range u.Superiors {
			period(fmt.Sprintf("/units/%d/superiors/%d", i, j), sup.From, sup.To)
		}
	}
	for i, pc := range c.PotentialCases {
		for j, s := range pc.Searches {
			v.when(fmt.Sprintf("/potential_cases/%d/searches/%d/date", i, j), s.Date)
		}
		for j, pr := range pc.Proceedings {
			v.when(fmt.Sprintf("/potential_cases/%d/proceedings/%d/opened", i, j), pr.Opened)
		}
	}
	for i, e := range c.Evidence {
		p := fmt.Sprintf("/evidence/%d", i)
		v.when(p+"/content_time", e.ContentTime)
		var prev time.Time
		prevIdx := -1
		for j, cu := range e.Custody {
			t, err := time.Parse(time.RFC3339Nano, cu.At)
			if err != nil {
				continue // the schema's date-time format reports it
			}
			if prevIdx >= 0 && t.Before(prev) {
				v.add(finding.CustodyOrder, fmt.Sprintf("%s/custody/%d/at", p, j),
					fmt.Sprintf("custody event %d (%s) is earlier than event %d (%s) before it", j+1, cu.At, prevIdx+1, e.Custody[prevIdx].At),
					"list custody events oldest first, and check the times and their UTC offsets")
			}
			prev, prevIdx = t, j
		}
	}
}

func (v *vctx) minors(c *Case) {
	for i, per := range c.Persons {
		p := fmt.Sprintf("/persons/%d", i)
		// A mistyped age ("17 years") is the schema's to report; the
		// typed model would hold a meaningless 0 for it.
		if per.Age == nil || v.flagged[p+"/age"] {
			continue
		}
		age := *per.Age
		minor := per.Minor != nil && *per.Minor
		switch {
		case age < 18 && !minor:
			ptr := p + "/age"
			if per.Minor != nil {
				ptr = p + "/minor"
			}
			v.add(finding.MinorAge, ptr, fmt.Sprintf("%s is %d but is not marked as a minor", per.Pseudonym, age),
				"set \"minor\": true (a person under 18 is a child: it changes the gravity assessment and protection)")
		case age >= 18 && minor:
			v.add(finding.MinorAge, p+"/minor", fmt.Sprintf("%s is marked as a minor but is %d", per.Pseudonym, age),
				"set \"minor\": false, or correct the age")
		}
	}
}

func (v *vctx) uncited(c *Case) {
	cited := map[string]bool{}
	mark := func(ids ...string) {
		for _, id := range ids {
			cited[id] = true
		}
	}
	for _, tf := range v.texts {
		for _, ct := range Citations(tf.text) {
			mark(ct.ID)
		}
	}
	for _, inc := range c.Incidents {
		mark(inc.EvidenceIDs...)
		for _, ch := range inc.Characterisation {
			for _, el := range ch.Elements {
				mark(el.EvidenceIDs...)
			}
		}
	}
	for _, per := range c.Persons {
		mark(per.EvidenceIDs...)
		for _, pos := range per.Positions {
			mark(pos.EvidenceIDs...)
		}
		for _, l := range per.Liability {
			mark(l.EvidenceIDs...)
		}
		if d := per.Death; d != nil {
			mark(d.PlaceEvidenceIDs...)
			mark(d.DateEvidenceIDs...)
			if a := d.Perpetrators; a != nil {
				mark(a.EvidenceIDs...)
			}
			if d.Autopsy != nil {
				mark(d.Autopsy.ReportEvidenceID)
			}
			if r := d.ForensicReview; r != nil {
				mark(r.Materials...)
				mark(r.ReportEvidenceID)
			}
		}
	}
	for _, u := range c.Units {
		mark(u.EvidenceIDs...)
		for _, sup := range u.Superiors {
			mark(sup.EvidenceIDs...)
		}
	}
	if j := c.Analysis.Jurisdiction; j != nil {
		for _, ce := range j.Contextual {
			mark(ce.EvidenceIDs...)
		}
	}
	for _, pc := range c.PotentialCases {
		for _, s := range pc.Searches {
			mark(s.EvidenceIDs...)
		}
		for _, pr := range pc.Proceedings {
			mark(pr.EvidenceIDs...)
		}
		for _, ind := range pc.Indicators {
			mark(ind.EvidenceIDs...)
		}
	}
	for i, e := range c.Evidence {
		if e.ID != "" && !cited[e.ID] {
			v.add(finding.EvidenceUncited, fmt.Sprintf("/evidence/%d/id", i),
				fmt.Sprintf("evidence %s (%s) is not cited anywhere", e.ID, e.Title),
				fmt.Sprintf("cite it as [%s] where it supports a fact, or list it in an incident's evidence_ids", e.ID))
		}
	}
}

func (v *vctx) consentScope(c *Case, x *Index) {
	for i, e := range c.Evidence {
		for j, id := range e.ConsentIDs {
			cs := x.Consents[id]
			if cs == nil {
				continue
			}
			ptr := fmt.Sprintf("/evidence/%d/consent_ids/%d", i, j)
			if cs.WithdrawnAt != "" {
				v.add(finding.ConsentScope, ptr, fmt.Sprintf("consent %s covering %s was withdrawn on %s", id, e.ID, cs.WithdrawnAt),
					"remove the item from the submission, or record a new consent")
			} else if !contains(cs.Scope, "share_icc") {
				v.add(finding.ConsentScope, ptr, fmt.Sprintf("consent %s covering %s does not allow sharing with the ICC (scope: %s)", id, e.ID, strings.Join(cs.Scope, ", ")),
					"ask the person for consent to share with the ICC, or leave the item out")
			}
		}
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
