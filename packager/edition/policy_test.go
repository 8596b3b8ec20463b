package edition_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

func intp(n int) *int { return &n }

// TestConsentDecides: what comes from a person reaches the public edition
// only if that person's consents include publication and none is withdrawn.
func TestConsentDecides(t *testing.T) {
	testimony := func(id, class string, consents ...string) schema.Evidence {
		return schema.Evidence{ID: id, Type: "testimony", Classification: class, ConsentIDs: consents,
			Files: []schema.File{{Path: "evidence/" + id + ".txt", Role: "transcript"}}}
	}
	for _, tc := range []struct {
		name     string
		c        schema.Case
		withheld map[string]edition.Ground // evidence ID → ground; absent: published
		persons  []string                  // for the first withheld item
	}{
		{
			name: "publish consent, public testimony",
			c: schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "public", "C-01")},
				Persons:  []schema.Person{{ID: "W-01", Roles: []string{"witness"}}},
				Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"record", "publish"}}}},
			withheld: map[string]edition.Ground{},
		},
		{
			name: "no publish scope",
			c: schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "public", "C-01")},
				Persons:  []schema.Person{{ID: "W-01", Roles: []string{"witness"}}},
				Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"record", "share_icc"}}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
			persons:  []string{"W-01"},
		},
		{
			name: "publication consent withdrawn",
			c: schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "public", "C-01")},
				Persons:  []schema.Person{{ID: "W-01", Roles: []string{"witness"}}},
				Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"publish"}, WithdrawnAt: "2021-02-01"}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
			persons:  []string{"W-01"},
		},
		{
			name: "another consent of the person withdrawn",
			c: schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "public", "C-01")},
				Persons: []schema.Person{{ID: "W-01", Roles: []string{"witness"}, ConsentIDs: []string{"C-02"}}},
				Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"publish"}},
					{ID: "C-02", PersonID: "W-01", Scope: []string{"record"}, WithdrawnAt: "2021-02-01"}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
			persons:  []string{"W-01"},
		},
		{
			name:     "testimony from nobody recorded",
			c:        schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "public")}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
		},
		{
			name: "image of a victim without consent, classified public",
			c: schema.Case{Evidence: []schema.Evidence{{ID: "EV-0001", Type: "photo", Classification: "public",
				Sensitivity: &schema.Sensitivity{IdentifiablePersons: true}, Files: []schema.File{{Path: "p.png", Role: "original"}}}},
				Persons: []schema.Person{{ID: "V-01", Roles: []string{"victim"}, EvidenceIDs: []string{"EV-0001"}}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
			persons:  []string{"V-01"},
		},
		{
			name: "a report about a victim is not the victim's own content",
			c: schema.Case{Evidence: []schema.Evidence{{ID: "EV-0001", Type: "forensic_report", Classification: "public",
				Files: []schema.File{{Path: "r.pdf", Role: "original"}}}},
				Persons: []schema.Person{{ID: "V-01", Roles: []string{"victim"}, EvidenceIDs: []string{"EV-0001"}},
					{ID: "E-01", Roles: []string{"expert"}, EvidenceIDs: []string{"EV-0001"}}}},
			withheld: map[string]edition.Ground{},
		},
		{
			name: "classifications",
			c: schema.Case{Evidence: []schema.Evidence{
				{ID: "EV-0001", Type: "video", Classification: "confidential", Files: []schema.File{{Path: "a.mp4", Role: "original"}}},
				{ID: "EV-0002", Type: "video", Classification: "confidential_ex_parte", Files: []schema.File{{Path: "b.mp4", Role: "original"}}},
				{ID: "EV-0003", Type: "video", Classification: "public", Files: []schema.File{{Path: "c.mp4", Role: "original"}}}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConfidential, "EV-0002": edition.GroundExParte},
		},
		{
			name: "consent outweighs classification",
			c: schema.Case{Evidence: []schema.Evidence{testimony("EV-0001", "confidential_ex_parte", "C-01")},
				Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"record"}}}},
			withheld: map[string]edition.Ground{"EV-0001": edition.GroundConsent},
			persons:  []string{"W-01"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := edition.New(&tc.c, edition.Public)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range tc.c.Evidence {
				w, ok := p.Withholding(ev.ID)
				want, wantOK := tc.withheld[ev.ID]
				if ok != wantOK || ok && w.Ground != want || p.Withheld(ev.ID) != wantOK {
					t.Errorf("%s: withheld %v (%s), want %v (%s)", ev.ID, ok, w.Ground, wantOK, want)
				}
				if ok && want == edition.GroundConsent && !slices.Equal(w.Persons, tc.persons) {
					t.Errorf("%s: persons %v, want %v", ev.ID, w.Persons, tc.persons)
				}
			}
			conf, _ := edition.New(&tc.c, edition.Confidential)
			for _, ev := range tc.c.Evidence {
				if conf.Withheld(ev.ID) {
					t.Errorf("%s withheld from the confidential edition", ev.ID)
				}
			}
		})
	}
}

