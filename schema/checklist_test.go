package schema

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// TestChecklistWarningsByStage: a case that argues no line of the art.
// 53(1) test yet (the minimal sample) gets one checklist warning, saying
// the analysis is not begun and naming validate --checklist, not one per
// element; once it argues one line, every other open line is a warning of
// its own; and what the case's own data leave open (a person of interest
// with no mode of liability) is reported line by line at any stage.
func TestChecklistWarningsByStage(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "samples", "minimal", "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		edit   func(c map[string]any)
		checks int    // CP-CHECK- warnings
		folded bool   // the one "not begun" warning among them
		also   string // another code expected
	}{
		{name: "nothing argued", edit: func(map[string]any) {}, checks: 1, folded: true},
		{name: "one line argued", edit: func(c map[string]any) {
			c["analysis"].(map[string]any)["interests_of_justice"] = "Nothing suggests that an investigation would not serve the interests of justice."
		}, checks: 10, also: string(finding.CheckUnsupported)}, // 9 open lines, and the argued one cites no evidence
		{name: "a person of interest without liability", edit: func(c map[string]any) {
			c["persons"] = []any{map[string]any{"id": "AP-01", "pseudonym": "Person of interest 01", "roles": []any{"alleged_perpetrator"}}}
		}, checks: 2, folded: true, also: string(finding.CheckLiability)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c map[string]any
			if err := json.Unmarshal(src, &c); err != nil {
				t.Fatal(err)
			}
			tc.edit(c)
			dir := t.TempDir()
			b, _ := json.MarshalIndent(c, "", "  ")
			if err := os.WriteFile(filepath.Join(dir, "case.json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, fs, err := LoadAndValidate(context.Background(), dir, Options{SkipFiles: true, Checklist: true})
			if err != nil {
				t.Fatal(err)
			}
			checks, folded, also := 0, false, tc.also == ""
			for _, f := range fs {
				if f.Severity == finding.Error {
					t.Fatalf("the case is invalid: %s", f)
				}
				if strings.HasPrefix(string(f.Code), "CP-CHECK-") {
					checks++
				}
				if f.Code == finding.CheckUnargued && strings.Contains(f.Message, "analysis is not begun") {
					folded = true
					if f.Pointer != "/analysis" || !strings.Contains(f.Message, "10 elements") || !strings.Contains(f.Hint, "validate --checklist") {
						t.Errorf("the not-begun warning: %s (hint %q)", f, f.Hint)
					}
				}
				also = also || string(f.Code) == tc.also
			}
			if checks != tc.checks || folded != tc.folded || !also {
				t.Errorf("%d checklist warnings (not begun: %v, %s: %v), want %d (%v)", checks, folded, tc.also, also, tc.checks, tc.folded)
				for _, f := range fs {
					t.Logf("  %s", f)
				}
			}
		})
	}
}
