package packager_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestChecklistLaVega: the checklist of the La Vega sample, as
// `validate --checklist --format json` gives it, is the golden one; each of
// its unmet lines is one of the report's warnings, and none is an error.
func TestChecklistLaVega(t *testing.T) {
	rep, err := packager.Validate(context.Background(), filepath.Join("..", "samples", "la-vega"), packager.ValidateOptions{SkipHashes: true, Checklist: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checklist == nil {
		t.Fatal("no checklist in the report")
	}
	got, err := json.MarshalIndent(rep.Checklist, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "checklist-la-vega.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("the checklist differs from %s (run go test ./packager -run Checklist -update after checking the change):\n%s", golden, got)
	}
	var warnings int
	for _, f := range rep.Findings {
		if strings.HasPrefix(string(f.Code), "CP-CHECK-") {
			warnings++
			if f.Severity != finding.Warning || f.Line == 0 {
				t.Errorf("checklist finding not a located warning: %+v", f)
			}
		}
	}
	if warnings != rep.Checklist.Unmet || rep.Checklist.Unmet == 0 || rep.Checklist.Met == 0 {
		t.Errorf("%d checklist warnings for %d unmet lines (%d met)", warnings, rep.Checklist.Unmet, rep.Checklist.Met)
	}
}

// TestChecklistRules: each way an element can fall short, on the minimal
// case with one change.
func TestChecklistRules(t *testing.T) {
	verified := &schema.Verification{Status: "verified"}
	base := func() *schema.Case {
		return &schema.Case{
			Analysis: schema.Analysis{Jurisdiction: &schema.Jurisdiction{Temporal: "Since 2002 [EV-0001]."}},
			Evidence: []schema.Evidence{{ID: "EV-0001", Verification: verified}, {ID: "EV-0002"}},
			Incidents: []schema.Incident{{ID: "INC-01", Characterisation: []schema.Characterisation{{Article: "7(1)(a)", Label: "Murder",
				Elements: []schema.Element{{Element: "Killed", Argument: "Shot [EV-0001]."}}}}}},
		}
	}
	line := func(t *testing.T, c *schema.Checklist, element string) schema.CheckItem {
		for _, it := range c.Items {
			if strings.HasPrefix(it.Element, element) {
				return it
			}
		}
		t.Fatalf("no line %q in %+v", element, c.Items)
		return schema.CheckItem{}
	}
	for _, tc := range []struct {
		name    string
		change  func(c *schema.Case)
		element string
		status  string
		code    finding.Code
	}{
		{"argued with verified evidence", func(*schema.Case) {}, "Temporal", schema.CheckMet, ""},
		{"not argued", func(c *schema.Case) { c.Analysis.Jurisdiction.Temporal = "" }, "Temporal", schema.CheckUnmet, finding.CheckUnargued},
		{"no citation", func(c *schema.Case) { c.Analysis.Jurisdiction.Temporal = "Since 2002." }, "Temporal", schema.CheckUnmet, finding.CheckUnsupported},
		{"unverified only", func(c *schema.Case) { c.Analysis.Jurisdiction.Temporal = "Since 2002 [EV-0002]." }, "Temporal", schema.CheckUnmet, finding.CheckUnverified},
		{"partly verified counts", func(c *schema.Case) {
			c.Evidence[1].Verification = &schema.Verification{Status: "partly_verified"}
			c.Analysis.Jurisdiction.Temporal = "Since 2002 [EV-0002]."
		}, "Temporal", schema.CheckMet, ""},
		{"disputed does not", func(c *schema.Case) {
			c.Evidence[1].Verification = &schema.Verification{Status: "disputed"}
			c.Analysis.Jurisdiction.Temporal = "Since 2002 [EV-0002]."
		}, "Temporal", schema.CheckUnmet, finding.CheckUnverified},
		{"assessed unsupported", func(c *schema.Case) { c.Incidents[0].Characterisation[0].Elements[0].Assessment = "unsupported" }, "7(1)(a) Murder (INC-01), element 1", schema.CheckUnmet, finding.CheckUnsupported},
		{"evidence listed beside the argument", func(c *schema.Case) {
			e := &c.Incidents[0].Characterisation[0].Elements[0]
			e.Argument, e.EvidenceIDs = "Shot.", []string{"EV-0001"}
		}, "7(1)(a) Murder (INC-01), element 1", schema.CheckMet, ""},
		{"contextual element missing", func(*schema.Case) {}, "State or organisational policy", schema.CheckUnmet, finding.CheckUnargued},
		{"systematic suffices for widespread", func(c *schema.Case) {
			c.Analysis.Jurisdiction.Contextual = []schema.ContextualElement{{Element: "systematic", Argument: "Pattern [EV-0001]."}}
		}, "Widespread", schema.CheckAlternative, ""},
		{"neither widespread nor systematic", func(*schema.Case) {}, "Widespread", schema.CheckUnmet, finding.CheckUnargued},
		{"person of interest without liability", func(c *schema.Case) {
			c.Persons = []schema.Person{{ID: "AP-01", Pseudonym: "P", Roles: []string{schema.RoleAlleged}}}
		}, "AP-01", schema.CheckUnmet, finding.CheckLiability},
		{"liability without facts", func(c *schema.Case) {
			c.Persons = []schema.Person{{ID: "AP-01", Pseudonym: "P", Roles: []string{schema.RoleAlleged}, Liability: []schema.Liability{{Mode: "ordering", EvidenceIDs: []string{"EV-0001"}}}}}
		}, "AP-01 (P): ordering (art. 25(3)(b))", schema.CheckUnmet, finding.CheckUnargued},
		{"death tied by evidence", func(c *schema.Case) {
			c.Persons = []schema.Person{{ID: "V-01", Pseudonym: "V", Roles: []string{"victim"}, Death: &schema.Death{
				PlaceEvidenceIDs: []string{"EV-0001"}, DateEvidenceIDs: []string{"EV-0001"},
				Perpetrators: &schema.Attribution{UnitIDs: []string{"U-1"}, EvidenceIDs: []string{"EV-0001"}}}}}
		}, "V-01", schema.CheckMet, ""},
		{"death attributed without evidence", func(c *schema.Case) {
			c.Persons = []schema.Person{{ID: "V-01", Pseudonym: "V", Roles: []string{"victim"}, Death: &schema.Death{
				PlaceEvidenceIDs: []string{"EV-0001"}, DateEvidenceIDs: []string{"EV-0001"},
				Perpetrators: &schema.Attribution{UnitIDs: []string{"U-1"}, Status: schema.StatusAssumed}}}}
		}, "V-01", schema.CheckUnmet, finding.CheckDeath},
		{"no potential case", func(*schema.Case) {}, "Potential case", schema.CheckUnmet, finding.CheckUnargued},
		{"proceeding without the same-conduct test", func(c *schema.Case) {
			c.PotentialCases = []schema.PotentialCase{{ID: "PC-01", Title: "T", UnitIDs: []string{"U-1"},
				Proceedings: []schema.Proceeding{{Authority: "Prosecutor 5", SamePerson: "yes", Assessment: "Low-level officers only [EV-0001]."}}}}
		}, "PC-01 (T): proceeding before Prosecutor 5", schema.CheckUnmet, finding.CheckUnargued},
		{"proceeding assessed", func(c *schema.Case) {
			c.PotentialCases = []schema.PotentialCase{{ID: "PC-01", Title: "T", UnitIDs: []string{"U-1"},
				Proceedings: []schema.Proceeding{{Authority: "Prosecutor 5", SamePerson: "no", SameConduct: "partly", Assessment: "Low-level officers only [EV-0001]."}}}}
		}, "PC-01 (T): proceeding before Prosecutor 5", schema.CheckMet, ""},
		{"potential case without search", func(c *schema.Case) {
			c.PotentialCases = []schema.PotentialCase{{ID: "PC-01", Title: "T", UnitIDs: []string{"U-1"}}}
		}, "PC-01 (T): search", schema.CheckUnmet, finding.CheckUnargued},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(c)
			it := line(t, schema.NewChecklist(c), tc.element)
			if it.Status != tc.status || it.Code != tc.code {
				t.Errorf("%s: status %s code %q (gap %q), want %s %q", it.Element, it.Status, it.Code, it.Gap, tc.status, tc.code)
			}
		})
	}
}
