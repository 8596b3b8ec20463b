package evidence

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
)

// TestCopyLeavesAccessTime: packaging leaves every evidence file's access
// time as it was, whichever path copies it — a photo read whole through a
// bare descriptor, a video copied and re-read with direct I/O
// (internal/barefd's KeepingAccessTime, used by internal/source).
func TestCopyLeavesAccessTime(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	past := time.Now().Add(-72 * time.Hour).Truncate(time.Second)
	accessed := func(p string) time.Time {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return time.Unix(fi.Sys().(*syscall.Stat_t).Atim.Unix())
	}
	probe, _ := writeRandom(t, src, "probe", 10, 9)
	if err := os.Chtimes(probe, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(probe); err != nil {
		t.Fatal(err)
	}
	if accessed(probe).Equal(past) {
		t.Skipf("%s is mounted so that reading does not date access (noatime): nothing to check", src)
	}
	for i, tc := range []struct {
		name string
		size int
	}{
		{"photo.jpg", 4096},
		{"clip.mp4", digest.BufferSize + 1},
		{"video.mp4", 8 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := writeRandom(t, src, tc.name, tc.size, uint64(i))
			if err := os.Chtimes(p, past, past); err != nil {
				t.Fatal(err)
			}
			if _, err := Copy(context.Background(), 1, func(int) Job {
				return Job{ID: "EV-1", Src: p, Dst: filepath.Join(dst, tc.name)}
			}, Options{}); err != nil {
				t.Fatal(err)
			}
			if at := accessed(p); !at.Equal(past) {
				t.Errorf("%s (%d bytes): packaging dated the evidence file's access to %v, was %v", tc.name, tc.size, at, past)
			}
		})
	}
}