func TestWithholdingWords(t *testing.T) {
	for _, tc := range []struct {
		w             edition.Withholding
		reason, basis string
	}{
		{edition.Withholding{Ground: edition.GroundConsent, Type: "testimony", Persons: []string{"R-01"}},
			"testimony without consent to publication", "consent: no consent to publication from R-01"},
		{edition.Withholding{Ground: edition.GroundConsent, Type: "testimony"},
			"testimony without consent to publication", "consent: no person's consent to publication is recorded"},
		{edition.Withholding{Ground: edition.GroundExParte, Type: "forensic_report"},
			"forensic report for the Prosecutor only (ex parte)", "classification: confidential — ex parte"},
		{edition.Withholding{Ground: edition.GroundConfidential, Type: "video"}, "confidential video", "classification: confidential"},
		{edition.Withholding{Ground: edition.GroundConfidential}, "confidential evidence", "classification: confidential"},
	} {
		en := locale.English()
		if got := en.Text(tc.w.Reason()); got != tc.reason {
			t.Errorf("Reason %+v = %q, want %q", tc.w, got, tc.reason)
		}
		if got := en.Text(tc.w.Basis()); got != tc.basis {
			t.Errorf("Basis %+v = %q, want %q", tc.w, got, tc.basis)
		}
	}
}

func TestAgeBand(t *testing.T) {
	for age, want := range map[int]string{0: "minor", 17: "minor", 18: "18–24", 24: "18–24", 25: "25–34", 34: "25–34",
		35: "35–44", 44: "35–44", 45: "45–54", 55: "55–64", 64: "55–64", 65: "65+", 90: "65+"} {
		if got := edition.AgeBand(age); got != want {
			t.Errorf("AgeBand(%d) = %q, want %q", age, got, want)
		}
	}
}

