package schema

import (
	"slices"
	"testing"
)

// TestIDs: every list whose items carry an ID answers by its pointer name,
// and a name that is no such list answers nil.
func TestIDs(t *testing.T) {
	c := &Case{
		Incidents:      []Incident{{ID: "INC-001"}, {ID: "INC-002"}},
		Persons:        []Person{{ID: "P-001"}},
		Units:          []Unit{{ID: "U-001"}},
		Evidence:       []Evidence{{ID: "EV-0001"}},
		Consents:       []Consent{{ID: "C-001"}},
		Authorities:    []Authority{{ID: "RS"}},
		PotentialCases: []PotentialCase{{ID: "PC-1"}},
	}
	c.Submission.Requests = []Request{{ID: "R-1"}}
	want := map[string][]string{
		"incidents": {"INC-001", "INC-002"}, "persons": {"P-001"}, "units": {"U-001"}, "evidence": {"EV-0001"},
		"consents": {"C-001"}, "authorities": {"RS"}, "submission/requests": {"R-1"}, "potential_cases": {"PC-1"},
	}
	if len(want) != len(idLists) {
		t.Fatalf("the test covers %d lists, idLists has %d", len(want), len(idLists))
	}
	for _, list := range idLists {
		if got := c.IDs(list); !slices.Equal(got, want[list]) {
			t.Errorf("IDs(%q) = %v, want %v", list, got, want[list])
		}
	}
	if got := c.IDs("submission"); got != nil {
		t.Errorf("IDs of a name that is no list = %v", got)
	}
}
