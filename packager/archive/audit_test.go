package archive_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/finding"
)

// objectOf finds the stored object of a package whose key ends in suffix.
func objectOf(t *testing.T, a *archive.Archive, id, suffix string) string {
	t.Helper()
	pid, _ := archive.ParseID(id)
	for _, k := range keys(t, a.Store(), archive.PackagesPrefix+pid.Root+"/"+pid.Sigs+"/") {
		if strings.HasSuffix(k, suffix) {
			return k
		}
	}
	t.Fatalf("no object of %s ends in %s", id, suffix)
	return ""
}

// rot flips one byte of a stored object, in place on disk for a local root
// (as bit rot would), through the S3 API for a bucket.
func rot(t *testing.T, a *archive.Archive, root, key string) {
	t.Helper()
	if !store.IsS3URL(root) {
		flipByte(t, filepath.Join(root, filepath.FromSlash(key)))
		return
	}
	ctx := context.Background()
	rc, err := a.Store().Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := a.Store().Put(ctx, key, bytes.NewReader(b), int64(len(b)), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// A flipped byte and a deleted object are found by audit and named; the
// fixity record is appended to the archive either way.
func TestAuditFindsDamage(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	for name, newRoot := range roots(t) {
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			a := open(t, root, true)
			conf := add(t, a, f.conf)
			pub := add(t, a, f.pubZip)
			co := add(t, a, f.cosigned)

			fx, err := a.Audit(ctx, archive.AuditOptions{})
			if err != nil || fx.Checked != 3 || fx.Damaged != 0 || fx.Bytes == 0 {
				t.Fatalf("audit of an intact archive: %+v, %v", fx, err)
			}

			ev := strings.TrimPrefix(firstEvidenceFile(t, f.conf), f.conf+"/")
			rot(t, a, root, objectOf(t, a, conf.ID, "/"+ev))
			rot(t, a, root, objectOf(t, a, pub.ID, ".zip"))
			gone := objectOf(t, a, co.ID, "/"+ev)
			if err := a.Store().Delete(ctx, gone); err != nil {
				t.Fatal(err)
			}

			fx, err = a.Audit(ctx, archive.AuditOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if fx.Checked != 3 || fx.Damaged != 3 {
				t.Fatalf("audit: %d checked, %d damaged; want 3 and 3", fx.Checked, fx.Damaged)
			}
			byID := map[string]archive.PackageAudit{}
			for _, p := range fx.Packages {
				byID[p.ID] = p
			}
			for _, c := range []struct {
				id   string
				code finding.Code
				path string
			}{
				{conf.ID, finding.BagModified, ev},
				{co.ID, finding.ArchiveObjectMissing, ev},
				{co.ID, finding.BagMissing, ev},
				{pub.ID, finding.ArchiveObjectChanged, filepath.Base(f.pubZip)},
			} {
				p := byID[c.id]
				if p.Result != archive.ResultDamaged || !hasFinding(p.Findings, c.code, c.path) {
					t.Errorf("package %s: result %s, no %s at %s in %v", c.id[:12], p.Result, c.code, c.path, p.Findings)
				}
			}

			// The archive carries its fixity history: two records, the
			// second naming every damaged package.
			var hist []*archive.Fixity
			for r, err := range a.FixityHistory(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				hist = append(hist, r)
			}
			if len(hist) != 2 || hist[0].Damaged != 0 || hist[1].Damaged != 3 || len(hist[1].DamagedPackages()) != 3 {
				t.Fatalf("fixity history: %d records", len(hist))
			}

			// get refuses to hand out the damaged ZIP.
			pid, _ := archive.ParseID(pub.ID)
			if _, err := a.Get(ctx, pid, t.TempDir(), archive.CheckOptions{}); err == nil {
				t.Error("get of a damaged package succeeded")
			}
		})
	}
}

// Sampled audits cover the archive over successive runs, oldest-checked
// first; a budget stops an audit and what it did not reach comes first next
// time.
func TestAuditSampleAndBudget(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	var mu sync.Mutex
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}
	a, err := archive.Open(ctx, filepath.Join(t.TempDir(), "a"), true, archive.Options{Version: "test", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var ids []string
	for _, p := range []string{f.conf, f.pub, f.cosigned} {
		ids = append(ids, add(t, a, p).ID)
	}
	checked := func(fx *archive.Fixity) []string {
		var out []string
		for _, p := range fx.Packages {
			if p.Result == archive.ResultIntact {
				out = append(out, p.ID)
			}
		}
		return out
	}
	run1, err := a.Audit(ctx, archive.AuditOptions{Sample: 34})
	if err != nil {
		t.Fatal(err)
	}
	if got := checked(run1); len(got) != 2 || got[0] != ids[0] || got[1] != ids[1] {
		t.Fatalf("first 34%% sample checked %v, want the two stored first %v", got, ids[:2])
	}
	run2, err := a.Audit(ctx, archive.AuditOptions{Sample: 34})
	if err != nil {
		t.Fatal(err)
	}
	if got := checked(run2); len(got) != 2 || got[0] != ids[2] || got[1] != ids[0] {
		t.Fatalf("second sample checked %v, want the never-checked one, then the oldest-checked", got)
	}

	run3, err := a.Audit(ctx, archive.AuditOptions{Budget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if !run3.Incomplete || len(checked(run3)) != 0 {
		t.Fatalf("a 1ns budget checked %v (incomplete=%v)", checked(run3), run3.Incomplete)
	}
	run4, err := a.Audit(ctx, archive.AuditOptions{Sample: 34})
	if err != nil {
		t.Fatal(err)
	}
	if got := checked(run4); len(got) != 2 || got[0] != ids[1] || got[1] != ids[2] {
		t.Fatalf("after the budget ran out: checked %v, want the two checked longest ago", got)
	}
}

// helperEnv makes this test binary an "archive add" that stops for good
// after storing its first objects, so the parent can kill it mid-add.
const helperEnv = "CASEPACK_ARCHIVE_TEST_HELPER"

func init() {
	if os.Getenv(helperEnv) != "add" {
		return
	}
	root, pkg, ready := os.Getenv("HELPER_ROOT"), os.Getenv("HELPER_PKG"), os.Getenv("HELPER_READY")
	ctx := context.Background()
	var st store.Store
	var err error
	if store.IsS3URL(root) {
		st, err = store.OpenS3(ctx, root, store.S3Config{})
	} else {
		st, err = store.OpenLocal(root, true)
	}
	if err != nil {
		panic(err)
	}
	a, err := archive.OpenStore(ctx, &stallingStore{Store: st, after: 3, ready: ready}, true, archive.Options{Version: "test"})
	if err != nil {
		panic(err)
	}
	_, err = a.Add(ctx, pkg, archive.AddOptions{Uploads: 1})
	panic("the helper add returned: " + err.Error())
}

// stallingStore stores the first few package objects, then says so and
// blocks forever inside the next put, half-way through its bytes.
type stallingStore struct {
	store.Store
	mu    sync.Mutex
	puts  int
	after int
	ready string
}

func (s *stallingStore) Put(ctx context.Context, key string, r io.Reader, size int64, opt store.PutOptions) error {
	if !strings.HasPrefix(key, archive.PackagesPrefix) {
		return s.Store.Put(ctx, key, r, size, opt)
	}
	s.mu.Lock()
	s.puts++
	n := s.puts
	s.mu.Unlock()
	if n <= s.after {
		return s.Store.Put(ctx, key, r, size, opt)
	}
	pr, pw := io.Pipe()
	go func() {
		io.CopyN(pw, r, size/2)
		os.WriteFile(s.ready, []byte("stalled"), 0o644)
		select {} // never finishes the object
	}()
	return s.Store.Put(ctx, key, pr, size, opt)
}

// An add killed with SIGKILL leaves no visible package: list shows
// nothing, audit reports the unfinished upload, and the package can be
// added afterwards.
func TestInterruptedAddLeavesNothingVisible(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	for name, newRoot := range roots(t) {
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			ready := filepath.Join(t.TempDir(), "ready")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=add", "HELPER_ROOT="+root, "HELPER_PKG="+f.conf, "HELPER_READY="+ready)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the helper add never reached its stall:\n%s", out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()

			a := open(t, root, false)
			if n := len(keys(t, a.Store(), archive.PackagesPrefix)); n == 0 {
				t.Fatal("the killed add stored nothing at all; the test proves nothing")
			}
			cat, err := a.List(ctx, archive.ListOptions{})
			if err != nil || len(cat.Entries) != 0 || len(cat.Missing) != 0 {
				t.Fatalf("list after a killed add: %+v, %v; want nothing", cat, err)
			}
			found, err := a.Find(ctx, archive.FindQuery{Evidence: f.withheld})
			if err != nil || len(found.Disclosures) != 0 {
				t.Fatalf("find after a killed add: %+v, %v", found, err)
			}
			fx, err := a.Audit(ctx, archive.AuditOptions{})
			if err != nil || fx.Stored != 0 || len(fx.Unfinished) != 1 {
				t.Fatalf("audit after a killed add: %+v, %v; want one unfinished upload", fx, err)
			}
			if r := add(t, a, f.conf); r.Already {
				t.Fatal("the killed add counted as stored")
			}
			if fx, err := a.Audit(ctx, archive.AuditOptions{}); err != nil || fx.Checked != 1 || fx.Damaged != 0 {
				t.Fatalf("audit after adding again: %+v, %v", fx, err)
			}
		})
	}
}
