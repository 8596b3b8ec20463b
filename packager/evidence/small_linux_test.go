package evidence

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/testtool"
)

// fdRecorder is a recorder that also takes copies by descriptor.
type fdRecorder struct {
	*recorder
	byFD map[string]time.Time
}

func (r *fdRecorder) DoneFD(fd int, name string, mtime time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byFD[name]; ok {
		r.t.Errorf("%s handed over twice", name)
	}
	if _, ok := r.done[name]; ok {
		r.t.Errorf("%s handed over both ways", name)
	}
	r.byFD[name] = mtime
	return syscall.Close(fd)
}

// TestCopySmallByFD: with a Flusher that takes descriptors, every small
// copy (digest.Direct says it is not large) is handed over that way, once,
// with its time, and never reported chunk by chunk; a large one still goes
// as an *os.File, its chunks reported; every copy holds its bytes.
func TestCopySmallByFD(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sizes := []int{0, 1, 64 << 10, digest.BufferSize, digest.BufferSize + 1, 3*digest.BufferSize + 17}
	var jobs []Job
	var data [][]byte
	for i, n := range sizes {
		p, b := writeRandom(t, src, "f"+string(rune('a'+i)), n, uint64(i))
		data = append(data, b)
		jobs = append(jobs, Job{ID: "EV", Src: p, Dst: filepath.Join(dst, "EV-"+string(rune('a'+i)), "copy")})
	}
	mtime := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	rec := &fdRecorder{recorder: &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}, byFD: map[string]time.Time{}}
	res, err := copyJobs(context.Background(), jobs, Options{Workers: 2, Flush: rec, ModTime: mtime})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := range jobs {
		small := !digest.Direct(int64(sizes[i]))
		m, byFD := rec.byFD[j.Dst]
		m2, asFile := rec.done[j.Dst]
		switch {
		case small && (!byFD || !m.Equal(mtime) || asFile):
			t.Errorf("%d (%d bytes): handed over by descriptor %v (time %v), as a file %v", i, sizes[i], byFD, m, asFile)
		case small && rec.wrote[j.Dst] != 0:
			t.Errorf("%d (%d bytes): %d bytes reported to Wrote", i, sizes[i], rec.wrote[j.Dst])
		case !small && (byFD || !asFile || !m2.Equal(mtime)):
			t.Errorf("%d (%d bytes): handed over by descriptor %v, as a file %v", i, sizes[i], byFD, asFile)
		}
		want256, want512 := sums(data[i])
		if res[i].Size != int64(sizes[i]) || res[i].SHA256() != want256 || res[i].SHA512() != want512 {
			t.Errorf("%d: result %+v", i, res[i])
		}
		if got, err := os.ReadFile(j.Dst); err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("%d: copy differs (%v)", i, err)
		}
	}
}