// generalCase has victims and a witness with every quasi-identifier set.
func generalCase() *schema.Case {
	yes := true
	return &schema.Case{
		Incidents: []schema.Incident{
			{ID: "INC-01", Start: "2021-01-06", End: "2021-01-09", Location: schema.Location{Country: "VE", State: "Distrito Capital", Municipality: "Libertador", Parish: "La Vega", Place: "Calle 5"}},
			{ID: "INC-02", Start: "2020-12-30", End: "2021-01-02", Location: schema.Location{Country: "VE"}},
		},
		Persons: []schema.Person{
			{ID: "V-01", Pseudonym: "Victim 01", Roles: []string{"victim"}, Sex: "male", Age: intp(22), Occupation: "baker", ResidenceArea: "La Vega",
				Death: &schema.Death{Date: "2021-01-08", IncidentID: "INC-01", Place: "House 4, Calle 5"}},
			{ID: "V-02", Pseudonym: "Victim 02", Roles: []string{"victim"}, Sex: "male", Age: intp(17),
				Death: &schema.Death{Date: "2021-01-01", IncidentID: "INC-02", Place: "A field"}},
			{ID: "V-03", Pseudonym: "Victim 03", Roles: []string{"victim"}, BirthDate: "2004-05", Minor: &yes},
			{ID: "W-01", Pseudonym: "Witness 01", Roles: []string{"witness"}, Sex: "female", Age: intp(40), Occupation: "teacher", ResidenceArea: "La Vega"},
			{ID: "E-01", Pseudonym: "Expert 01", Roles: []string{"expert"}, Sex: "female", Age: intp(50), Occupation: "pathologist"},
		},
		Evidence: []schema.Evidence{
			{ID: "EV-0001", Title: "Testimony of Witness 01, mother of Victim 01", Type: "testimony", Classification: "public",
				Description: "Witness 01 (W-01), mother of Victim 01.", ConsentIDs: []string{"C-01"},
				Files: []schema.File{{Path: "evidence/maria-quintero-statement.txt", Role: "transcript"}}},
			{ID: "EV-0002", Title: "Clip", Type: "video", Classification: "public",
				Sensitivity: &schema.Sensitivity{IdentifiablePersons: true},
				Provenance:  &schema.Provenance{Platform: "Twitter", Account: "@resident", URL: "https://x.example/resident/1", CapturedBy: "INV-01"},
				Files:       []schema.File{{Path: "evidence/clip.mp4", Role: "original"}}},
			{ID: "EV-0003", Title: "Statement", Type: "official_statement", Classification: "public",
				Provenance: &schema.Provenance{Account: "@ministry"}, Files: []schema.File{{Path: "evidence/s.txt", Role: "original"}}},
			{ID: "EV-0004", Title: "Photo", Type: "photo", Classification: "confidential",
				Description: "secret description", Verification: &schema.Verification{Status: "verified", Confidence: "high", Verifier: "INV-02", SourceAnalysis: "x"},
				Custody: []schema.Custody{{At: "2021-01-10T00:00:00Z", Actor: "INV-02", Action: "captured", Location: "Safe house"}},
				Files:   []schema.File{{Path: "evidence/photos/maria quintero.JPG", Role: "original", SHA256: strings.Repeat("a", 64)}, {Path: "evidence/x.we!rd", Role: "working"}}},
		},
		Consents: []schema.Consent{{ID: "C-01", PersonID: "W-01", Scope: []string{"publish"}}},
	}
}

