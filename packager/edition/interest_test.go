package edition_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// TestPersonsOfInterest: by default the public edition shows an alleged
// perpetrator by pseudonym only, keeping the number of posts and modes of
// liability (as empty entries, so the narrative can mark each in place)
// and logging each withheld detail; persons_of_interest: keep shows them
// as written; the confidential edition always does. A witness's post is an
// occupation and follows the witnesses' rule.
func TestPersonsOfInterest(t *testing.T) {
	secret := []string{"Commander of the special unit", "Comisario", "because he announced the results", "He ordered the raid", "by_role", "Police commander", "Barrio Norte"}
	mk := func(keep string) *schema.Case {
		c := &schema.Case{
			Persons: []schema.Person{{
				ID: "AP-01", Pseudonym: "Person of interest 01", Roles: []string{"alleged_perpetrator"}, Sex: "male", Age: intp(45),
				Identification: "by_role", Basis: "Named because he announced the results [EV-0001].",
				Occupation: "Police commander", ResidenceArea: "Barrio Norte",
				Positions: []schema.Position{{UnitID: "U-SU", Title: "Commander of the special unit", Rank: "Comisario", Commands: true, From: "2021-01", Status: "reported"}},
				Liability: []schema.Liability{{Mode: "command_responsibility", Facts: "He ordered the raid."}, {Mode: "ordering"}},
			}, {
				ID: "W-01", Pseudonym: "Witness 01", Roles: []string{"witness"},
				Positions: []schema.Position{{UnitID: "U-SU", Title: "Officer", Status: "established"}},
			}},
		}
		if keep != "" {
			c.Submission.PublicEdition = &schema.PublicEdition{PersonsOfInterest: keep}
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		ed     edition.Edition
		policy string
		shown  bool
	}{
		{"public, default", edition.Public, "", false},
		{"public, omit", edition.Public, "omit", false},
		{"public, keep", edition.Public, "keep", true},
		{"confidential", edition.Confidential, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := edition.New(mk(tc.policy), tc.ed)
			if err != nil {
				t.Fatal(err)
			}
			view, _ := json.Marshal(plan.Case().Persons[0])
			for _, s := range secret {
				if got := strings.Contains(string(view), s); got != tc.shown {
					t.Errorf("%q shown: %v, want %v", s, got, tc.shown)
				}
			}
			p := plan.Case().Persons[0]
			if len(p.Positions) != 1 || len(p.Liability) != 2 || p.Pseudonym != "Person of interest 01" || p.Sex != "male" {
				t.Errorf("the lists must keep their length and the pseudonym and sex stay: %+v", p)
			}
			if tc.shown {
				return
			}
			logged := map[string]bool{}
			for _, e := range plan.Log() {
				if e.Item == "AP-01" {
					logged[e.Pointer] = true
					if ln := e.In(locale.English()); ln.Ground != "policy: persons_of_interest = omit" || ln.Action != "withheld" ||
						ln.GroundCode != "policy" || ln.Rule != "persons_of_interest = omit" || ln.ActionCode != "withheld" {
						t.Errorf("log entry %+v", e)
					}
				}
			}
			for _, ptr := range []string{"/persons/0/identification", "/persons/0/basis", "/persons/0/positions", "/persons/0/liability", "/persons/0/age", "/persons/0/occupation", "/persons/0/residence_area"} {
				if !logged[ptr] {
					t.Errorf("no log entry for %s (got %v)", ptr, logged)
				}
			}
			if w := plan.Case().Persons[1]; w.Positions[0].Title != "" {
				t.Errorf("a witness's post is shown in the public edition: %+v", w.Positions)
			}
		})
	}
}
