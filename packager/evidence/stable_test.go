//go:build unix

package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
)

// TestCopyRefusesAFIFO: an evidence file swapped for a FIFO after the case
// was validated is refused at once, not waited on for ever.
func TestCopyRefusesAFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "video.mp4")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	// The size Copy's check saw decides the way: a small file's (a bare
	// descriptor on Linux) or a large one's.
	for _, size := range []int64{0, 4 * digest.BufferSize} {
		done := make(chan error, 1)
		go func() {
			// Copy's own check happens before; the swap comes after it, as
			// a swap after validation would.
			_, err := copyOne(context.Background(), 0, Job{ID: "EV-0001", Src: fifo, Dst: filepath.Join(dir, fmt.Sprint("out", size))}, size, 0o644, digest.NewMeter(nil, 1, 0), &Options{})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, source.ErrNotRegular) || !strings.Contains(err.Error(), "EV-0001") || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("size %d: err %v, want the FIFO refused, naming the evidence", size, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("size %d: copying a FIFO blocked", size)
		}
	}
}

// TestCopyFileChangedWhileRead: an evidence file rewritten while it is
// copied (no declared digest to catch it) would be packaged with a digest
// matching neither its old nor its new content; Copy fails naming it.
// A small file (read whole in one read, on Linux through a bare
// descriptor, whose check is one stat of its path: source.FD.Unchanged)
// is checked as a large one is: truncated, removed, renamed away, or
// renamed away and back, put back with its bytes and times as they were.
func TestCopyFileChangedWhileRead(t *testing.T) {
	for _, size := range []int{4 * digest.BufferSize, 40 << 10} {
		for _, how := range []string{"appended", "rewritten in place", "replaced", "truncated", "removed", "renamed away", "renamed away and back", "replaced by the same bytes"} {
			src, dst := t.TempDir(), t.TempDir()
			p, _ := writeRandom(t, src, "video.mp4", size, 1)
			var once sync.Once
			_, err := copyJobs(context.Background(), []Job{{ID: "EV-0001", Src: p, Dst: filepath.Join(dst, "video.mp4")}}, Options{
				Progress: func(digest.Progress) {
					once.Do(func() { change(t, p, how, int64(size)*3/4) })
				}})
			var ce *source.ChangedError
			if !errors.As(err, &ce) || ce.Path != p || !strings.Contains(err.Error(), "evidence EV-0001") {
				t.Errorf("%d bytes, %s: err %v, want a ChangedError naming the evidence file", size, how, err)
			}
		}
	}
}

// change changes the file p (how), writing in place at off.
func change(t *testing.T, p, how string, off int64) {
	time.Sleep(10 * time.Millisecond) // let the status-change time move
	switch how {
	case "appended":
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Error(err)
			return
		}
		f.WriteString("more")
		f.Close()
	case "rewritten in place":
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		f.WriteAt([]byte("XXXX"), off)
		f.Close()
	case "replaced":
		os.WriteFile(p+".new", []byte("another file"), 0o644)
		os.Rename(p+".new", p)
	case "truncated":
		os.Truncate(p, off)
	case "removed":
		os.Remove(p)
	case "renamed away":
		os.Rename(p, p+".old")
	case "renamed away and back":
		os.Rename(p, p+".old")
		os.Rename(p+".old", p)
	case "replaced by the same bytes":
		// Another file, its bytes and modification time those of p: only
		// which file the path names tells them apart.
		fi, err := os.Stat(p)
		data, rerr := os.ReadFile(p)
		if err != nil || rerr != nil {
			t.Error(err, rerr)
			return
		}
		os.WriteFile(p+".new", data, 0o644)
		os.Chtimes(p+".new", fi.ModTime(), fi.ModTime())
		os.Rename(p+".new", p)
	}
}
