//go:build unix

package atomicfs

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestExactMode(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	d := open(t, dir, nil)
	tmp, err := d.MkdirTemp("pkg")
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(d.Join(tmp)); fi.Mode().Perm() != 0o755 {
		t.Errorf("temporary folder mode %v, want 0755 whatever the umask", fi.Mode().Perm())
	}
	if err := WriteFile(filepath.Join(dir, "pub.pem"), FileOptions{}, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "pub.pem")); fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, want 0644 whatever the umask", fi.Mode().Perm())
	}
}
