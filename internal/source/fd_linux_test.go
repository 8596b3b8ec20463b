package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestOpenFDRefusesWhatIsNotAFile: OpenFD refuses what Open refuses,
// without blocking, with the same error.
func TestOpenFDRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "photo.jpg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	for _, p := range []string{fifo, dir, "/dev/null", filepath.Join(dir, "missing")} {
		_, want := Open(p)
		err := within(t, p, func() error { _, err := OpenFD(p); return err })
		if err == nil || want == nil || err.Error() != want.Error() || errors.Is(err, ErrNotRegular) != errors.Is(want, ErrNotRegular) {
			t.Errorf("OpenFD(%s): %v, want %v", p, err, want)
		}
	}
}

// TestOpenFDUnchanged: a file opened with OpenFD reads whole and tells
// every change Open's does, in the same words (the times it quotes
// aside).
func TestOpenFDUnchanged(t *testing.T) {
	byFile := testUnchanged(t, func(p string) (opened, error) { return Open(p) })
	byFD := testUnchanged(t, func(p string) (opened, error) { return OpenFD(p) })
	times := regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+Z`)
	for name, want := range byFile {
		got := byFD[name]
		// Each run wrote its own file: the paths and times differ.
		strip := func(s string) string {
			_, reason, _ := strings.Cut(s, ".mp4: ")
			return times.ReplaceAllString(reason, "T")
		}
		if got == "" || strip(got) == "" || strip(got) != strip(want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestFDRetriesAnInterruptedStat: a stat or fstat a signal interrupts
// (EINTR) is made again, as Go's os package makes its own: the untouched
// file opens and is unchanged, however often the call was interrupted.
// Any other failure is refused as before, in the same words: an fstat's
// as OpenFD's error, a stat's as the file replaced.
func TestFDRetriesAnInterruptedStat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(p, []byte("evidence"), 0o644); err != nil {
		t.Fatal(err)
	}
	replaced := p + ": changed while casepack was reading it (another file was put in its place); what was read cannot be trusted"
	for _, tc := range []struct {
		call      string
		fail      []error
		open, unc string // OpenFD's and Unchanged's errors; "" for none
	}{
		{"stat", []error{syscall.EINTR}, "", ""},
		{"stat", []error{syscall.EINTR, syscall.EINTR}, "", ""},
		{"stat", []error{syscall.ENOENT}, "", replaced},
		{"stat", []error{syscall.EIO}, "", replaced},
		{"stat", []error{syscall.EINTR, syscall.EACCES}, "", replaced},
		{"fstat", []error{syscall.EINTR}, "", ""},
		{"fstat", []error{syscall.EINTR, syscall.EINTR}, "", ""},
		{"fstat", []error{syscall.EIO}, "stat " + p + ": input/output error", ""},
		{"fstat", []error{syscall.EINTR, syscall.EACCES}, "stat " + p + ": permission denied", ""},
	} {
		name := fmt.Sprintf("%s %v", tc.call, tc.fail)
		fail := tc.fail
		statFault = func(call string) error {
			if call != tc.call || len(fail) == 0 {
				return nil
			}
			err := fail[0]
			fail = fail[1:]
			return err
		}
		var open, unc string
		f, err := OpenFD(p)
		if err != nil {
			open = err.Error()
		} else {
			if err := f.Unchanged(); err != nil {
				unc = err.Error()
			}
			f.Close()
		}
		statFault = nil
		if open != tc.open || unc != tc.unc {
			t.Errorf("%s: OpenFD %q, Unchanged %q; want %q, %q", name, open, unc, tc.open, tc.unc)
		}
		if len(fail) > 0 {
			t.Errorf("%s: %v never returned: the %s was not made again after it failed", name, fail, tc.call)
		}
	}
}