func TestGeneralisationDefaults(t *testing.T) {
	c := generalCase()
	p, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Case()
	v1, v2, v3, w1, e1 := v.Persons[0], v.Persons[1], v.Persons[2], v.Persons[3], v.Persons[4]
	if v1.Age != nil || v1.Sex != "male" || v1.Occupation != "" || v1.ResidenceArea != "La Vega" {
		t.Errorf("victim 1: %+v", v1)
	}
	if p.Age("V-01") != "18–24" || p.AgeBand("V-01") != "18–24" {
		t.Errorf("V-01 age %q band %q", p.Age("V-01"), p.AgeBand("V-01"))
	}
	if v1.Death.Date != "2021-01" || v1.Death.Place != "La Vega, Libertador, Distrito Capital, VE" {
		t.Errorf("victim 1 death: %+v", v1.Death)
	}
	if v2.Age != nil || v2.Minor == nil || !*v2.Minor || p.Age("V-02") != "minor" {
		t.Errorf("victim 2 (17): %+v, age %q", v2, p.Age("V-02"))
	}
	if v2.Death.Date != "2021" || v2.Death.Place != "VE" {
		t.Errorf("victim 2 death across a year's end: %+v", v2.Death)
	}
	if v3.BirthDate != "" || v3.Minor == nil || !*v3.Minor {
		t.Errorf("victim 3 keeps a birth date or loses the minor flag: %+v", v3)
	}
	if w1.Sex != "" || w1.Age != nil || w1.Occupation != "" || w1.ResidenceArea != "" || p.Age("W-01") != "" {
		t.Errorf("witness: %+v", w1)
	}
	if e1.Sex != "female" || e1.Age == nil || e1.Occupation != "pathologist" || p.Age("E-01") != "50" {
		t.Errorf("an expert is generalised: %+v", e1)
	}
	// Relationships: evidence from a person is titled by type and pseudonym.
	if t1 := v.Evidence[0]; t1.Title != "Testimony of Witness 01" || t1.Description != "" {
		t.Errorf("testimony title %q description %q", t1.Title, t1.Description)
	}
	// Accounts of identifying items go; of others, they stay.
	if pv := v.Evidence[1].Provenance; pv.Account != "" || pv.URL != "" || pv.CapturedBy != "" || pv.Platform != "Twitter" {
		t.Errorf("identifying clip provenance: %+v", pv)
	}
	if v.Evidence[2].Provenance.Account != "@ministry" {
		t.Error("the account of an official statement was dropped")
	}
	// Withheld: neutral names, verification outcome kept, details gone.
	held := v.Evidence[3]
	if held.Files[0].Path != "withheld/EV-0004/file-1.jpg" || held.Files[1].Path != "withheld/EV-0004/file-2" {
		t.Errorf("withheld file names: %q, %q", held.Files[0].Path, held.Files[1].Path)
	}
	if held.Files[0].SHA256 != strings.Repeat("a", 64) || held.Files[0].Role != "original" {
		t.Errorf("withheld file lost its digest or role: %+v", held.Files[0])
	}
	if vf := held.Verification; vf == nil || vf.Status != "verified" || vf.Confidence != "high" || vf.Verifier != "" || vf.SourceAnalysis != "" {
		t.Errorf("withheld verification: %+v", held.Verification)
	}
	if held.Description != "" || len(held.Custody) != 0 {
		t.Errorf("withheld item keeps details: %+v", held)
	}
	if got := edition.PackagePath(held.ID, held.Files[0].Path); got != "data/evidence/EV-0004/file-1.jpg" {
		t.Errorf("withheld package path %q", got)
	}
	// The log names every change, never the value.
	b, _ := json.Marshal(p.Log())
	for _, secret := range []string{"baker", "House 4", "mother of", "@resident", "Safe house", "maria", "secret description", "22", "teacher"} {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(secret)) {
			t.Errorf("the redaction log holds %q: %s", secret, b)
		}
	}
	for _, want := range []string{"/persons/0/age", "/persons/0/occupation", "/persons/0/death/date", "/persons/0/death/place",
		"/persons/2/birth_date", "/persons/3/sex", "/evidence/0/title", "/evidence/0/description", "/evidence/1/provenance", "/evidence/3/files"} {
		found := false
		for _, e := range p.Log() {
			ln := e.In(locale.English())
			found = found || e.Pointer == want && ln.Detail != "" && ln.Action != "" && ln.Ground != "" && !strings.Contains(ln.Detail+ln.Action+ln.Ground, "⟦")
		}
		if !found {
			t.Errorf("no log entry for %s", want)
		}
	}
	if conf, _ := edition.New(c, edition.Confidential); len(conf.Log()) != 0 || conf.Age("V-01") != "22" || conf.AgeBand("V-01") != "18–24" {
		t.Error("the confidential edition generalises or logs")
	}
}

