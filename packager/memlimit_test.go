package packager

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestBuildMemoryLimit: a build's limit is 32 MiB plus 20 bytes per byte
// of case.json, raised by perEvidenceFile for each evidence file beyond
// the first roomyEvidenceFiles once the case is read; a limit set for validation, or none, is never raised; a
// workbook counts six times its size (zipped XML).
func TestBuildMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "") // SetMemoryLimit steps aside when it is set
	os.Unsetenv("GOMEMLIMIT")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer buildLimit.Store(buildLimit.Load())

	dir := t.TempDir()
	caseFile := filepath.Join(dir, "case.json")
	if err := os.WriteFile(caseFile, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(t.TempDir(), "case.xlsx") // only its size is read
	if err := os.WriteFile(book, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		set   func()
		files int
		want  int64
	}{
		{"build", func() { SetMemoryLimit(dir, Building) }, 20000, 32<<20 + 20*1000 + (20000-roomyEvidenceFiles)*perEvidenceFile},
		{"build, a few thousand files", func() { SetMemoryLimit(dir, Building) }, roomyEvidenceFiles, 32<<20 + 20*1000},
		{"build, one more", func() { SetMemoryLimit(dir, Building) }, roomyEvidenceFiles + 1, 32<<20 + 20*1000 + perEvidenceFile},
		{"build, no evidence", func() { SetMemoryLimit(dir, Building) }, 0, 32<<20 + 20*1000},
		{"validation", func() { SetMemoryLimit(dir, Validating) }, 20000, 32<<20 + 7*1000},
		{"validation of a workbook", func() { SetMemoryLimit(book, Validating) }, 20000, 32<<20 + 6*7*4/7*1000},
		{"no limit set", func() { debug.SetMemoryLimit(math.MaxInt64) }, 20000, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buildLimit.Store(0)
			debug.SetMemoryLimit(math.MaxInt64)
			tt.set()
			raiseBuildLimit(tt.files)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
		})
	}
}
