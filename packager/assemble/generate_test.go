package assemble

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
)

// waitLong bounds a wait a test expects to end: long enough never to
// fail a correct build on a loaded machine, short enough that a build
// that serialises what it should not fails instead of hanging.
const waitLong = 30 * time.Second

// textFile is a generated file at p whose Generate runs before, then writes
// p's own name.
func textFile(p string, before func(ctx context.Context, ev *Evidence) error) GeneratedFile {
	return GeneratedFile{Path: p, Generate: func(ctx context.Context, w io.Writer, ev *Evidence) error {
		if before != nil {
			if err := before(ctx, ev); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, p+"\n")
		return err
	}}
}

// TestGeneratedSideBySide: two generated files that wait for each other
// can only both finish when they are made at the same time; a file with
// After starts only once those it names are written, and sees them.
func TestGeneratedSideBySide(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	started := map[string]chan struct{}{"data/a.txt": make(chan struct{}), "data/b.txt": make(chan struct{})}
	meet := func(self, other string) func(context.Context, *Evidence) error {
		return func(ctx context.Context, _ *Evidence) error {
			close(started[self])
			select {
			case <-started[other]:
				return nil
			case <-time.After(waitLong):
				return fmt.Errorf("%s: %s was not made beside it", self, other)
			}
		}
	}
	var aDone atomic.Bool
	a := textFile("data/a.txt", meet("data/a.txt", "data/b.txt"))
	inner := a.Generate
	a.Generate = func(ctx context.Context, w io.Writer, ev *Evidence) error {
		err := inner(ctx, w, ev)
		aDone.Store(true)
		return err
	}
	after := textFile("data/after-a.txt", func(context.Context, *Evidence) error {
		if !aDone.Load() {
			return errors.New("started before data/a.txt was written")
		}
		return nil
	})
	after.After = []string{"data/a.txt"}
	spec.Files = append(spec.Files, a, after, textFile("data/b.txt", meet("data/b.txt", "data/a.txt")))
	res, err := Build(context.Background(), spec, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"data/a.txt", "data/b.txt", "data/after-a.txt"} {
		if got := readFile(t, res.Dir+"/"+p); got != p+"\n" {
			t.Errorf("%s = %q", p, got)
		}
	}
	// The timings: one phase for the generated files, and each file's own
	// time beside it, after it.
	var names []string
	for _, ph := range res.Timings {
		if ph.Beside {
			names = append(names, "  "+ph.Name)
		} else {
			names = append(names, ph.Name)
		}
	}
	got := strings.Join(names, "|")
	want := "evidence|generate|  generate data/case/case.json|  generate data/annexes/csv/evidence.csv|  generate data/a.txt|  generate data/after-a.txt|  generate data/b.txt|manifests and tag files"
	if !strings.HasPrefix(got, want) {
		t.Errorf("timings %s\nwant them to start %s", got, want)
	}
}