// TestSmallCopySystemCalls watches the real system calls (strace) of
// copying small files: each source is opened, stat'ed, read in one read
// and stat'ed once more, by its path (is it still the file at its path,
// and did it change? source.FD.Unchanged); each copy is created, written in one write, dated through its
// descriptor and closed — no fcntl, no poller registration, no read that
// finds the end of a file already read whole. With ReadBack, each copy
// is read back in one pread through the descriptor it was written with,
// opened to read and write: no second open, no second close. The copy
// runs in a child process (this test binary, TestSmallCopyChild).
func TestSmallCopySystemCalls(t *testing.T) {
	strace := testtool.Need(t, "strace")
	const files = 8
	src := t.TempDir()
	for i := range files {
		writeRandom(t, src, fmt.Sprintf("photo-%d.jpg", i), 4096+i*5000, uint64(i))
	}
	for _, readBack := range []bool{false, true} {
		dst := filepath.Join(t.TempDir(), "copies")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		log := filepath.Join(t.TempDir(), "strace.log")
		// -y: every descriptor is printed with the path it names.
		cmd := exec.Command(strace, "-f", "-qq", "-y", "-o", log, os.Args[0], "-test.run=^TestSmallCopyChild$")
		cmd.Env = append(os.Environ(), "CASEPACK_SMALLCOPY_CHILD="+src+"|"+dst)
		if readBack {
			cmd.Env = append(cmd.Env, "CASEPACK_SMALLCOPY_READBACK=1")
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		f, err := os.Open(log)
		if err != nil {
			t.Fatal(err)
		}
		calls := map[string]int{}
		rdwr := 0
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			_, call, _ := strings.Cut(sc.Text(), " ")
			call = strings.TrimSpace(call)
			name, args, ok := strings.Cut(call, "(")
			// The end of an interrupted call ("<... read resumed>") was
			// counted at its start.
			if ok && !strings.HasPrefix(call, "<...") && (strings.Contains(args, src+"/") || strings.Contains(args, dst+"/")) {
				calls[name]++
				if name == "openat" && strings.Contains(args, dst+"/") && strings.Contains(args, "O_RDWR") {
					rdwr++
				}
			}
		}
		f.Close()
		want := map[string]int{
			"newfstatat": 2 * files, // Copy's look before it starts, and "still the file at its path, unchanged?"
			"openat":     2 * files, // the source, the copy
			"fstat":      files,     // the source as opened
			"read":       files,
			"mkdirat":    files,
			"write":      files,
			"utimensat":  files,
			"close":      2 * files,
		}
		wantRDWR := 0
		if readBack {
			want["pread64"] = files
			wantRDWR = files
		}
		for name, n := range calls {
			if want[name] != n {
				t.Errorf("readBack=%v: %s: %d calls for %d small files, want %d", readBack, name, n, files, want[name])
			}
		}
		for name, n := range want {
			if calls[name] == 0 {
				t.Errorf("readBack=%v: %s: no calls, want %d", readBack, name, n)
			}
		}
		if rdwr != wantRDWR {
			t.Errorf("readBack=%v: %d copies opened to read and write, want %d", readBack, rdwr, wantRDWR)
		}
	}
}

// TestSmallCopyChild is the copy TestSmallCopySystemCalls watches; it does
// nothing unless run by it.
func TestSmallCopyChild(t *testing.T) {
	env := os.Getenv("CASEPACK_SMALLCOPY_CHILD")
	if env == "" {
		t.Skip("run by TestSmallCopySystemCalls")
	}
	src, dst, _ := strings.Cut(env, "|")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []Job
	for i, e := range entries {
		jobs = append(jobs, Job{ID: fmt.Sprint("EV-", i), Src: filepath.Join(src, e.Name()), Dst: filepath.Join(dst, fmt.Sprint("EV-", i), e.Name())})
	}
	rec := &fdRecorder{recorder: &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}, byFD: map[string]time.Time{}}
	opt := Options{Workers: 2, Flush: &datingRecorder{rec}, ModTime: time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)}
	opt.ReadBack = os.Getenv("CASEPACK_SMALLCOPY_READBACK") == "1"
	res, err := copyJobs(context.Background(), jobs, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.ReadBack != opt.ReadBack {
			t.Errorf("job %d: ReadBack %v, want %v", i, r.ReadBack, opt.ReadBack)
		}
	}
	if len(rec.byFD) != len(jobs) {
		t.Errorf("%d of %d copies handed over by descriptor", len(rec.byFD), len(jobs))
	}
}

// datingRecorder dates each copy handed over by descriptor through it, as
// atomicfs.Tree does, then records it.
type datingRecorder struct{ *fdRecorder }

func (r *datingRecorder) DoneFD(fd int, name string, mtime time.Time) error {
	ts := [2]syscall.Timespec{syscall.NsecToTimespec(mtime.UnixNano()), syscall.NsecToTimespec(mtime.UnixNano())}
	// utimensat(fd, NULL, times, 0) is futimens(fd, times).
	if _, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); e != 0 {
		return e
	}
	return r.fdRecorder.DoneFD(fd, name, mtime)
}