func TestPolicyFromCase(t *testing.T) {
	c := generalCase()
	c.Submission.PublicEdition = &schema.PublicEdition{MinGroupSize: 3, Relationships: "keep", Accounts: "keep", TextCitingConfidential: "keep",
		Victims:   &schema.PersonPolicy{Age: "exact", Occupation: "keep", DateOfDeath: "year", PlaceOfDeath: "omit"},
		Witnesses: &schema.PersonPolicy{Sex: "keep", Age: "band", Residence: "keep"}}
	p, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	pol := p.Policy()
	if pol.MinGroupSize != 3 || pol.Victims.Sex != edition.Keep || pol.Victims.Age != edition.Exact || pol.Witnesses.Occupation != edition.Omit {
		t.Errorf("policy %+v", pol)
	}
	v := p.Case()
	if v.Persons[0].Age == nil || *v.Persons[0].Age != 22 || v.Persons[0].Occupation != "baker" || p.Age("V-01") != "22" {
		t.Errorf("victim with exact age kept: %+v", v.Persons[0])
	}
	if v.Persons[0].Death.Date != "2021" || v.Persons[0].Death.Place != "" {
		t.Errorf("death by year, place omitted: %+v", v.Persons[0].Death)
	}
	if w := v.Persons[3]; w.Sex != "female" || w.ResidenceArea != "La Vega" || p.Age("W-01") != "35–44" {
		t.Errorf("witness: %+v, age %q", w, p.Age("W-01"))
	}
	if v.Evidence[0].Title != c.Evidence[0].Title || v.Evidence[1].Provenance.Account != "@resident" {
		t.Error("relationships: keep or accounts: keep not honoured")
	}
	// With text_citing_confidential: keep, only consent and ex parte redact text.
	if _, ok := p.TextRedaction([]string{"EV-0004"}); ok {
		t.Error("text citing confidential evidence redacted under keep")
	}
	c.Submission.PublicEdition.Victims.Age = "omit"
	p, _ = edition.New(c, edition.Public)
	if p.Age("V-01") != "" || p.AgeBand("V-01") != "" || p.Case().Persons[0].Age != nil {
		t.Error("age: omit shows an age")
	}
	if v2, v3 := p.Case().Persons[1], p.Case().Persons[2]; v2.Minor != nil || v3.Minor != nil || v3.BirthDate != "" {
		t.Errorf("age: omit still tells a minor: %+v %+v", v2, v3)
	}
}

func TestTextRedaction(t *testing.T) {
	c := generalCase()
	c.Evidence = append(c.Evidence,
		schema.Evidence{ID: "EV-0005", Type: "video", Classification: "confidential_ex_parte", Files: []schema.File{{Path: "e.mp4", Role: "original"}}},
		schema.Evidence{ID: "EV-0006", Type: "testimony", Classification: "public", Files: []schema.File{{Path: "t.txt", Role: "original"}}})
	p, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ids  []string
		want edition.Ground // "" none
	}{
		{nil, ""},
		{[]string{"EV-0001", "EV-0002"}, ""},
		{[]string{"EV-0002", "EV-0004"}, edition.GroundConfidential},
		{[]string{"EV-0004", "EV-0005"}, edition.GroundExParte},
		{[]string{"EV-0005", "EV-0006", "EV-0004"}, edition.GroundConsent},
		{[]string{"EV-9999"}, ""},
	} {
		w, ok := p.TextRedaction(tc.ids)
		if ok != (tc.want != "") || ok && w.Ground != tc.want {
			t.Errorf("%v: %v %q, want %q", tc.ids, ok, w.Ground, tc.want)
		}
	}
}

