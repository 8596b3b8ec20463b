package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
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

// countFS counts the bytes read from the files of fsys.
type countFS struct {
	fs.FS
	n *atomic.Int64
}

func (c countFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return countFile{f, c.n}, nil
}

type countFile struct {
	fs.File
	n *atomic.Int64
}

func (c countFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestCasepackScanEnds: a verification that stops before it takes
// casepack/manifest.json's items (casepackScan.end without each, as a
// return between startCasepackScan and each would) stops the reader near
// where it was, rather than leaving it blocked on the file or reading the
// rest; and end after each returns at once.
func TestCasepackScanEnds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"format":"casepack-manifest/1","evidence":[`)
	const items = 20000
	for i := range items {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"EV-%06d","files":[{"path":"data/evidence/EV-%06d/photo.jpg","size":1,"sha256":"%064d","sha512":"%0128d"}]}`, i, i, 0, 0)
	}
	b.WriteString("]}")
	text := b.String()
	for _, takeItems := range []bool{false, true} {
		var read atomic.Int64
		v := &verifier{fsys: countFS{fstest.MapFS{bag.CasepackManifestPath: {Data: []byte(text)}}, &read}, pkg: &Package{},
			files: map[string]*fileState{bag.CasepackManifestPath: {path: bag.CasepackManifestPath, size: int64(len(text))}}}
		before := runtime.NumGoroutine()
		c := v.startCasepackScan()
		n := 0
		if takeItems {
			if !c.each(v, func(bag.EvidenceItem) { n++ }) || n != items {
				t.Fatalf("each: %d items of %d, findings %+v", n, items, v.findings)
			}
		} else {
			// Let the reader fill what it may hand on and block.
			for deadline := time.Now().Add(5 * time.Second); len(c.items) < cap(c.items) && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		done := make(chan struct{})
		go func() { c.end(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("takeItems %v: end did not return", takeItems)
		}
		// The reader and the goroutine above close their channels just
		// before they end.
		for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if got := runtime.NumGoroutine(); got > before {
			t.Errorf("takeItems %v: %d goroutines after end, %d before", takeItems, got, before)
		}
		if !takeItems && read.Load() > int64(len(text))/4 {
			t.Errorf("end before each: the reader read %d bytes of %d, not stopping", read.Load(), len(text))
		}
		if takeItems && read.Load() != int64(len(text)) {
			t.Errorf("each: %d bytes of %d read", read.Load(), len(text))
		}
	}
}