// TestGeneratedAtMostTwo: however many generated files are ready, at most
// two are made at once (each holds its own view of the case).
func TestGeneratedAtMostTwo(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	spec.Files = nil
	var running, most atomic.Int32
	entered := make(chan struct{}, 8)
	release := make(chan struct{})
	for i := range 5 {
		spec.Files = append(spec.Files, textFile(fmt.Sprintf("data/g%d.txt", i), func(ctx context.Context, _ *Evidence) error {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			entered <- struct{}{}
			select {
			case <-release:
				return nil
			case <-time.After(waitLong):
				return errors.New("never released")
			}
		}))
	}
	done := make(chan error, 1)
	go func() {
		_, err := Build(context.Background(), spec, Options{OutDir: t.TempDir(), Workers: 8})
		done <- err
	}()
	for i := range 2 {
		select {
		case <-entered:
		case <-time.After(waitLong):
			t.Errorf("%d generated files made at once, want 2", i)
		}
	}
	// Two are in; a third would enter now if the build let it.
	select {
	case <-entered:
		t.Error("a third generated file started while two were being made")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m := most.Load(); m != 2 {
		t.Errorf("at most %d made at once, want 2", m)
	}
}

// TestNoEvidenceDuringCopy: a file with NoEvidence is made while the
// evidence is copied, and is handed no results.
func TestNoEvidenceDuringCopy(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	made := make(chan struct{})
	early := textFile("data/early.txt", func(_ context.Context, ev *Evidence) error {
		defer close(made)
		if ev != nil {
			return errors.New("handed evidence results it cannot have yet")
		}
		return nil
	})
	early.NoEvidence = true
	spec.Files = append(spec.Files, early)
	var once sync.Once
	waited := false
	res, err := Build(context.Background(), spec, Options{OutDir: t.TempDir(), beforeReread: func(string, string) {
		// The first evidence copy is not re-read (the evidence pass does
		// not end) until the early file is made.
		once.Do(func() {
			select {
			case <-made:
				waited = true
			case <-time.After(waitLong):
			}
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !waited {
		t.Error("the NoEvidence file was not made while the evidence was copied")
	}
	if got := readFile(t, res.Dir+"/data/early.txt"); got != "data/early.txt\n" {
		t.Errorf("data/early.txt = %q", got)
	}
}

// TestGeneratedFailures: whichever failure comes first in time, the build
// reports the same one, and leaves nothing behind.
func TestGeneratedFailures(t *testing.T) {
	errFirst, errSecond := errors.New("first generator fails"), errors.New("second generator fails")
	tests := []struct {
		name   string
		change func(*Spec)
		want   error
	}{
		{"two fail, the later first in time", func(s *Spec) {
			// y fails only once x runs: a file that has not started when
			// another fails is not made, so it has no failure to report.
			firstRuns, secondFailed := make(chan struct{}), make(chan struct{})
			s.Files = append(s.Files,
				textFile("data/x.txt", func(ctx context.Context, _ *Evidence) error {
					close(firstRuns)
					select {
					case <-secondFailed:
					case <-time.After(waitLong):
					}
					return errFirst
				}),
				textFile("data/y.txt", func(context.Context, *Evidence) error {
					select {
					case <-firstRuns:
					case <-time.After(waitLong):
					}
					close(secondFailed)
					return errSecond
				}))
		}, errFirst},
		{"one fails, the other stopped", func(s *Spec) {
			s.Files = append(s.Files,
				textFile("data/x.txt", func(ctx context.Context, _ *Evidence) error {
					select {
					case <-ctx.Done():
						return fmt.Errorf("stopped: %w", ctx.Err())
					case <-time.After(waitLong):
						return errors.New("not stopped")
					}
				}),
				textFile("data/y.txt", func(context.Context, *Evidence) error { return errSecond }))
		}, errSecond},
		{"a file after a failed one is not made", func(s *Spec) {
			x := textFile("data/x.txt", func(context.Context, *Evidence) error { return errFirst })
			y := textFile("data/y.txt", func(context.Context, *Evidence) error { return errSecond })
			y.After = []string{"data/x.txt"}
			s.Files = append(s.Files, x, y)
		}, errFirst},
		{"a NoEvidence file fails", func(s *Spec) {
			x := textFile("data/x.txt", func(context.Context, *Evidence) error { return errFirst })
			x.NoEvidence = true
			s.Files = append(s.Files, x)
		}, errFirst},
		{"the evidence and a NoEvidence file fail: the evidence's failure", func(s *Spec) {
			s.Evidence[2].Src += ".gone"
			x := textFile("data/x.txt", func(context.Context, *Evidence) error { return errFirst })
			x.NoEvidence = true
			s.Files = append(s.Files, x)
		}, os.ErrNotExist},
		{"After names a later file", func(s *Spec) {
			x := textFile("data/x.txt", nil)
			x.After = []string{"data/y.txt"}
			s.Files = append(s.Files, x, textFile("data/y.txt", nil))
		}, ErrInvalidSpec},
		{"NoEvidence with After", func(s *Spec) {
			x := textFile("data/x.txt", nil)
			x.After, x.NoEvidence = []string{s.Files[0].Path}, true
			s.Files = append(s.Files, x)
		}, ErrInvalidSpec},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t, defaultEvidence)
			spec := c.spec(defaultEvidence)
			tc.change(&spec)
			out := t.TempDir()
			_, err := Build(context.Background(), spec, Options{OutDir: out})
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if got := listDir(t, out); len(got) != 0 {
				t.Errorf("left behind %q", got)
			}
		})
	}
}

// TestGeneratedHandsOnDigests: a generator is handed the digests of the
// files its After names and of their Also files, those of the bytes
// written into the package; of no other file, nor outside a build.
func TestGeneratedHandsOnDigests(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	paths := []string{"data/early.txt", "data/a.txt", "data/a-twin.txt", "data/b.txt", "data/c.txt"}
	var mu sync.Mutex
	seen := map[string]map[string]digest.Digests{} // by asking file, the digests it was handed
	handsOn := map[string]bool{}
	ask := func(self string) func(context.Context, *Evidence) error {
		return func(_ context.Context, ev *Evidence) error {
			mu.Lock()
			defer mu.Unlock()
			seen[self] = map[string]digest.Digests{}
			for _, p := range paths {
				if d, ok := ev.Generated(p); ok {
					seen[self][p] = d
				}
			}
			handsOn[self] = ev.HandsOnDigests()
			return nil
		}
	}
	early := textFile("data/early.txt", nil)
	early.NoEvidence = true
	a := GeneratedFile{Path: "data/a.txt", Also: []string{"data/a-twin.txt"}, Generate: func(_ context.Context, w io.Writer, _ *Evidence) error {
		twin, err := w.(AlsoWriter).CreateAlso("data/a-twin.txt")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(twin, "the twin of a, longer than a\n"); err != nil {
			return err
		}
		if err := twin.Close(); err != nil {
			return err
		}
		_, err = io.WriteString(w, "a\n")
		return err
	}}
	b := textFile("data/b.txt", ask("data/b.txt"))
	b.After = []string{"data/early.txt", "data/a.txt"}
	spec.Files = append(spec.Files, early, a, b, textFile("data/c.txt", ask("data/c.txt")))
	res, err := Build(context.Background(), spec, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		asker, file string
		handed      bool
	}{
		{"data/b.txt", "data/early.txt", true},
		{"data/b.txt", "data/a.txt", true},
		{"data/b.txt", "data/a-twin.txt", true}, // Also of a file of its After
		{"data/b.txt", "data/b.txt", false},     // its own
		{"data/b.txt", "data/c.txt", false},     // not in its After
		{"data/c.txt", "data/a.txt", false},     // no After
		{"data/c.txt", "data/a-twin.txt", false},
	} {
		d, ok := seen[tc.asker][tc.file]
		if ok != tc.handed {
			t.Errorf("%s was handed the digests of %s: %v, want %v", tc.asker, tc.file, ok, tc.handed)
			continue
		}
		if !ok {
			continue
		}
		got, err := os.ReadFile(res.Dir + "/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		s256, s512 := sha256.Sum256(got), sha512.Sum512(got)
		if want := (digest.Digests{Size: int64(len(got)), SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:])}); d != want {
			t.Errorf("%s was handed %+v for %s, which holds %+v", tc.asker, d, tc.file, want)
		}
	}
	for _, p := range []string{"data/b.txt", "data/c.txt"} {
		if !handsOn[p] {
			t.Errorf("%s: the build's Evidence does not say it hands on digests", p)
		}
	}
	if NewEvidence(nil).HandsOnDigests() || (*Evidence)(nil).HandsOnDigests() {
		t.Error("an Evidence made outside a build says it hands on digests")
	}
	if _, ok := NewEvidence(nil).Generated("data/a.txt"); ok {
		t.Error("an Evidence made outside a build hands on digests")
	}
}
