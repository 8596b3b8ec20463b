package casegen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/schema"
)

func TestGeneratedCasesValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		// caseOnly writes case.json alone and skips file checks: writing
		// ten thousand files would only test the file system.
		caseOnly bool
	}{
		{"zero values", Options{}, false},
		{"one person", Options{Persons: 1, Evidence: 1}, false},
		{"more incidents than evidence", Options{Incidents: 12, Persons: 30, Evidence: 5, Seed: 2}, false},
		{"small", Options{Incidents: 3, Persons: 120, Evidence: 40, Seed: 7}, false},
		{"six-digit evidence IDs, over 100 incidents", Options{Incidents: 101, Persons: 10, Evidence: 10001, Seed: 3}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if !tc.caseOnly {
				tc.opt.Dir = dir
			}
			c, err := Generate(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if tc.caseOnly {
				if err := WriteCase(dir, c); err != nil {
					t.Fatal(err)
				}
			}
			if len(c.Persons) != tc.opt.Persons {
				t.Errorf("persons: got %d, want %d", len(c.Persons), tc.opt.Persons)
			}
			if want := max(tc.opt.Evidence, 1); len(c.Evidence) != want {
				t.Errorf("evidence: got %d, want %d", len(c.Evidence), want)
			}
			_, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipFiles: tc.caseOnly})
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range findings {
				if i == 20 {
					t.Fatalf("… and %d more findings", len(findings)-i)
				}
				t.Errorf("%s", f)
			}
		})
	}
}

// TestDeterministic: the same options give the same bytes, another seed
// gives another case.
func TestDeterministic(t *testing.T) {
	write := func(seed int64) []byte {
		dir := t.TempDir()
		if _, err := Generate(Options{Incidents: 4, Persons: 50, Evidence: 20, Seed: seed, Dir: dir}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, schema.CaseFileName))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b, other := write(1), write(1), write(2)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if bytes.Equal(a, other) {
		t.Error("seeds 1 and 2 give the same case")
	}
}

// TestWithoutDir: with no folder, nothing is written, and the case still
// validates when file checks are skipped.
func TestWithoutDir(t *testing.T) {
	c, err := Generate(Options{Incidents: 2, Persons: 20, Evidence: 10, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteCase(dir, c); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != schema.CaseFileName {
		t.Errorf("WriteCase left %v, want only %s", entries, schema.CaseFileName)
	}
	_, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("%s", f)
	}
}

func TestLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		want error
	}{
		{"too many incidents", Options{Incidents: MaxIncidents + 1}, ErrTooLarge},
		{"too many evidence items", Options{Evidence: MaxEvidence + 1}, ErrTooLarge},
		{"too many victims", Options{Persons: 3 * MaxPersonsPerRole}, ErrTooLarge},
		{"negative", Options{Persons: -1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPersonID(t *testing.T) {
	for _, tc := range []struct {
		k    int
		want string
	}{
		{0, "V-0001"},
		{9998, "V-9999"},
		{9999, "VA-0001"},
		{2*9999 + 4, "VB-0005"},
		{MaxPersonsPerRole - 1, "VZ-9999"},
	} {
		if got := personID("V", tc.k); got != tc.want {
			t.Errorf("personID(V, %d) = %s, want %s", tc.k, got, tc.want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Incidents: 100, Persons: 10000, Evidence: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
