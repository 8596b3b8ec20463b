package packager

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// limitTest readies t for a test of the process's memory limit:
// GOMEMLIMIT unset (SetMemoryLimit steps aside when it is set), and the
// limit and buildLimit put back as they were when t ends.
func limitTest(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	limit, build := debug.SetMemoryLimit(-1), buildLimit.Load()
	t.Cleanup(func() {
		debug.SetMemoryLimit(limit)
		buildLimit.Store(build)
	})
}

// buildsLimit is the memory limit a build of files evidence files
// sets (raiseBuildLimit) after set, from none set before it.
func buildsLimit(set func(), files int) int64 {
	buildLimit.Store(0)
	debug.SetMemoryLimit(math.MaxInt64)
	set()
	raiseBuildLimit(files)
	return debug.SetMemoryLimit(-1)
}

// zeros writes size zero bytes to a file called name in a new temporary
// folder and returns its path: the limits read only a case's size.
func zeros(t *testing.T, name string, size int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildMemoryLimit: a build of case.json gets buildBase (12.5 MiB) plus 6 bytes per
// byte of it, raised to buildBase plus perEvidenceFile for each evidence file
// when the case's items are too terse for that, and never less than 32 MiB
// (buildFloor: the bench set's 2,009 files got 23.4 MiB and collected 80
// times, 30-42 of them while generating its files); a build of a case.yaml or a
// workbook keeps 32 MiB plus 12 bytes per byte (a workbook counts six times
// its size: zipped XML); a limit set for validation, or none, is never
// raised. The bench's 20,000 photos (5.5 MB of case.json) get 44.0 MiB:
// the collector keeps the heap there, not at twice what is live.
func TestBuildMemoryLimit(t *testing.T) {
	limitTest(t)
	const size = 5_300_000 // case.json of the bench's 20,000 photos
	dir := filepath.Dir(zeros(t, "case.json", size))
	book := zeros(t, "case.xlsx", size)
	const smallSize = 500_000 // case.json of the bench set's 2,009 files
	small := filepath.Dir(zeros(t, "case.json", smallSize))
	yaml := zeros(t, "case.yaml", size)
	tests := []struct {
		name  string
		set   func()
		files int
		want  int64
	}{
		{"build", func() { SetMemoryLimit(dir, Building) }, 3, buildBase + 6*size},
		{"build, terse items", func() { SetMemoryLimit(dir, Building) }, 30000, buildBase + 30000*1536},
		{"build, items just terse enough", func() { SetMemoryLimit(dir, Building) }, 6 * size / 1536, buildBase + 6*size},
		{"build, no evidence", func() { SetMemoryLimit(dir, Building) }, 0, buildBase + 6*size},
		{"build of a small case", func() { SetMemoryLimit(small, Building) }, 2009, 32 << 20},
		{"build of a small case, terse items", func() { SetMemoryLimit(small, Building) }, 20000, buildBase + 20000*1536},
		{"validation of a small case", func() { SetMemoryLimit(small, Validating) }, 2009, 32<<20 + 7*smallSize},
		{"build of a case.yaml", func() { SetMemoryLimit(yaml, Building) }, 3, 32<<20 + 12*size},
		{"build of a workbook", func() { SetMemoryLimit(book, Building) }, 3, 32<<20 + 6*12*size},
		{"build of a workbook, terse items", func() { SetMemoryLimit(book, Building) }, 500000, buildBase + 500000*1536},
		{"validation", func() { SetMemoryLimit(dir, Validating) }, 20000, 32<<20 + 7*size},
		{"validation of a workbook", func() { SetMemoryLimit(book, Validating) }, 20000, 32<<20 + 6*7*4/7*size},
		{"no limit set", func() { debug.SetMemoryLimit(math.MaxInt64) }, 20000, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildsLimit(tt.set, tt.files); got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
		})
	}
}

// TestBuildMemoryLimitBench pins the limit of a case.json like the bench's
// 20,000 photos (scripts/bench-package.sh) at most 44 MiB: 324 MiB before the generated files were
// streamed, 95 MiB before the build let go of what it no longer needs
// (the plan's lists before the verify-after-write, a megabyte of read
// buffer per stream), 76.5 MiB before it let go of the case data, the
// plan and the re-read's map earlier still, 56.8 MiB before it let go of
// the case's bytes and the verifier of the manifests' text, 51.5 MiB
// before it stopped holding a list of every file for the workbook and
// each file's digests in hex, 49.0 MiB until the limit was found to set
// the build's peak in every phase, 44.0 MiB now (42.8 MiB for this
// test's 5.3 MB): see buildBase.
func TestBuildMemoryLimitBench(t *testing.T) {
	limitTest(t)
	SetMemoryLimit(filepath.Dir(zeros(t, "case.json", 5_300_000)), Building)
	raiseBuildLimit(20000)
	if got := debug.SetMemoryLimit(-1); got > 44<<20 {
		t.Errorf("limit %.1f MiB for 20,000 photos, want at most 44 MiB", float64(got)/(1<<20))
	}
}

