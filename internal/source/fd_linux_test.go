package source

import (
	"errors"
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
