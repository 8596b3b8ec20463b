package assemble

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/verify"
)

// TestPlanReleasedBeforeVerify: by the time the package is verified after
// writing (the verifier's own record of every file comes on top), Build
// holds neither the Spec's lists of evidence files, nor its generators, nor
// the Write functions of the files beside (written by then), nor the
// caller's EvidenceDone (packager.Build's hold on the case data), only the
// results the report needs; the lists go before the generated
// files are made (the other peak of live memory), once
// casepack/manifest.json is written. For 20,000 files those lists are
// megabytes (packager/memlimit_test.go pins the limit that counts on it).
// All that is let go already when the caller is told the verify-after-write
// starts (Options.Verifying, once, before the check runs), on which
// packager.Build lowers the memory limit.
func TestPlanReleasedBeforeVerify(t *testing.T) {
	c := newCase(t, defaultEvidence)
	released := map[string]chan struct{}{
		"Spec.Evidence":          make(chan struct{}),
		"Spec.Manifest.Evidence": make(chan struct{}),
		"a generator's state":    make(chan struct{}),
		"a file beside's state":  make(chan struct{}),
		"EvidenceDone's state":   make(chan struct{}),
	}
	// The spec is made and watched in a function of its own, so that no
	// variable of the test holds it: only Build's copy does.
	spec := func() Spec {
		s := c.spec(defaultEvidence)
		runtime.SetFinalizer(&s.Evidence[0], func(*EvidenceFile) { close(released["Spec.Evidence"]) })
		runtime.SetFinalizer(&s.Manifest.Evidence[0], func(any) { close(released["Spec.Manifest.Evidence"]) })
		state := &struct{ buf []byte }{buf: make([]byte, 1<<10)}
		runtime.SetFinalizer(state, func(any) { close(released["a generator's state"]) })
		letter := &struct{ text string }{text: "a letter\n"}
		runtime.SetFinalizer(letter, func(any) { close(released["a file beside's state"]) })
		s.Beside = append(s.Beside, Beside{Suffix: ".letter.txt", Write: func(_ context.Context, w io.Writer, _ string, _ *Result) error {
			_, err := io.WriteString(w, letter.text)
			return err
		}})
		s.Files = append(s.Files, GeneratedFile{Path: "data/extra.txt", Generate: func(_ context.Context, w io.Writer, ev *Evidence) error {
			if ev.CasepackManifestSHA256() == "" || len(ev.All()) != len(defaultEvidence) {
				t.Errorf("the generator is handed %d results and manifest digest %q", len(ev.All()), ev.CasepackManifestSHA256())
			}
			waitReleased(t, released, "while the generated files are made", "Spec.Evidence", "Spec.Manifest.Evidence")
			_, err := w.Write(state.buf[:10])
			return err
		}})
		return s
	}
	checked := false
	check := func(context.Context, fs.FS) ([]finding.Finding, error) {
		checked = true
		waitReleased(t, released, "while the package is verified after writing", "Spec.Evidence", "Spec.Manifest.Evidence", "a generator's state",
			"a file beside's state", "EvidenceDone's state")
		return nil, nil
	}
	// What the caller's EvidenceDone holds (packager.Build: the case
	// data), made in a function of its own like the spec.
	done := func() func(error) {
		caseData := &struct{ buf []byte }{buf: make([]byte, 1<<10)}
		runtime.SetFinalizer(caseData, func(any) { close(released["EvidenceDone's state"]) })
		return func(err error) {
			if err != nil || len(caseData.buf) == 0 {
				t.Errorf("EvidenceDone(%v)", err)
			}
		}
	}
	verifying := 0
	told := func() {
		verifying++
		if checked {
			t.Error("Verifying was called after the verify-after-write ran the check")
		}
		waitReleased(t, released, "when the caller is told the verify-after-write starts", "Spec.Evidence", "Spec.Manifest.Evidence", "a generator's state",
			"a file beside's state", "EvidenceDone's state")
	}
	res, err := Build(context.Background(), spec(), Options{OutDir: t.TempDir(), Checks: []verify.Check{check}, EvidenceDone: done(), Verifying: told})
	if err != nil {
		t.Fatal(err)
	}
	if verifying != 1 {
		t.Errorf("Verifying was called %d times, want once", verifying)
	}
	if b, err := os.ReadFile(res.Beside[0]); err != nil || string(b) != "a letter\n" {
		t.Errorf("the file beside holds %q (%v)", b, err)
	}
	if !checked {
		t.Fatal("the verify-after-write did not run the check")
	}
}

// waitReleased collects garbage until each of what's finalizers has run
// (its channel in released is closed), for up to 5 s each.
func waitReleased(t *testing.T, released map[string]chan struct{}, when string, what ...string) {
	t.Helper()
	for _, w := range what {
		runtime.GC()
		runtime.GC()
		select {
		case <-released[w]:
		case <-time.After(5 * time.Second):
			t.Errorf("%s is still held %s", w, when)
		}
	}
}