func laVega(t *testing.T) *schema.Case {
	t.Helper()
	doc, _, err := schema.LoadAndValidate(context.Background(), "../../samples/la-vega", schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	return doc.Case
}

func TestReidentification(t *testing.T) {
	omitAges := &schema.PersonPolicy{Age: "omit"}
	for _, tc := range []struct {
		name     string
		policy   *schema.PublicEdition
		ok       bool
		smallest int
		singled  map[string][]string // person → fields named
	}{
		{name: "defaults: an age band and an incident single out four victims", policy: &schema.PublicEdition{}, smallest: 1,
			singled: map[string][]string{"V-01": {"age", "incidents"}, "V-05": {"age", "incidents"}, "V-12": {"age", "incidents"}, "V-13": {"age", "incidents"}}},
		{name: "ages omitted", policy: &schema.PublicEdition{Victims: omitAges}, ok: true, smallest: 2},
		{name: "k=3 with ages omitted: two victims share an incident", policy: &schema.PublicEdition{MinGroupSize: 3, Victims: omitAges}, smallest: 2,
			singled: map[string][]string{"V-12": {"incidents"}, "V-13": {"incidents"}}},
		{name: "witnesses' sex published singles out the one man",
			policy: &schema.PublicEdition{Victims: omitAges, Witnesses: &schema.PersonPolicy{Sex: "keep"}}, smallest: 1,
			singled: map[string][]string{"R-03": {"sex"}}},
		{name: "exact ages single out almost everyone",
			policy: &schema.PublicEdition{Victims: &schema.PersonPolicy{Age: "exact"}}, smallest: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := laVega(t)
			c.Submission.PublicEdition = tc.policy
			p, err := edition.New(c, edition.Confidential) // the report is the public edition's either way
			if err != nil {
				t.Fatal(err)
			}
			r, err := p.Reidentification()
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != tc.ok || r.SmallestGroup != tc.smallest || len(r.Classes) != 2 || r.Classes[0].Persons != 14 || r.Classes[1].Persons != 4 {
				t.Fatalf("report %+v", r)
			}
			for who, fields := range tc.singled {
				found := false
				for _, s := range r.SingledOut {
					if s.Person == who {
						found = true
						if !slices.Equal(s.Fields, fields) || s.GroupSize >= r.MinGroupSize || s.Pseudonym == "" {
							t.Errorf("%s: %+v, want fields %v", who, s, fields)
						}
					}
				}
				if !found {
					t.Errorf("%s not singled out: %+v", who, r.SingledOut)
				}
			}
			if tc.singled != nil && len(r.SingledOut) != len(tc.singled) {
				t.Errorf("singled out %+v, want only %v", r.SingledOut, tc.singled)
			}
			pub, _ := edition.New(c, edition.Public)
			err = pub.Check()
			var re *edition.ReidentificationError
			if tc.ok != (err == nil) || !tc.ok && (!errors.As(err, &re) || !strings.Contains(err.Error(), r.SingledOut[0].Pseudonym) || !strings.Contains(re.Hint(), "public_edition") || strings.Contains(re.Hint(), `"incidents"`)) {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestReidentificationNobody(t *testing.T) {
	p, err := edition.New(&schema.Case{}, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Reidentification()
	if err != nil || !r.OK || r.SmallestGroup != 0 || len(r.Classes) != 0 {
		t.Errorf("%+v %v", r, err)
	}
}

// TestCheckReport: the report check-edition prints is the public plan's,
// whichever edition the plan was made for.
func TestCheckReport(t *testing.T) {
	c := laVega(t)
	conf, err := edition.New(c, edition.Confidential)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	if conf.Original() != c || pub.Original() != c {
		t.Error("Original is not the case the plans were made from")
	}
	a, err := conf.CheckReport()
	if err != nil {
		t.Fatal(err)
	}
	b, err := pub.CheckReport()
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the report differs with the edition of the plan")
	}
	grounds := map[edition.Ground]int{}
	for _, w := range b.Withheld {
		grounds[w.Ground]++
		if !pub.Withheld(w.ID) || w.Reason == "" || w.Basis == "" {
			t.Errorf("withheld item %+v", w)
		}
	}
	if len(b.Withheld) != 25 || grounds[edition.GroundConsent] != 23 || grounds[edition.GroundConfidential] != 2 {
		t.Errorf("withheld %d: %v", len(b.Withheld), grounds)
	}
	if len(b.Redactions) != len(pub.Log()) || len(b.Redactions) < 100 || !b.Reidentification.OK {
		t.Errorf("%d redactions (log %d), re-identification ok: %v", len(b.Redactions), len(pub.Log()), b.Reidentification.OK)
	}
	if r, err := conf.CheckReport(); err != nil || len(r.Withheld) != len(b.Withheld) {
		t.Errorf("a second report: %v", err)
	}
}
