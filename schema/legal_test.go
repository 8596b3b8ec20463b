package schema

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// legalCase is the valid minimal fixture with the legal registers added by
// edit, written to a temporary folder.
func legalCase(t *testing.T, edit func(c map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile("testdata/valid/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	out, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func obj(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// TestLegalModelReferences: the references of the legal registers (posts,
// superior units, modes of liability, attributions of a death, potential
// cases, contextual elements) are checked like every other reference, and
// only an alleged perpetrator may carry a mode of liability.
func TestLegalModelReferences(t *testing.T) {
	dir := legalCase(t, func(c map[string]any) {
		persons := c["persons"].([]any)
		v := persons[0].(map[string]any)
		v["death"].(map[string]any)["perpetrators"] = obj(`{"unit_ids": ["U-XX"], "person_ids": ["E-01"], "status": "reported", "evidence_ids": ["EV-0009"]}`)
		v["death"].(map[string]any)["place_evidence_ids"] = []any{"EV-0008"}
		persons[1].(map[string]any)["liability"] = []any{obj(`{"mode": "ordering"}`)}
		persons = append(persons, obj(`{"id": "AP-01", "pseudonym": "Person of interest 01", "roles": ["alleged_perpetrator"],
			"positions": [{"unit_id": "U-NONE", "status": "reported", "from": "2021-02", "to": "2021-01"}],
			"liability": [{"mode": "command_responsibility", "evidence_ids": ["EV-0007"]}]}`))
		c["persons"] = persons
		u := c["units"].([]any)[0].(map[string]any)
		u["superiors"] = []any{obj(`{"superior_id": "U-FAES", "status": "assumed"}`), obj(`{"superior_id": "U-GONE", "status": "reported"}`)}
		c["analysis"].(map[string]any)["jurisdiction"] = obj(`{"contextual": [{"element": "attack", "argument": "A [EV-0001]."}, {"element": "attack"}, {"element": "policy", "evidence_ids": ["EV-0006"]}]}`)
		c["potential_cases"] = []any{obj(`{"id": "PC-01", "title": "T", "conduct": "Killings [EV-0001].", "person_ids": ["V-01"], "unit_ids": ["U-Z1"], "incident_ids": ["INC-09"],
			"searches": [{"date": "2021-02-31", "method": "Web", "result": "None", "evidence_ids": ["EV-0005"]}]}`), obj(`{"id": "PC-01", "title": "U", "conduct": "Same."}`)}
	})
	_, fs, err := LoadAndValidate(context.Background(), dir, Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code finding.Code
		ptr  string
	}{
		{finding.RefDangling, "/persons/0/death/perpetrators/unit_ids/0"},
		{finding.RefRole, "/persons/0/death/perpetrators/person_ids/0"},
		{finding.RefDangling, "/persons/0/death/perpetrators/evidence_ids/0"},
		{finding.RefDangling, "/persons/0/death/place_evidence_ids/0"},
		{finding.RefRole, "/persons/1/liability"},
		{finding.RefDangling, "/persons/2/positions/0/unit_id"},
		{finding.DateOrder, "/persons/2/positions/0/to"},
		{finding.RefDangling, "/persons/2/liability/0/evidence_ids/0"},
		{finding.RefDangling, "/units/0/superiors/0/superior_id"}, // its own superior
		{finding.RefDangling, "/units/0/superiors/1/superior_id"},
		{finding.IDDuplicate, "/analysis/jurisdiction/contextual/1/element"},
		{finding.RefDangling, "/analysis/jurisdiction/contextual/2/evidence_ids/0"},
		{finding.IDDuplicate, "/potential_cases/1/id"},
		{finding.RefRole, "/potential_cases/0/person_ids/0"},
		{finding.RefDangling, "/potential_cases/0/unit_ids/0"},
		{finding.RefDangling, "/potential_cases/0/incident_ids/0"},
		{finding.RefDangling, "/potential_cases/0/searches/0/evidence_ids/0"},
		{finding.DateInvalid, "/potential_cases/0/searches/0/date"},
	}
	got := map[string]bool{}
	for _, f := range fs {
		got[string(f.Code)+" "+f.Pointer] = true
		if f.Line == 0 {
			t.Errorf("finding not located: %s", f)
		}
	}
	for _, w := range want {
		if !got[string(w.code)+" "+w.ptr] {
			t.Errorf("no %s at %s", w.code, w.ptr)
		}
	}
	if t.Failed() {
		for _, f := range fs {
			t.Logf("  %s", f)
		}
	}
}
