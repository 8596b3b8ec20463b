package annex

import (
	"strings"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// The legal registers: the persons of interest with their modes of
// liability, the chain of command, and the per-victim matrix that ties each
// death to its place, time, unit and evidence and shows the gaps.

var interestCols = []column{
	{header: "person_id", kind: kindText},
	{header: "pseudonym", kind: kindText},
	{header: "identification", kind: kindText},
	{header: "basis", kind: kindText},
	{header: "posts", kind: kindText},
	{header: "mode_of_liability", kind: kindText},
	{header: "statute_article", kind: kindText},
	{header: "crimes_alleged", kind: kindText},
	{header: "facts", kind: kindText},
	{header: "assessment", kind: kindText},
	{header: "evidence", kind: kindRef, target: "evidence"},
	{header: "note", kind: kindText},
}

// interestRows gives one row per person of interest × mode of liability; a
// person with none still gets a row, so the gap shows. In a public edition
// that withholds them, what is withheld says so.
func (m *mapper) interestRows(yield func([]value) error) error {
	row := make([]value, len(interestCols))
	for i := range m.c.Persons {
		p := &m.c.Persons[i]
		if !p.HasRole(schema.RoleAlleged) {
			continue
		}
		modes := p.Liability
		if len(modes) == 0 {
			modes = []schema.Liability{{}}
		}
		withheld := m.public && m.plan.Policy().PersonsOfInterest == edition.Omit
		for _, l := range modes {
			clear(row)
			row[0] = text(p.ID)
			row[1] = text(p.Pseudonym)
			if withheld {
				for j := 2; j < len(row); j++ {
					if interestCols[j].kind == kindText {
						row[j] = m.withheld()
					}
				}
			} else {
				row[2] = text(p.Identification)
				row[3] = text(p.Basis)
				row[4] = text(m.posts(p.Positions))
				row[5] = text(m.opt.Lang.Text(locale.Word(l.Mode)))
				row[6] = text(schema.LiabilityArticle(l.Mode))
				row[7] = text(strings.Join(l.Articles, refSeparator))
				row[8] = text(l.Facts)
				row[9] = text(l.Assessment)
				row[10] = refs(l.EvidenceIDs...)
				row[11] = text(l.Note)
			}
			if err := yield(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// posts prints a person's posts in the workbook's language: "Commander,
// FAES (U-FAES), 8 January 2021, reported: as the media reported…".
func (m *mapper) posts(ps []schema.Position) string {
	l := m.opt.Lang
	var out []string
	for _, p := range ps {
		if p.UnitID == "" {
			continue
		}
		s := strings.Join(nonEmpty(p.Title, p.Rank, m.unitName(p.UnitID)), ", ")
		switch {
		case p.From != "" && p.To != "":
			s += ", " + l.DateRange(string(p.From), string(p.To))
		case p.From != "":
			s += ", " + l.T("legal.post.from", "date", l.Date(string(p.From)))
		case p.To != "":
			s += ", " + l.T("legal.post.until", "date", l.Date(string(p.To)))
		}
		if st := m.status(p.Status, p.Qualifier); st != "" {
			s += ", " + st
		}
		out = append(out, s)
	}
	return strings.Join(out, refSeparator)
}

// statusWord is the status of a fact (established, reported, assumed) as a
// word of the workbook's language.
func (m *mapper) statusWord(status string) string {
	if status == "" {
		return ""
	}
	return m.opt.Lang.Text(locale.Word(status))
}

// status is a status with what it rests on, as the narrative words it:
// "reported: as the media reported…", "hypothèse : …".
func (m *mapper) status(status, qualifier string) string {
	l := m.opt.Lang
	switch {
	case qualifier != "" && l.Has("legal.status."+status+"_on"):
		return l.T("legal.status."+status+"_on", "qualifier", qualifier)
	case qualifier != "":
		return strings.Join(nonEmpty(m.statusWord(status), qualifier), ", ")
	}
	return m.statusWord(status)
}

// unitName is a unit's acronym (or name) with its ID.
func (m *mapper) unitName(id string) string {
	u := m.x.Units[id]
	if u == nil {
		return id
	}
	n := u.Acronym
	if n == "" {
		n = u.Name
	}
	return n + " (" + id + ")"
}

var chainCols = []column{
	{header: "unit", kind: kindRef, target: "units"},
	{header: "link", kind: kindText},
	{header: "superior_unit", kind: kindRef, target: "units"},
	{header: "person_id", kind: kindText},
	{header: "pseudonym", kind: kindText},
	{header: "post", kind: kindText},
	{header: "rank", kind: kindText},
	{header: "from", kind: kindDate},
	{header: "to", kind: kindDate},
	{header: "status", kind: kindText},
	{header: "qualifier", kind: kindText},
	{header: "evidence", kind: kindRef, target: "evidence"},
}

// chainRows is the chain of command, unit by unit: the units above it
// (with the status of each link: established, reported or assumed, and
// what an assumption rests on), then the posts held in it by persons the
// case names, commanders first. A parent_id without superiors is a link of
// unstated status. Posts a public edition withholds are left out.
func (m *mapper) chainRows(yield func([]value) error) error {
	row := make([]value, len(chainCols))
	for i := range m.c.Units {
		u := &m.c.Units[i]
		if u.ParentID != "" && len(u.Superiors) == 0 {
			clear(row)
			row[0] = refs(u.ID)
			row[1] = text(m.opt.Lang.T("annex.link.part_of"))
			row[2] = refs(u.ParentID)
			row[9] = text(m.opt.Lang.T("legal.status.not_stated"))
			if err := yield(row); err != nil {
				return err
			}
		}
		for _, s := range u.Superiors {
			clear(row)
			row[0] = refs(u.ID)
			rel := s.Relation
			if rel == "" {
				rel = "part_of"
			}
			row[1] = text(m.opt.Lang.T("annex.link." + rel))
			row[2] = refs(s.SuperiorID)
			row[7], _ = whenCells(s.From)
			row[8], _ = whenCells(s.To)
			row[9] = text(m.statusWord(s.Status))
			row[10] = text(s.Qualifier)
			row[11] = refs(s.EvidenceIDs...)
			if err := yield(row); err != nil {
				return err
			}
		}
		for _, commands := range []bool{true, false} {
			for j := range m.c.Persons {
				p := &m.c.Persons[j]
				for _, pos := range p.Positions {
					if pos.UnitID != u.ID || pos.Commands != commands {
						continue
					}
					clear(row)
					row[0] = refs(u.ID)
					row[1] = text(m.opt.Lang.T("annex.link.member"))
					if commands {
						row[1] = text(m.opt.Lang.T("annex.link.commander"))
					}
					row[3] = text(p.ID)
					row[4] = text(p.Pseudonym)
					row[5] = text(pos.Title)
					row[6] = text(pos.Rank)
					row[7], _ = whenCells(pos.From)
					row[8], _ = whenCells(pos.To)
					row[9] = text(m.statusWord(pos.Status))
					row[10] = text(pos.Qualifier)
					row[11] = refs(pos.EvidenceIDs...)
					if err := yield(row); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

var matrixCols = []column{
	{header: "person_id", kind: kindText},
	{header: "pseudonym", kind: kindText},
	{header: "incident", kind: kindRef, target: "incidents"},
	{header: "date_of_death", kind: kindDate},
	{header: "time_of_death", kind: kindText},
	{header: "place_of_death", kind: kindText},
	{header: "evidence_of_place", kind: kindRef, target: "evidence"},
	{header: "evidence_of_time", kind: kindRef, target: "evidence"},
	{header: "units_alleged", kind: kindRef, target: "units"},
	{header: "persons_of_interest", kind: kindText},
	{header: "attribution_status", kind: kindText},
	{header: "attribution_rests_on", kind: kindText},
	{header: "evidence_of_perpetrators", kind: kindRef, target: "evidence"},
	{header: "evidence_types", kind: kindText},
	{header: "gaps", kind: kindText},
}

// matrixRows is the per-victim matrix: each victim who died, with the
// place, time and unit of the death, the evidence of each, the kinds of
// evidence that concern the victim, and what no evidence shows.
func (m *mapper) matrixRows(yield func([]value) error) error {
	row := make([]value, len(matrixCols))
	for i := range m.c.Persons {
		p := &m.c.Persons[i]
		d := p.Death
		if d == nil || !p.HasRole("victim") {
			continue
		}
		clear(row)
		row[0] = text(p.ID)
		row[1] = text(p.Pseudonym)
		row[2] = refs(nonEmpty(d.IncidentID)...)
		row[3], row[4] = whenCells(d.Date)
		row[5] = text(d.Place)
		row[6] = refs(d.PlaceEvidenceIDs...)
		row[7] = refs(d.DateEvidenceIDs...)
		if a := d.Perpetrators; a != nil {
			row[8] = refs(a.UnitIDs...)
			row[9] = text(m.pseudonyms(a.PersonIDs))
			row[10] = text(m.statusWord(a.Status))
			row[11] = text(a.Qualifier)
			row[12] = refs(a.EvidenceIDs...)
		}
		row[13] = text(m.evidenceTypes(schema.DeathEvidence(p)))
		row[14] = text(strings.Join(m.gapWords(schema.DeathGaps(d)), refSeparator))
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

// evidenceTypes lists the types of the evidence items ids, each once, in
// the order first met.
func (m *mapper) evidenceTypes(ids []string) string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if e := m.x.Evidence[id]; e != nil && !seen[e.Type] {
			seen[e.Type] = true
			out = append(out, e.Type)
		}
	}
	return strings.Join(out, refSeparator)
}

// gapWords words the gaps of a death (schema.DeathGaps) in the workbook's
// language.
func (m *mapper) gapWords(gaps []string) []string {
	out := make([]string, len(gaps))
	for i, g := range gaps {
		out[i] = m.opt.Lang.T("legal.gap." + strings.ReplaceAll(g, " ", "_"))
	}
	return out
}