// BenchmarkCopySmall copies 2,000 photos of 4–64 KiB, each into its own
// folder, on one worker, handing each copy to a Flusher that takes
// descriptors (the small-file path: bare descriptors, one read) or only
// *os.File (the path every file took before), and re-reading each copy
// as a build does (reread=compare: read back as written, through the
// descriptor it was written with, and compared, Options.ReadBack), or as
// builds did (reread=path: opened again by name once handed over, and
// hashed with SHA-256), or not: run them side by side, with -count, and
// compare CPU time per op, user and system.
func BenchmarkCopySmall(b *testing.B) {
	src := b.TempDir()
	var jobs []Job
	for i := range 2000 {
		p, _ := writeRandom(b, src, fmt.Sprintf("img-%04d.jpg", i), 4096+(i*7919)%(60<<10), uint64(i))
		jobs = append(jobs, Job{ID: fmt.Sprint("EV-", i), Src: p})
	}
	for _, tc := range []struct {
		byFD   bool
		reread string
	}{{true, "none"}, {false, "none"}, {true, "path"}, {true, "compare"}} {
		b.Run(fmt.Sprintf("fd=%v/reread=%s", tc.byFD, tc.reread), func(b *testing.B) {
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			for b.Loop() {
				dst := b.TempDir()
				for i := range jobs {
					jobs[i].Dst = filepath.Join(dst, fmt.Sprint("EV-", i), filepath.Base(jobs[i].Src))
				}
				rec := &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: nil}
				opt := Options{Workers: 1, Flush: rec}
				if tc.byFD {
					opt.Flush = &fdRecorder{recorder: rec, byFD: map[string]time.Time{}}
				}
				switch tc.reread {
				case "compare":
					opt.ReadBack = true
				case "path":
					opt.Copied = func(i int, r Result) {
						f, err := digest.OpenCopy(r.Dst, r.Size)
						if err != nil {
							b.Fatal(err)
						}
						if d, err := digest.ReadSHA256(context.Background(), f); err != nil || d.SHA256 != r.SHA256() {
							b.Fatalf("%s read back as %v (%v)", r.Dst, d, err)
						}
						f.Close()
					}
				}
				res, err := copyJobs(context.Background(), jobs, opt)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res {
					if r.ReadBack != opt.ReadBack {
						b.Fatalf("%s: ReadBack %v", r.Dst, r.ReadBack)
					}
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			us := func(tv syscall.Timeval) float64 { return float64(tv.Sec)*1e6 + float64(tv.Usec) }
			b.ReportMetric((us(ru1.Utime)-us(ru0.Utime))/float64(b.N), "user-µs/op")
			b.ReportMetric((us(ru1.Stime)-us(ru0.Stime))/float64(b.N), "sys-µs/op")
		})
	}
}

// closer is an FDFlusher that only closes what it is handed.
type closer struct{}

func (closer) Wrote(*os.File, int64, int64)               {}
func (closer) Done(f *os.File, _ time.Time) error         { return f.Close() }
func (closer) DoneFD(fd int, _ string, _ time.Time) error { return syscall.Close(fd) }

// TestSmallCopyAllocations counts what the pass allocates for each small
// file, copied as a build copies it (within Options.Dir, read back, handed
// over by descriptor): nine, the path joined to the folder, the source's
// FD and its name for open(2), its name for stat(2) before and after, the
// copy's name for mkdir(2) and open(2), the writer and the reader that
// stops at the size. Hashing allocates nothing (digest.CopySums), where a
// file's digests were nine allocations more; the *DigestMismatch
// errors.As is handed was one more, and os.Stat's FileInfo before the
// pass one more (statSource).
func TestSmallCopyAllocations(t *testing.T) {
	if raceOn {
		t.Skip("the race detector's sync.Pool drops what it is handed at random")
	}
	const files = 400
	src, dst := t.TempDir(), t.TempDir()
	var jobs []Job
	for i := range files {
		p, _ := writeRandom(t, src, fmt.Sprintf("img-%04d.jpg", i), 4096+(i*7919)%(40<<10), uint64(i))
		jobs = append(jobs, Job{ID: fmt.Sprint("EV-", i), Src: p, Dst: fmt.Sprintf("EV-%04d/img-%04d.jpg", i, i)})
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := copyJobs(context.Background(), jobs, Options{Dir: dst, Workers: 1, Flush: closer{}, ReadBack: true})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.ReadBack {
			t.Fatalf("job %d not read back", i)
		}
	}
	perFile := float64(after.Mallocs-before.Mallocs) / files
	t.Logf("%.2f allocations a file", perFile)
	if perFile > 9.5 {
		t.Errorf("%.2f allocations a file, want 9", perFile)
	}
}
