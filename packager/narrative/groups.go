package narrative

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/casepack/casepack/schema"
)

// The views below gather the case data the way a filing presents it:
// identical findings about several victims once, with the list of victims
// they apply to, rather than the same paragraph over and over.

// ForensicGroup is a set of deaths with the same findings: the same cause
// and its certainty, the same manner, wounds, autopsy and forensic review.
type ForensicGroup struct {
	Victims []*schema.Person
	Death   *schema.Death // the first victim's record; its findings are all of theirs
	// Materials are the items the expert reviewed for the group's victims.
	Materials []string
}

// ClaimGroup is a set of deaths for which the authorities made the same
// claim and the submission records the same cause, certainty and source.
type ClaimGroup struct {
	Victims   []*schema.Person
	Claim     string
	Cause     string
	Certainty string
	Source    string // evidence ID of the report the cause rests on
}

// AnnexEntry is one line of the annex index: an annex file or an evidence
// file, with what a registry records of it.
type AnnexEntry struct {
	Number    string // "A", "A.1", "B.12"
	Title     string
	Evidence  string // the evidence ID, for evidence files
	Role      string // for evidence files: original, working, transcript…
	Path      string // inside the package
	MediaType string
	Size      int64 // bytes; 0 when not known (the narrative rendered alone)
	Duration  string
	Pages     int
	SHA256    string
	Withheld  bool // left out of this edition; its digest is kept
}

// AuthorityGroup is the authorities of one kind, for the table of authorities.
type AuthorityGroup struct {
	Kind        string
	Authorities []*schema.Authority
}

// certaintyOf is a recorded certainty, "reported" when none is.
func certaintyOf(s string) string {
	if s == "" {
		return schema.CertaintyReported
	}
	return s
}

// forensicGroups folds the deaths with identical findings, as recorded
// (recorded gives the death of a person as the case data records it).
func forensicGroups(deaths []*schema.Person, recorded func(*schema.Person) *schema.Death) []ForensicGroup {
	var out []ForensicGroup
	index := map[string]int{}
	for _, p := range deaths {
		d := p.Death
		if d.Cause == "" && len(d.Wounds) == 0 && d.Autopsy == nil && d.ForensicReview == nil && d.Manner == "" {
			continue
		}
		k := findingsKey(recorded(p))
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, ForensicGroup{Death: d})
		}
		g := &out[i]
		g.Victims = append(g.Victims, p)
		if r := d.ForensicReview; r != nil {
			for _, m := range r.Materials {
				if !contains(g.Materials, m) {
					g.Materials = append(g.Materials, m)
				}
			}
		}
	}
	for i := range out {
		sort.Strings(out[i].Materials)
	}
	return out
}

// findingsKey is what two deaths must share to be reported together: all
// the findings, but not the date, incident, place, official claim (the
// victims table and the official-version table give those), who caused
// the death and the evidence of its place and date (the per-victim matrix
// gives those) or the material reviewed (cited for the group).
func findingsKey(d *schema.Death) string {
	c := *d
	c.Date, c.IncidentID, c.Place, c.OfficialCauseClaim = "", "", "", ""
	c.PlaceEvidenceIDs, c.DateEvidenceIDs, c.Perpetrators = nil, nil, nil
	if c.ForensicReview != nil {
		r := *c.ForensicReview
		r.Materials = nil
		c.ForensicReview = &r
	}
	c.CauseCertainty = certaintyOf(c.CauseCertainty)
	c.MannerCertainty = certaintyOf(c.MannerCertainty)
	b, _ := json.Marshal(c)
	return string(b)
}

// claimGroups folds the deaths the authorities explained the same way.
func claimGroups(deaths []*schema.Person) []ClaimGroup {
	var out []ClaimGroup
	index := map[string]int{}
	for _, p := range deaths {
		d := p.Death
		if d.OfficialCauseClaim == "" {
			continue
		}
		g := ClaimGroup{Claim: d.OfficialCauseClaim, Cause: d.Cause, Certainty: certaintyOf(d.CauseCertainty)}
		if r := d.ForensicReview; r != nil && r.ReportEvidenceID != "" {
			g.Source = r.ReportEvidenceID
		} else if a := d.Autopsy; a != nil {
			g.Source = a.ReportEvidenceID
		}
		k := strings.Join([]string{g.Claim, g.Cause, g.Certainty, g.Source}, "\x00")
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, g)
		}
		out[i].Victims = append(out[i].Victims, p)
	}
	return out
}

// CauseHeading is the heading of the cause column for claim groups: it
// says "established" only when every cause is.
func causeHeading(gs []ClaimGroup) string {
	kinds := map[string]bool{}
	for _, g := range gs {
		kinds[g.Certainty] = true
	}
	if len(kinds) == 1 {
		for k := range kinds {
			return k
		}
	}
	return "mixed"
}

// annexIndex lists the annex files, then the evidence files of the listed
// items in case order, then the other languages' documents, and counts the
// files it leaves out. Annex B.n is the n-th evidence file of the case
// whether or not the items before it are listed: the n-th file of the
// annexes' Files register.
func annexIndex(c *schema.Case, digestsOf func(id string) []FileDigest, annexes, versions []Annex, withheld, listed func(id string) bool) (out []AnnexEntry, unlisted int) {
	for _, a := range annexes {
		out = append(out, AnnexEntry{Number: a.Number, Title: a.Name, Path: a.Path, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256})
	}
	n := 0
	for _, e := range c.Evidence {
		if !listed(e.ID) {
			n += len(e.Files)
			unlisted += len(e.Files)
			continue
		}
		digests := digestsOf(e.ID)
		for i, f := range e.Files {
			n++
			x := AnnexEntry{Number: fmt.Sprintf("B.%d", n), Title: e.Title, Evidence: e.ID, Role: f.Role,
				Path: "data/evidence/" + e.ID + "/" + path.Base(f.Path), MediaType: f.MediaType,
				Duration: f.Duration, Pages: f.Pages, SHA256: f.SHA256, Withheld: withheld(e.ID)}
			if i < len(digests) {
				d := digests[i]
				if d.Path != "" {
					x.Path = d.Path
				}
				if d.Hashed {
					x.SHA256 = d.SHA256()
				}
				x.Size = d.Size
				if d.MediaType != "" {
					x.MediaType = d.MediaType
				}
			}
			out = append(out, x)
		}
	}
	for _, a := range versions {
		out = append(out, AnnexEntry{Number: a.Number, Title: a.Name, Path: a.Path, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256})
	}
	return out, unlisted
}

// authorityKinds is the order of the table of authorities.
var authorityKinds = []string{"statute", "rules", "elements", "regulations", "policy", "case_law", "un_report", "report", "other"}

func authorityGroups(c *schema.Case) []AuthorityGroup {
	var out []AuthorityGroup
	for _, k := range authorityKinds {
		var g AuthorityGroup
		for i := range c.Authorities {
			if a := &c.Authorities[i]; a.Kind == k {
				g.Authorities = append(g.Authorities, a)
			}
		}
		if len(g.Authorities) > 0 {
			g.Kind = k
			sort.SliceStable(g.Authorities, func(i, j int) bool { return g.Authorities[i].Title < g.Authorities[j].Title })
			out = append(out, g)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
