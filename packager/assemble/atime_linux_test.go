//go:build linux

package assemble

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestCheckLeavesAccessTimes: the verify-after-write lists the package's
// folders without dating access anew (internal/beneath opens them
// O_NOATIME), so they keep the access time the build gave them (the build
// date) rather than the time of the check, and their inodes are not
// dirtied again for the last sync; so do the small copies, read back
// before they are dated. (A large copy and the tag files are read again
// through other paths, not covered here.)
// Reading dates access (relatime) where the test's folder is mounted
// without noatime, which is the case this test covers.
func TestCheckLeavesAccessTimes(t *testing.T) {
	evs := []evSpec{
		{"EV-0001", "video.mp4", "video/mp4", 3 << 20, false},
		{"EV-0002", "photo.jpg", "image/jpeg", 20 << 10, false},
		{"EV-0003", "notes.txt", "text/plain", 1500, false},
	}
	out := t.TempDir()
	readDatesAccess(t, out)
	c := newCase(t, evs)
	spec := c.spec(evs)
	if _, err := Build(context.Background(), spec, Options{OutDir: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(out, spec.Name)
	// Stat, not a listing: listing a folder would date its access.
	for _, p := range []string{
		"data", "data/evidence", "data/evidence/EV-0001", "data/evidence/EV-0002", "data/evidence/EV-0003",
		"data/evidence/EV-0002/photo.jpg", "data/evidence/EV-0003/notes.txt",
	} {
		fi, err := os.Stat(filepath.Join(pkg, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if at := time.Unix(st.Atim.Unix()); !at.Equal(testDate) {
			t.Errorf("%s: accessed %v, want the build date %v", p, at, testDate)
		}
	}
}

// readDatesAccess skips the test where reading a file does not date its
// access (a folder mounted noatime): there the check could not fail.
func readDatesAccess(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "probe")
	if err := os.WriteFile(p, []byte("probe"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, testDate, testDate); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if at := time.Unix(fi.Sys().(*syscall.Stat_t).Atim.Unix()); at.Equal(testDate) {
		t.Skipf("%s is mounted so that reading does not date access (noatime): nothing to check", dir)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}