// TestHashedLookup: the verify-after-write is handed as hashed exactly the
// copies whose re-read matched the digest they were written with, with
// that digest and size; a withheld file, an unmatched copy or a path the
// build did not write is read again by the verifier.
func TestHashedLookup(t *testing.T) {
	results := []evidence.Result{
		{Dst: "data/evidence/EV-3/c.jpg", Size: 3, Sum256: sum256(0xc3)},
		{Dst: "data/evidence/EV-1/a.jpg", Size: 1, Sum256: sum256(0xa1)},
		{Dst: "", Size: 9, Sum256: sum256(0xf9), Withheld: true},
		{Dst: "data/evidence/EV-2/b.jpg", Size: 2, Sum256: sum256(0xb2)},
		{Dst: "data/evidence/EV-4/d.jpg", Size: 4, Sum256: sum256(0xd4)},
	}
	if hashedLookup(results, make([]bool, len(results))) != nil {
		t.Error("a lookup when no copy matched")
	}
	if hashedLookup(results, nil) != nil {
		t.Error("a lookup with no re-read")
	}
	look := hashedLookup(results, []bool{true, true, true, false, true})
	tests := []struct {
		p    string
		want digest.Digests
		ok   bool
	}{
		{"data/evidence/EV-1/a.jpg", digest.Digests{Size: 1, SHA256: strings.Repeat("a1", 32)}, true},
		{"data/evidence/EV-3/c.jpg", digest.Digests{Size: 3, SHA256: strings.Repeat("c3", 32)}, true},
		{"data/evidence/EV-4/d.jpg", digest.Digests{Size: 4, SHA256: strings.Repeat("d4", 32)}, true},
		{"data/evidence/EV-2/b.jpg", digest.Digests{}, false}, // re-read, not matched
		{"", digest.Digests{}, false}, // withheld
		{"data/evidence/EV-5/e.jpg", digest.Digests{}, false},
		{"data/evidence/EV-0/z.jpg", digest.Digests{}, false},
	}
	for _, tt := range tests {
		got, ok := look(tt.p)
		if ok != tt.ok || got != tt.want {
			t.Errorf("lookup(%q) = %+v, %v; want %+v, %v", tt.p, got, ok, tt.want, tt.ok)
		}
	}
}

// TestEvidenceLookup: a generator finds every evidence result, withheld
// ones too, by its bag path, and All keeps Spec.Evidence's order.
func TestEvidenceLookup(t *testing.T) {
	results := []evidence.Result{
		{ID: "EV-3", Dst: "data/evidence/EV-3/c.jpg", Sum256: sum256(0xc)},
		{ID: "EV-1", Dst: "data/evidence/EV-1/a.jpg", Sum256: sum256(0xa)},
		{ID: "EV-9", Dst: "data/evidence/EV-9/w.jpg", Sum256: sum256(0xf), Withheld: true},
		{ID: "EV-2", Dst: "data/evidence/EV-2/b.jpg", Sum256: sum256(0xb)},
	}
	ev := NewEvidence(results)
	for _, r := range results {
		if got, ok := ev.Lookup(r.Dst); !ok || got != r {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", r.Dst, got, ok, r)
		}
	}
	for _, p := range []string{"", "data/evidence/EV-0/a.jpg", "data/evidence/EV-4/d.jpg", "data/evidence/EV-1/a.jp"} {
		if got, ok := ev.Lookup(p); ok {
			t.Errorf("Lookup(%q) = %+v, want none", p, got)
		}
	}
	if got := ev.All(); len(got) != len(results) || &got[0] != &results[0] {
		t.Errorf("All() is not the results in their order")
	}
	var none *Evidence
	if _, ok := none.Lookup("data/evidence/EV-1/a.jpg"); ok || none.All() != nil {
		t.Error("a nil Evidence holds something")
	}
}

// sum256 is a SHA-256 sum of 32 bytes b.
func sum256(b byte) (s [32]byte) {
	for i := range s {
		s[i] = b
	}
	return s
}

// TestEvidencePassHoldsLittlePerFile: while the evidence is copied, Build
// holds, for each file, its result and little else besides the caller's
// Spec: no list of the pass's jobs and no full path of each copy (the
// jobs are made from the Spec as the pass needs them, each copy's path
// within the temporary folder: evidence.Options.Dir). At 20,000 photos
// those were 3.1 MB of the live heap through the pass (a 64-byte job and
// a 90-byte path a file), the RSS the build's memory limit must allow.
func TestEvidencePassHoldsLittlePerFile(t *testing.T) {
	const n = 2000
	evs := make([]evSpec, n)
	for i := range evs {
		evs[i] = evSpec{id: fmt.Sprintf("EV-%05d", i), name: "photo-of-the-scene.jpg", mediaType: "image/jpeg", size: 1}
	}
	c := newCase(t, evs)
	spec := c.spec(evs)
	var seen atomic.Int64
	var during uint64
	before := testtool.LiveHeap()
	_, err := Build(context.Background(), spec, Options{OutDir: t.TempDir(), Workers: 1, beforeReread: func(string, string) {
		if seen.Add(1) == n/2 {
			during = testtool.LiveHeap()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	held := (float64(during) - float64(before)) / n
	t.Logf("the evidence pass holds %.0f bytes a file", held)
	// A result (160 bytes), the pass's size and order of each file (16),
	// the re-read's bit and the folders' entry (about 10): 198-205
	// measured here, 424-428 with a list of jobs and full paths (this
	// test's temporary folders have long names).
	if held > 260 {
		t.Errorf("the evidence pass holds %.0f bytes a file, want at most 260 (with a list of jobs and each copy's full path: 424-428)", held)
	}
	runtime.KeepAlive(spec)
}
