package verify

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/failfs"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// cancelFS is fsys with the context cancelled when name is opened: the
// verification is stopped while the tag files are being read side by side.
type cancelFS struct {
	fs.FS
	name   string
	cancel context.CancelFunc
}

func (c cancelFS) Open(name string) (fs.File, error) {
	if name == c.name {
		c.cancel()
	}
	return c.FS.Open(name)
}

// TestConcurrentReadsEnd: whichever of the files read side by side (the
// four manifests and casepack/manifest.json) cannot be opened, fails part
// way, or has the verification cancelled as it is opened, the file is
// reported once, as the reader's problem (CannotRead), or the
// verification ends with the context's error; and no goroutine of the
// reading is left behind.
func TestConcurrentReadsEnd(t *testing.T) {
	files := smallBag(t)
	dir := writeBag(t, files)
	names := []string{"manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt", bag.CasepackManifestPath}
	before := runtime.NumGoroutine()
	for _, name := range names {
		for _, how := range []string{"open", "read at 0", "read at 100", "cancelled"} {
			t.Run(name+" "+how, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var fsys fs.FS = os.DirFS(dir)
				switch how {
				case "open":
					fsys = failfs.FS{FS: fsys, Name: name, Err: syscall.EIO}
				case "read at 0":
					fsys = brokenFS{FS: fsys, name: name, after: 0}
				case "read at 100":
					fsys = brokenFS{FS: fsys, name: name, after: 100}
				case "cancelled":
					fsys = cancelFS{FS: fsys, name: name, cancel: cancel}
				}
				pkg := &Package{path: dir, kind: "folder", name: "PKG", fsys: fsys}
				rep, err := Verify(ctx, pkg, Options{Workers: 2})
				if how == "cancelled" {
					if err == nil && rep.Intact() {
						return // nothing was left to read when it was cancelled
					}
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("cancelled: error %v, report %+v", err, rep)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := CannotRead(rep)
				if len(got) != 1 || got[0].Path != name || got[0].Code != finding.BagUnreadable {
					t.Errorf("CannotRead %+v, findings %+v", got, rep.Findings)
				}
			})
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the verifications, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
