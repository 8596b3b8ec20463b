// Package casegen generates large, valid, synthetic cases for benchmarks:
// validation, annexes and package builds measured on 100,000 persons and
// 10,000 evidence items rather than on the 14 victims of the bundled sample.
//
// Generation is deterministic: the same Options give the same case, byte for
// byte, so benchmark runs compare like with like. A generated case is valid
// (no errors and no warnings from schema.Validate) as long as the evidence
// files are written with it (Options.Dir) or file checks are skipped.
// Everything in it is synthetic; no field holds a real name or place.
package casegen

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/schema"
)

// Options say how large a case to generate.
type Options struct {
	Incidents int   // incidents; 0 means 1 (a case needs one), at most 9999
	Persons   int   // persons of all roles (victims, witnesses, relatives, experts); at most 269,973 per role
	Evidence  int   // evidence items, one small file each; 0 means 1, at most 999,999
	Seed      int64 // the seed of every random choice
	// Dir, when set, is the case folder to write: case.json and the
	// evidence stand-in files below Dir/evidence. It is created if needed;
	// files already there with the same names are replaced.
	Dir string
}

// Limits that follow from the ID patterns of case.schema.json.
const (
	MaxIncidents = 9999
	MaxEvidence  = 999999
	// MaxPersonsPerRole: person IDs are one or two letters and up to four
	// digits, so each role uses its letter (V-0001) and then the letter
	// followed by A…Z (VA-0001), 9999 IDs each.
	MaxPersonsPerRole = 27 * 9999
	maxConsents       = 9999
)

// ErrTooLarge is returned when a count exceeds what the ID patterns allow.
var ErrTooLarge = errors.New("casegen: too many items for the case format's IDs")

// base is the first day of the generated incidents: within the period of
// the example situation (crimes since 12 February 2014).
var base = time.Date(2017, 4, 1, 0, 0, 0, 0, time.UTC)