// TestVerifyMemoryLimit: once the files beside are written, a build's
// limit is lowered by verifyLess (4 MiB) for the verify-after-write,
// never below buildFloor, and put back when the build returns; a limit a
// build did not set (GOMEMLIMIT, a server's, none) or set for validation
// is left as it is.
func TestVerifyMemoryLimit(t *testing.T) {
	limitTest(t)
	photos := filepath.Dir(zeros(t, "case.json", 5_300_000)) // case.json of the bench's 20,000 photos
	small := filepath.Dir(zeros(t, "case.json", 500_000))    // case.json of the bench set's 2,009 files
	tests := []struct {
		name  string
		set   func()
		files int
		want  int64
	}{
		{"20,000 photos", func() { SetMemoryLimit(photos, Building) }, 20000, buildBase + 6*5_300_000 - verifyLess},
		{"terse items", func() { SetMemoryLimit(photos, Building) }, 30000, buildBase + 30000*perEvidenceFile - verifyLess},
		{"a small case, at the floor", func() { SetMemoryLimit(small, Building) }, 2009, buildFloor},
		{"a small case, just above the floor", func() { SetMemoryLimit(small, Building) }, (buildFloor + 1<<20 - buildBase) / perEvidenceFile, buildFloor},
		{"validation", func() { SetMemoryLimit(photos, Validating) }, 20000, 32<<20 + 7*5_300_000},
		{"no limit set", func() { debug.SetMemoryLimit(math.MaxInt64) }, 20000, math.MaxInt64},
		{"a limit not set for a build", func() { debug.SetMemoryLimit(40 << 20) }, 20000, 40 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := buildsLimit(tt.set, tt.files)
			restore := lowerBuildLimit()
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("limit %d (%.1f MiB) for the verify-after-write, want %d (%.1f MiB)", got, float64(got)/(1<<20), tt.want, float64(tt.want)/(1<<20))
			}
			restore()
			if got := debug.SetMemoryLimit(-1); got != build {
				t.Errorf("limit %d once the build returns, want the build's, %d", got, build)
			}
		})
	}
}

// TestEvidenceDoneLetsTheBytesGo: once the evidence pass is over, a build's
// case data no longer holds the case's bytes (5.5 MB of the generated
// files' peak for 20,000 photos), and a declared digest the evidence
// contradicts is still a finding at its line, located before they go.
func TestEvidenceDoneLetsTheBytesGo(t *testing.T) {
	doc, _, err := loadCase(context.Background(), filepath.Join("..", "samples", "minimal"), schema.Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) == 0 {
		t.Fatal("the case's bytes are not held to begin with: the test shows nothing")
	}
	ev := doc.Case.Evidence[0]
	mismatch := &evidence.DigestMismatch{ID: ev.ID, Path: filepath.Join(doc.Dir, filepath.FromSlash(ev.Files[0].Path)),
		Want: strings.Repeat("0", 64), Got: strings.Repeat("1", 64)}
	fs := evidenceDone(doc, errors.Join(mismatch))
	if len(fs) != 1 || fs[0].Code != finding.HashMismatch || fs[0].Line == 0 {
		t.Errorf("findings %+v, want one %s at its line", fs, finding.HashMismatch)
	}
	if doc.Data != nil {
		t.Errorf("the case's %d bytes are still held", len(doc.Data))
	}
	doc.Data = []byte("{}")
	if fs := evidenceDone(doc, nil); len(fs) != 0 || doc.Data != nil {
		t.Errorf("a pass without mismatches: findings %+v, the bytes held: %v", fs, doc.Data != nil)
	}
}

// TestDeclaresDigest: a build lets the case's bytes go before the evidence
// pass when no evidence file declares a SHA-256 (samples/minimal), since no
// mismatch can then be located in them, and keeps them through the pass
// when one does (samples/la-vega).
func TestDeclaresDigest(t *testing.T) {
	for sample, want := range map[string]bool{"minimal": false, "la-vega": true} {
		doc, _, err := loadCase(context.Background(), filepath.Join("..", "samples", sample), schema.Options{SkipFiles: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := declaresDigest(doc.Case); got != want {
			t.Errorf("%s: declaresDigest %v, want %v", sample, got, want)
		}
	}
}
