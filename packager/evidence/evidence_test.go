package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/casepack/casepack/internal/digest"
)

func writeRandom(t testing.TB, dir, name string, size int, seed uint64) (string, []byte) {
	t.Helper()
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func sums(b []byte) (string, string) {
	a, c := sha256.Sum256(b), sha512.Sum512(b)
	return hex.EncodeToString(a[:]), hex.EncodeToString(c[:])
}

func TestCopy(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sizes := []int{0, 1, digest.BufferSize - 1, digest.BufferSize, digest.BufferSize + 1, 3*digest.BufferSize + 17, 4096}
	var jobs []Job
	var data [][]byte
	for i, n := range sizes {
		p, b := writeRandom(t, src, "f"+string(rune('a'+i)), n, uint64(i))
		data = append(data, b)
		j := Job{ID: "EV-" + string(rune('A'+i)), Src: p, Dst: filepath.Join(dst, "sub", filepath.Base(p))}
		if i == 2 {
			j.Dst = "" // withheld: hash only
		}
		if i == 3 {
			j.DeclaredSHA256, _ = sums(b)
		}
		jobs = append(jobs, j)
	}
	var events, finished atomic.Int64
	var last digest.Progress
	res, err := Copy(context.Background(), jobs, Options{Workers: 3, Progress: func(p digest.Progress) {
		events.Add(1)
		if p.FileDone {
			finished.Add(1)
		}
		if p.TotalDone < last.TotalDone {
			t.Errorf("TotalDone went back from %d to %d", last.TotalDone, p.TotalDone)
		}
		last = p
	}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, r := range res {
		want256, want512 := sums(data[i])
		if r.ID != jobs[i].ID || r.Size != int64(len(data[i])) || r.SHA256 != want256 || r.SHA512 != want512 {
			t.Errorf("result %d = %+v", i, r)
		}
		total += int64(len(data[i]))
		if jobs[i].Dst == "" {
			if !r.Withheld {
				t.Errorf("%d: hash-only job not marked withheld", i)
			}
			continue
		}
		got, err := os.ReadFile(jobs[i].Dst)
		if err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("%d: copy differs (%v)", i, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dst, "sub")); len(entries) != len(sizes)-1 {
		t.Errorf("%d files written, want %d (hash-only job must not write)", len(entries), len(sizes)-1)
	}
	if finished.Load() != int64(len(sizes)) || last.TotalDone != total || last.Total != total || last.FilesDone != len(sizes) {
		t.Errorf("progress: %d files finished, last %+v, total %d", finished.Load(), last, total)
	}
}

func TestCopyDeclaredMismatch(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	p, _ := writeRandom(t, src, "video.mp4", 5000, 1)
	wrong := "00" + string(bytes.Repeat([]byte("1"), 62))
	_, err := Copy(context.Background(), []Job{{ID: "EV-0007", Src: p, Dst: filepath.Join(dst, "v"), DeclaredSHA256: wrong}}, Options{})
	var dm *DigestMismatch
	if !errors.As(err, &dm) {
		t.Fatalf("err = %v, want *DigestMismatch", err)
	}
	want, _ := sums(fileBytes(t, p))
	if dm.ID != "EV-0007" || dm.Path != p || dm.Want != wrong || dm.Got != want {
		t.Errorf("mismatch = %+v", dm)
	}

	// Every mismatch is reported, in job order, not just the first.
	q, _ := writeRandom(t, src, "photo.png", 3000, 2)
	r, _ := writeRandom(t, src, "ok.txt", 100, 3)
	okSum, _ := sums(fileBytes(t, r))
	_, err = Copy(context.Background(), []Job{
		{ID: "EV-0001", Src: p, Dst: filepath.Join(dst, "a"), DeclaredSHA256: wrong},
		{ID: "EV-0002", Src: r, Dst: filepath.Join(dst, "b"), DeclaredSHA256: okSum},
		{ID: "EV-0003", Src: q, Dst: filepath.Join(dst, "c"), DeclaredSHA256: wrong},
	}, Options{Workers: 2})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %v, want every mismatch joined", err)
	}
	var ids []string
	for _, e := range joined.Unwrap() {
		if errors.As(e, &dm) {
			ids = append(ids, dm.ID)
		}
	}
	if strings.Join(ids, ",") != "EV-0001,EV-0003" {
		t.Errorf("mismatches reported for %v, want EV-0001 and EV-0003", ids)
	}
}

func TestCopyErrors(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	p, _ := writeRandom(t, src, "a", 10, 1)
	exists := filepath.Join(dst, "exists")
	os.WriteFile(exists, nil, 0o644)
	tests := []struct {
		name string
		job  Job
	}{
		{"missing source", Job{ID: "EV-1", Src: filepath.Join(src, "nope"), Dst: filepath.Join(dst, "x")}},
		{"source is a folder", Job{ID: "EV-1", Src: src, Dst: filepath.Join(dst, "y")}},
		{"destination exists", Job{ID: "EV-1", Src: p, Dst: exists}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Copy(context.Background(), []Job{tt.job}, Options{}); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestCopyCancelled(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	var jobs []Job
	for i := range 8 {
		p, _ := writeRandom(t, src, "f"+string(rune('a'+i)), 3*digest.BufferSize, uint64(i))
		jobs = append(jobs, Job{ID: "EV", Src: p, Dst: filepath.Join(dst, filepath.Base(p))})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Copy(ctx, jobs, Options{Workers: 2, NoSync: true, Progress: func(p digest.Progress) {
		if p.TotalDone > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func fileBytes(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkCopy measures copy + both digests of files on disk with the
// default worker pool (fsync off: this measures the pass, not the disk).
func BenchmarkCopy(b *testing.B) {
	src := b.TempDir()
	var jobs []Job
	var total int64
	for i := range 4 {
		p, d := writeRandom(b, src, "f"+string(rune('a'+i)), 16<<20, uint64(i))
		total += int64(len(d))
		jobs = append(jobs, Job{ID: "EV", Src: p})
	}
	b.SetBytes(total)
	for b.Loop() {
		dst := b.TempDir()
		for i := range jobs {
			jobs[i].Dst = filepath.Join(dst, filepath.Base(jobs[i].Src))
		}
		if _, err := Copy(context.Background(), jobs, Options{NoSync: true}); err != nil {
			b.Fatal(err)
		}
	}
}