// Generate builds a case of the requested size; with opt.Dir set it also
// writes it, with its evidence files, to that folder.
func Generate(opt Options) (*schema.Case, error) {
	if opt.Incidents < 0 || opt.Persons < 0 || opt.Evidence < 0 {
		return nil, fmt.Errorf("casegen: negative count in %+v", opt)
	}
	if opt.Incidents == 0 {
		opt.Incidents = 1
	}
	if opt.Evidence == 0 {
		opt.Evidence = 1
	}
	if opt.Incidents > MaxIncidents || opt.Evidence > MaxEvidence {
		return nil, fmt.Errorf("%w: %d incidents (at most %d), %d evidence items (at most %d)",
			ErrTooLarge, opt.Incidents, MaxIncidents, opt.Evidence, MaxEvidence)
	}
	g := &gen{opt: opt, rnd: rand.New(rand.NewPCG(uint64(opt.Seed), 0x9e3779b97f4a7c15))}
	if err := g.plan(); err != nil {
		return nil, err
	}
	c := &schema.Case{
		SchemaVersion: "1.0",
		Submission:    g.submission(),
		Units:         units,
	}
	g.incidents(c)
	if err := g.evidence(c); err != nil {
		return nil, err
	}
	g.persons(c)
	g.analysis(c)
	if opt.Dir != "" {
		if err := WriteCase(opt.Dir, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sensitivity is nil when nothing is sensitive: an empty group is no
// group (schema drops {} when it reads a case).
func sensitivity(graphic, identifiable bool) *schema.Sensitivity {
	if !graphic && !identifiable {
		return nil
	}
	return &schema.Sensitivity{Graphic: graphic, IdentifiablePersons: identifiable}
}

// WriteCase writes c as dir/case.json (schema.Canonical), through a temporary
// file renamed into place, so a failed write never leaves half a case. It
// writes no evidence files.
func WriteCase(dir string, c *schema.Case) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("casegen: %w", err)
	}
	f, err := os.CreateTemp(dir, ".case-*.json")
	if err != nil {
		return fmt.Errorf("casegen: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	data, err := schema.Canonical(c)
	if err != nil {
		return fmt.Errorf("casegen: encode case: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("casegen: write %s: %w", f.Name(), err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("casegen: write %s: %w", f.Name(), err)
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, schema.CaseFileName)); err != nil {
		return fmt.Errorf("casegen: %w", err)
	}
	return nil
}

// gen carries the state of one generation.
type gen struct {
	opt Options
	rnd *rand.Rand

	// counts per role
	victims, witnesses, relatives, experts int

	incStart, incEnd []time.Time
	evIDs            []string
	evOfInc          [][]string // evidence IDs listed by each incident
	consentIDs       []string
	expertIDs        []string
}

func (g *gen) plan() error {
	n := g.opt.Persons
	if n >= 4 {
		g.experts = max(1, n/500)
	}
	g.relatives = n / 4
	g.witnesses = n * 3 / 10
	g.victims = n - g.experts - g.relatives - g.witnesses
	for _, k := range []int{g.victims, g.witnesses, g.relatives, g.experts} {
		if k > MaxPersonsPerRole {
			return fmt.Errorf("%w: %d persons (at most %d of one role)", ErrTooLarge, n, MaxPersonsPerRole)
		}
	}
	return nil
}

// personID numbers the k-th person (from 0) of a role: V-0001…V-9999, then
// VA-0001…, VZ-9999.
func personID(letter string, k int) string {
	block, num := k/9999, k%9999+1
	if block > 0 {
		letter += string(rune('A' + block - 1))
	}
	return fmt.Sprintf("%s-%04d", letter, num)
}

func (g *gen) evidenceID(j int) string {
	if g.opt.Evidence <= 9999 {
		return fmt.Sprintf("EV-%04d", j+1)
	}
	return fmt.Sprintf("EV-%06d", j+1)
}

func (g *gen) incidentID(i int) string {
	if g.opt.Incidents <= 99 {
		return fmt.Sprintf("INC-%02d", i+1)
	}
	return fmt.Sprintf("INC-%04d", i+1)
}

var units = []schema.Unit{
	{ID: "U-SPF", Name: "Synthetic Police Force", Acronym: "SPF", Type: "police", Description: "A fictional national police force (casegen)."},
	{ID: "U-STU", Name: "Synthetic Tactical Unit", Acronym: "STU", Type: "police", ParentID: "U-SPF", Description: "A fictional special unit (casegen)."},
	{ID: "U-SIU", Name: "Synthetic Investigations Unit", Acronym: "SIU", Type: "police", ParentID: "U-SPF"},
	{ID: "U-SAF", Name: "Synthetic Armed Forces", Acronym: "SAF", Type: "military"},
	{ID: "U-SAF-B1", Name: "First Battalion", Type: "military", ParentID: "U-SAF"},
	{ID: "U-SIS", Name: "Synthetic Intelligence Service", Acronym: "SIS", Type: "intelligence"},
}

var places = []string{"Sample Street", "Sample Avenue", "Market Square", "Hillside Steps", "River Road", "Bus Terminal", "School Lane", "Clinic Corner"}

func location(r *rand.Rand) schema.Location {
	return schema.Location{
		Country: "XX", State: "Sample State", Municipality: "Sample Municipality",
		Parish: fmt.Sprintf("Sample Parish %d", r.IntN(40)+1),
		Place:  places[r.IntN(len(places))],
	}
}

func (g *gen) submission() schema.Submission {
	return schema.Submission{
		ID:             fmt.Sprintf("CASEGEN-%d-%d-%d-%d", g.opt.Seed, g.opt.Incidents, g.opt.Persons, g.opt.Evidence),
		Title:          "Generated benchmark case (synthetic)",
		Kind:           "information_for_investigation",
		Date:           "2024-01-15",
		Version:        "1",
		Classification: "confidential",
		Languages:      []string{"en", "es"},
		Sender: schema.Sender{
			Organisation: "casegen (synthetic sender)", ContactPerson: "Sample Contact", Email: "casegen@example.org",
			Mandate: "A generated case for measuring casepack on large inputs. Nothing in it is real.",
		},
		Recipient: schema.Recipient{
			Body: "Office of the Prosecutor, International Criminal Court", SituationCode: "ICC-99/99",
			SituationName: "Synthetic situation", Stage: "investigation", Channel: "otplink",
		},
		Requests: []schema.Request{
			{ID: "REQ-01", Text: "Consider the generated incidents [" + g.evidenceID(0) + "]."},
		},
		Protection: "All persons are pseudonyms; no protected details are recorded.",
	}
}

func (g *gen) incidents(c *schema.Case) {
	n := g.opt.Incidents
	g.incStart = make([]time.Time, n)
	g.incEnd = make([]time.Time, n)
	g.evOfInc = make([][]string, n)
	g.evIDs = make([]string, g.opt.Evidence)
	for j := range g.evIDs {
		g.evIDs[j] = g.evidenceID(j)
		g.evOfInc[j%n] = append(g.evOfInc[j%n], g.evIDs[j])
	}
	c.Incidents = make([]schema.Incident, n)
	for i := range c.Incidents {
		start := base.AddDate(0, 0, i*3+g.rnd.IntN(3))
		end := start.AddDate(0, 0, g.rnd.IntN(4))
		g.incStart[i], g.incEnd[i] = start, end
		evs := g.evOfInc[i]
		first := g.evIDs[i%len(g.evIDs)]
		if len(evs) > 0 {
			first = evs[0]
		}
		// The elements cite up to three of the incident's own items.
		support := evs
		if len(support) > 3 {
			support = support[:3]
		}
		if len(support) == 0 {
			support = []string{first}
		}
		u := units[g.rnd.IntN(len(units))].ID
		c.Incidents[i] = schema.Incident{
			ID:              g.incidentID(i),
			Title:           fmt.Sprintf("Generated incident %d", i+1),
			Start:           schema.When(start.Format("2006-01-02")),
			End:             schema.When(end.Format("2006-01-02")),
			Location:        location(g.rnd),
			Description:     fmt.Sprintf("Security forces raided homes in the area; several people were killed [%s]. Generated text.", first),
			OfficialVersion: fmt.Sprintf("The authorities reported a confrontation [%s].", first),
			Characterisation: []schema.Characterisation{{
				Article: "7(1)(a)", Label: "Murder as a crime against humanity",
				Elements: []schema.Element{
					{Element: "The perpetrator killed one or more persons.", Assessment: "supported", EvidenceIDs: support},
					{Element: "The conduct was committed as part of a widespread or systematic attack directed against a civilian population.", Assessment: "partly_supported", EvidenceIDs: support},
					{Element: "The perpetrator knew that the conduct was part of or intended the conduct to be part of a widespread or systematic attack directed against a civilian population.", Assessment: "partly_supported", EvidenceIDs: support},
				},
			}},
			UnitIDs:     []string{u},
			EvidenceIDs: evs,
		}
	}
}

var evTypes = []string{"video", "photo", "document", "testimony", "forensic_report", "web_capture", "media_report", "social_post"}

func (g *gen) evidence(c *schema.Case) error {
	// Consents exist for the witnesses and relatives who gave testimony,
	// within the four-digit ID space.
	nCons := min(g.witnesses+g.relatives, maxConsents)
	g.consentIDs = make([]string, nCons)
	for k := range g.consentIDs {
		g.consentIDs[k] = fmt.Sprintf("C-%04d", k+1)
	}
	c.Evidence = make([]schema.Evidence, len(g.evIDs))
	for j, id := range g.evIDs {
		inc := j % g.opt.Incidents
		typ := evTypes[g.rnd.IntN(len(evTypes))]
		body := g.content(id, typ)
		sum := sha256.Sum256(body)
		sha := hex.EncodeToString(sum[:])
		rel := path.Join("evidence", fmt.Sprintf("%03d", j/1000), strings.ToLower(id)+".txt")
		if g.opt.Dir != "" {
			p := filepath.Join(g.opt.Dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("casegen: %w", err)
			}
			if err := os.WriteFile(p, body, 0o644); err != nil {
				return fmt.Errorf("casegen: %w", err)
			}
		}
		day := g.incStart[inc]
		captured := g.incEnd[inc].Add(time.Duration(24+g.rnd.IntN(240)) * time.Hour)
		class := "confidential"
		if g.rnd.IntN(3) == 0 {
			class = "public"
		}
		ev := schema.Evidence{
			ID: id, Title: fmt.Sprintf("Generated %s %d", strings.ReplaceAll(typ, "_", " "), j+1), Type: typ,
			Description: "Generated stand-in; the file holds a line of text.",
			Files:       []schema.File{{Path: rel, Role: "original", SHA256: sha, MediaType: "text/plain"}},
			ContentTime: schema.When(day.Format("2006-01-02")),
			Location:    ptr(location(g.rnd)),
			Provenance: &schema.Provenance{
				SourceType: "open_source", Platform: "Sample platform",
				URL:        "https://example.org/casegen/" + strings.ToLower(id),
				CapturedAt: stamp(captured), CapturedBy: "CG-INV-01", CaptureTool: "casegen",
			},
			Verification: &schema.Verification{
				Geolocation:    &schema.Check{Status: "confirmed", Method: "Generated."},
				Chronolocation: &schema.Check{Status: "partly_confirmed"},
				Status:         "verified", Confidence: []string{"high", "medium", "low"}[g.rnd.IntN(3)],
				Verifier: "CG-VER-01", Date: captured.AddDate(0, 0, 2).Format("2006-01-02"),
			},
			Sensitivity:    sensitivity(g.rnd.IntN(4) == 0, g.rnd.IntN(2) == 0),
			Classification: class,
			Custody: []schema.Custody{
				{At: stamp(captured), Actor: "CG-INV-01", Action: "captured"},
				{At: stamp(captured.Add(3 * time.Minute)), Actor: "CG-INV-01", Action: "hashed", SHA256: sha},
				{At: stamp(captured.Add(time.Hour)), Actor: "CG-ARCH-01", Action: "stored", SHA256: sha},
			},
		}
		if typ == "testimony" && nCons > 0 {
			ev.ConsentIDs = []string{g.consentIDs[j%nCons]}
		}
		c.Evidence[j] = ev
	}
	return nil
}

// content is the stand-in file of an item: a line saying what it is, and
// some filler so that files differ in size.
func (g *gen) content(id, typ string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "SYNTHETIC STAND-IN generated by casepack casegen: %s (%s), seed %d.\n", id, typ, g.opt.Seed)
	for k := g.rnd.IntN(8); k > 0; k-- {
		b.WriteString("Lorem ipsum placeholder text; not evidence.\n")
	}
	return []byte(b.String())
}

func (g *gen) persons(c *schema.Case) {
	c.Persons = make([]schema.Person, 0, g.opt.Persons)
	g.expertIDs = make([]string, g.experts)
	for k := range g.expertIDs {
		g.expertIDs[k] = personID("E", k)
		c.Persons = append(c.Persons, schema.Person{
			ID: g.expertIDs[k], Pseudonym: fmt.Sprintf("Expert %d", k+1), Roles: []string{"expert"},
			Qualification: "Forensic pathologist (generated).",
		})
	}
	nEv := len(g.evIDs)
	nInc := g.opt.Incidents
	victimsOf := make([][]string, nInc)
	for k := 0; k < g.victims; k++ {
		id := personID("V", k)
		inc := k % nInc
		victimsOf[inc] = append(victimsOf[inc], id)
		age := 14 + g.rnd.IntN(50)
		days := int(g.incEnd[inc].Sub(g.incStart[inc]).Hours() / 24)
		died := g.incStart[inc].AddDate(0, 0, g.rnd.IntN(days+1))
		ev := g.evIDs[(k*7)%nEv]
		d := &schema.Death{
			Date: schema.When(died.Format("2006-01-02")), IncidentID: g.incidentID(inc),
			Place: "Sample place", Cause: "Gunshot wound", OfficialCauseClaim: "Resistance to authority", Manner: "homicide",
			Wounds: []schema.Wound{{Location: []string{"chest", "head", "abdomen"}[g.rnd.IntN(3)], Type: "gunshot", Count: 1 + g.rnd.IntN(2)}},
		}
		if len(g.expertIDs) > 0 {
			d.ForensicReview = &schema.ForensicReview{
				ExpertID: g.expertIDs[k%len(g.expertIDs)], Materials: []string{ev},
				Findings: fmt.Sprintf("Gunshot wound consistent with a shot at close range [%s].", ev), ReportEvidenceID: ev,
			}
		}
		c.Persons = append(c.Persons, schema.Person{
			ID: id, Pseudonym: fmt.Sprintf("Victim %d", k+1), Roles: []string{"victim"},
			Sex: []string{"male", "female", "unknown"}[g.rnd.IntN(3)], Age: ptr(age), Minor: ptr(age < 18),
			ResidenceArea: "Sample Parish", EvidenceIDs: []string{ev}, Death: d,
		})
	}
	for i := range c.Incidents {
		c.Incidents[i].VictimIDs = victimsOf[i]
	}
	// Witnesses and relatives share the consents, in order.
	nextConsent := 0
	other := func(letter, role, name string, count int) {
		for k := 0; k < count; k++ {
			p := schema.Person{
				ID: personID(letter, k), Pseudonym: fmt.Sprintf("%s %d", name, k+1), Roles: []string{role},
				Sex: []string{"male", "female"}[g.rnd.IntN(2)], Age: ptr(18 + g.rnd.IntN(60)), Minor: ptr(false),
				EvidenceIDs: []string{g.evIDs[(k*13+len(c.Persons))%nEv]},
			}
			if nextConsent < len(g.consentIDs) {
				cid := g.consentIDs[nextConsent]
				nextConsent++
				p.ConsentIDs = []string{cid}
				c.Consents = append(c.Consents, schema.Consent{
					ID: cid, PersonID: p.ID, Date: "2024-01-10", Method: "oral_recorded",
					Scope: []string{"record", "share_icc"},
				})
			}
			c.Persons = append(c.Persons, p)
		}
	}
	other("W", "witness", "Witness", g.witnesses)
	other("R", "relative", "Relative", g.relatives)
}

func (g *gen) analysis(c *schema.Case) {
	cite := func(j int) string { return "[" + g.evIDs[j%len(g.evIDs)] + "]" }
	text := func(what string, j int) string {
		return fmt.Sprintf("Generated %s section; it cites evidence %s and %s.", what, cite(j), cite(j+1))
	}
	c.Analysis = schema.Analysis{
		Summary:     fmt.Sprintf("A generated case with %d incidents, %d persons and %d evidence items %s.", g.opt.Incidents, g.opt.Persons, len(g.evIDs), cite(0)),
		Methodology: text("methodology", 1),
		Context:     text("context", 2),
		Jurisdiction: &schema.Jurisdiction{
			Temporal: text("temporal jurisdiction", 3), Territorial: text("territorial jurisdiction", 4),
			SubjectMatter: text("subject-matter", 5), ContextualElements: text("contextual elements", 6),
		},
		Admissibility: &schema.Admissibility{
			Complementarity: text("complementarity", 7),
			Gravity: &schema.Gravity{
				Scale: text("scale", 8), Nature: text("nature", 9), Manner: text("manner", 10), Impact: text("impact", 11),
			},
		},
		InterestsOfJustice: text("interests of justice", 12),
		Conclusions:        text("conclusions", 13),
	}
}

func ptr[T any](v T) *T { return &v }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
