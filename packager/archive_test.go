package packager_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/sign"
)

// archived stores the fixture package (its folder and its ZIP, one
// package) in a new archive root and returns the root, the package and
// the options that trust its signer.
func archived(t *testing.T) (root, pkg string, opt packager.ArchiveOptions) {
	t.Helper()
	pkg, key := fixture(t)
	trust, err := packager.LoadTrust([]string{key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	opt = packager.ArchiveOptions{Version: "test", Trust: trust, RequireSignature: true}
	root = filepath.Join(t.TempDir(), "arch")
	var done []string
	rep, err := packager.ArchiveAdd(context.Background(), root, []string{pkg, pkg + ".zip"}, packager.ArchiveAddOptions{
		ArchiveOptions: opt,
		Done:           func(p *packager.ArchivedPackage) { done = append(done, p.Package) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Packages) != 2 || strings.Join(done, " ") != pkg+" "+pkg+".zip" {
		t.Fatalf("report %+v, told %v", rep, done)
	}
	first, again := rep.Packages[0], rep.Packages[1]
	if !first.Stored || first.Already || first.Version != 1 || first.Form != archive.FormFolder || !first.Check.Intact() {
		t.Errorf("first add: %+v", first)
	}
	// The ZIP is the same package: stored already, nothing written.
	if again.Stored || !again.Already || again.ID != first.ID {
		t.Errorf("the ZIP of the same package: %+v (first %s)", again, first.ID)
	}
	return root, pkg, opt
}

// TestArchiveOperations runs every archive operation once, as a front end
// calls it, on an intact archive.
func TestArchiveOperations(t *testing.T) {
	ctx := context.Background()
	root, pkg, opt := archived(t)
	name := filepath.Base(pkg)

	cat, err := packager.ArchiveList(ctx, root, opt)
	if err != nil || len(cat.Entries) != 1 || cat.Entries[0].Name != name {
		t.Fatalf("list: %v %+v", err, cat)
	}
	if s := cat.Entries[0].Signers; len(s) != 1 || s[0].Status != sign.StatusValidTrusted {
		t.Errorf("list with trust: signers %+v", s)
	}
	id := cat.Entries[0].ID

	sh, err := packager.ArchiveShow(ctx, root, name, opt)
	if err != nil || sh.Entry.ID != id || len(sh.Versions) != 1 {
		t.Errorf("show by name: %v %+v", err, sh)
	}
	if sh, err := packager.ArchiveShow(ctx, root, id[:8], opt); err != nil || sh.Entry.ID != id {
		t.Errorf("show by ID prefix: %v", err)
	}

	found, err := packager.ArchiveFind(ctx, root, archive.FindQuery{Evidence: "EV-0001"}, opt)
	if err != nil || len(found.Disclosures) != 1 || !found.Disclosures[0].Included {
		t.Fatalf("find by evidence ID: %v %+v", err, found)
	}
	// By the file's SHA-256, in capitals as some tools print it.
	sha := strings.ToUpper(found.Disclosures[0].File.SHA256)
	if found, err := packager.ArchiveFind(ctx, root, archive.FindQuery{SHA256: sha}, opt); err != nil || len(found.Disclosures) != 1 {
		t.Errorf("find by SHA-256: %v %+v", err, found)
	}

	fx, err := packager.ArchiveAudit(ctx, root, packager.ArchiveAuditOptions{ArchiveOptions: opt})
	if err != nil || fx.Checked != 1 || fx.Damaged != 0 || !strings.HasPrefix(fx.Key, archive.FixityPrefix) {
		t.Errorf("audit: %v %+v", err, fx)
	}
	if fx, err := packager.ArchiveAudit(ctx, root, packager.ArchiveAuditOptions{ArchiveOptions: opt, IDs: []string{name}}); err != nil || fx.Checked != 1 {
		t.Errorf("audit of one package by name: %v %+v", err, fx)
	}

	vr, err := packager.Verify(ctx, filepath.Join(root, id[:12]), packager.VerifyOptions{Trust: opt.Trust})
	if err != nil || !vr.Intact || vr.TrustedValid != 1 {
		t.Errorf("verify ROOT/ID: %v %+v", err, vr)
	}

	out := filepath.Join(t.TempDir(), "back")
	got, err := packager.ArchiveGet(ctx, root, name, packager.ArchiveGetOptions{ArchiveOptions: opt, OutDir: out})
	if err != nil || got.Path != filepath.Join(out, name) || !got.Check.Intact() {
		t.Fatalf("get: %v %+v", err, got)
	}
	if vr, err := packager.Verify(ctx, got.Path, packager.VerifyOptions{Trust: opt.Trust}); err != nil || !vr.Intact {
		t.Errorf("verify of what get wrote: %v", err)
	}
	_, err = packager.ArchiveGet(ctx, root, name, packager.ArchiveGetOptions{ArchiveOptions: opt, OutDir: out})
	if !errors.Is(err, os.ErrExist) || fault.ClassOf(err) != fault.Operational || !strings.Contains(fault.HintOf(err), "never replaces") {
		t.Errorf("get over an existing package: %v (class %v)", err, fault.ClassOf(err))
	}

	mirror := filepath.Join(t.TempDir(), "mirror")
	var copying []string
	sr, err := packager.ArchiveSync(ctx, root, mirror, packager.ArchiveSyncOptions{ArchiveOptions: opt,
		Package: func(_ archive.ID, name string, _ int64) { copying = append(copying, name) }})
	if err != nil || len(sr.Copied) != 1 || len(copying) != 1 {
		t.Errorf("sync: %v %+v (told %v)", err, sr, copying)
	}
	if sr, err := packager.ArchiveSync(ctx, root, mirror, packager.ArchiveSyncOptions{ArchiveOptions: opt}); err != nil || sr.Present != 1 || len(sr.Copied) != 0 {
		t.Errorf("sync again: %v %+v", err, sr)
	}

	if err := os.RemoveAll(filepath.Join(root, archive.CataloguePrefix)); err != nil {
		t.Fatal(err)
	}
	rr, err := packager.ArchiveReindex(ctx, root, opt)
	if err != nil || rr.Packages != 1 || rr.Fixity != 2 || rr.Root != root {
		t.Errorf("reindex: %v %+v", err, rr)
	}
}

// TestArchiveDamage: a stored file that changed is named by audit, get
// and verify ROOT/ID, each failing as a verification; get writes nothing.
func TestArchiveDamage(t *testing.T) {
	ctx := context.Background()
	root, pkg, opt := archived(t)
	name := filepath.Base(pkg)
	stored, _ := filepath.Glob(filepath.Join(root, archive.PackagesPrefix, "*", "*", "*", name, "data", "case", "case.json"))
	if len(stored) != 1 {
		t.Fatalf("stored case.json: %v", stored)
	}
	flip(t, stored[0])

	fx, err := packager.ArchiveAudit(ctx, root, packager.ArchiveAuditOptions{ArchiveOptions: opt})
	if !errors.Is(err, packager.ErrVerifyFailed) || fault.ClassOf(err) != fault.Verification || fx == nil || fx.Damaged != 1 {
		t.Errorf("audit of a damaged archive: %v (class %v), %+v", err, fault.ClassOf(err), fx)
	} else if d := fx.DamagedPackages(); len(d) != 1 || !hasCode(d[0].Findings, finding.BagModified) {
		t.Errorf("audit findings: %+v", d)
	}

	out := filepath.Join(t.TempDir(), "back")
	_, err = packager.ArchiveGet(ctx, root, name, packager.ArchiveGetOptions{ArchiveOptions: opt, OutDir: out})
	var damaged *packager.ArchiveDamagedError
	if !errors.As(err, &damaged) || !errors.Is(err, packager.ErrVerifyFailed) || fault.ClassOf(err) != fault.Verification ||
		!hasCode(damaged.Check.Integrity.Findings, finding.BagModified) || !strings.Contains(fault.HintOf(err), "archive audit") {
		t.Errorf("get of a damaged package: %v (class %v)", err, fault.ClassOf(err))
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("get of a damaged package left %v", ents)
	}

	vr, err := packager.Verify(ctx, filepath.Join(root, name), packager.VerifyOptions{Trust: opt.Trust})
	if !errors.Is(err, packager.ErrVerifyFailed) || vr == nil || vr.Intact || !hasCode(vr.Integrity.Findings, finding.BagModified) {
		t.Errorf("verify ROOT/ID of a damaged package: %v %+v", err, vr)
	}

	sr, err := packager.ArchiveSync(ctx, root, filepath.Join(t.TempDir(), "mirror"), packager.ArchiveSyncOptions{ArchiveOptions: opt})
	if !errors.Is(err, packager.ErrVerifyFailed) || fault.ClassOf(err) != fault.Verification || sr == nil || len(sr.Failed) != 1 || len(sr.Copied) != 0 {
		t.Errorf("sync of a damaged package: %v %+v", err, sr)
	}
}

// TestArchiveAddRefuses: a package that fails verification is not stored;
// the report says why, the error is a verification failure, and the
// packages after it are still added.
func TestArchiveAddRefuses(t *testing.T) {
	pkg, key := fixture(t)
	trust, err := packager.LoadTrust([]string{key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "tampered")
	if err := os.CopyFS(bad, os.DirFS(pkg)); err != nil {
		t.Fatal(err)
	}
	flip(t, filepath.Join(bad, "data", "case", "case.json"))
	root := filepath.Join(t.TempDir(), "arch")
	rep, err := packager.ArchiveAdd(context.Background(), root, []string{bad, pkg}, packager.ArchiveAddOptions{ArchiveOptions: packager.ArchiveOptions{Trust: trust}})
	if !errors.Is(err, packager.ErrArchivePartial) || fault.ClassOf(err) != fault.Verification || rep == nil || len(rep.Packages) != 2 {
		t.Fatalf("add of a tampered and an intact package: %v (class %v) %+v", err, fault.ClassOf(err), rep)
	}
	refused, stored := rep.Packages[0], rep.Packages[1]
	if refused.Stored || refused.Check == nil || !hasCode(refused.Check.Integrity.Findings, finding.BagModified) ||
		!strings.Contains(refused.Error, "failed verification; nothing was stored") || fault.ClassOf(refused.Err) != fault.Verification {
		t.Errorf("the tampered package: %+v", refused)
	}
	if !stored.Stored {
		t.Errorf("the intact package after it: %+v", stored)
	}
}

// TestArchiveErrors: each way an archive operation is refused has its
// class and a hint that says what to do.
func TestArchiveErrors(t *testing.T) {
	ctx := context.Background()
	root, pkg, opt := archived(t)
	notArchive := t.TempDir()
	if err := os.WriteFile(filepath.Join(notArchive, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	later := &store.Retention{Mode: store.Governance, Until: time.Now().Add(24 * time.Hour)}
	for _, tc := range []struct {
		name  string
		run   func() error
		class fault.Class
		is    error  // wrapped, when set
		text  string // in the message
		hint  string // in the hint
	}{
		{"list of a folder that does not exist", func() error {
			_, err := packager.ArchiveList(ctx, filepath.Join(notArchive, "nowhere"), opt)
			return err
		}, fault.Operational, archive.ErrNotArchive, "does not exist", "casepack archive add made"},
		{"add to someone else's folder", func() error {
			_, err := packager.ArchiveAdd(ctx, notArchive, []string{pkg}, packager.ArchiveAddOptions{ArchiveOptions: opt})
			return err
		}, fault.Operational, archive.ErrNotArchive, "is not empty and holds no casepack-archive.json", ""},
		{"add of a path that is no package", func() error {
			_, err := packager.ArchiveAdd(ctx, root, []string{filepath.Join(notArchive, "missing")}, packager.ArchiveAddOptions{ArchiveOptions: opt})
			return err
		}, fault.Operational, nil, "no such package folder or .zip", "give the package folder"},
		{"add with nothing to add", func() error {
			_, err := packager.ArchiveAdd(ctx, root, nil, packager.ArchiveAddOptions{ArchiveOptions: opt})
			return err
		}, fault.Usage, nil, "no package to add", ""},
		{"a lock on a local folder", func() error {
			_, err := packager.ArchiveAdd(ctx, root, []string{pkg}, packager.ArchiveAddOptions{ArchiveOptions: opt, Retention: later})
			return err
		}, fault.Usage, store.ErrRetentionUnsupported, "cannot lock", "--retain-until needs an S3 bucket"},
		{"show of an ID nothing has", func() error {
			_, err := packager.ArchiveShow(ctx, root, "0000000000", opt)
			return err
		}, fault.Operational, archive.ErrNoPackage, "starts with 0000000000", "casepack archive list " + root},
		{"find with neither query", func() error {
			_, err := packager.ArchiveFind(ctx, root, archive.FindQuery{}, opt)
			return err
		}, fault.Usage, nil, "exactly one of --evidence ID or --sha256 HEX", ""},
		{"find with both queries", func() error {
			_, err := packager.ArchiveFind(ctx, root, archive.FindQuery{Evidence: "EV-0001", SHA256: strings.Repeat("0", 64)}, opt)
			return err
		}, fault.Usage, nil, "exactly one of", ""},
		{"find with a short digest", func() error {
			_, err := packager.ArchiveFind(ctx, root, archive.FindQuery{SHA256: "abc"}, opt)
			return err
		}, fault.Usage, nil, "must be 64 hex digits", ""},
		{"audit of an ID nothing has", func() error {
			_, err := packager.ArchiveAudit(ctx, root, packager.ArchiveAuditOptions{ArchiveOptions: opt, IDs: []string{"0000000000"}})
			return err
		}, fault.Operational, archive.ErrNoPackage, "", "archive list"},
		{"get into a file", func() error {
			_, err := packager.ArchiveGet(ctx, root, filepath.Base(pkg), packager.ArchiveGetOptions{ArchiveOptions: opt, OutDir: file})
			return err
		}, fault.Usage, nil, "is a file, not a folder", ""},
		{"get without a folder", func() error {
			_, err := packager.ArchiveGet(ctx, root, filepath.Base(pkg), packager.ArchiveGetOptions{ArchiveOptions: opt})
			return err
		}, fault.Usage, nil, "missing -o DIR", ""},
		{"sync from a folder that is no archive", func() error {
			_, err := packager.ArchiveSync(ctx, notArchive, root, packager.ArchiveSyncOptions{ArchiveOptions: opt})
			return err
		}, fault.Operational, archive.ErrNotArchive, "", ""},
		{"an S3 root that carries credentials", func() error {
			_, err := packager.ArchiveList(ctx, "s3://AKIAEXAMPLE:hunter2@bucket/prefix", opt)
			return err
		}, fault.Usage, nil, "carries credentials", "s3://bucket/prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("no error")
			}
			if c := fault.ClassOf(err); c != tc.class {
				t.Errorf("class %v, want %v (%v)", c, tc.class, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("message %q, want %q in it", err, tc.text)
			}
			if !strings.Contains(fault.HintOf(err), tc.hint) {
				t.Errorf("hint %q, want %q in it", fault.HintOf(err), tc.hint)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the secret is in the message: %v", err)
			}
		})
	}
}

// TestArchiveReindexPartial: a stored package that cannot be read any
// more is named, the rest catalogued, and the error says to audit.
func TestArchiveReindexPartial(t *testing.T) {
	ctx := context.Background()
	root, pkg, opt := archived(t)
	stored, _ := filepath.Glob(filepath.Join(root, archive.PackagesPrefix, "*", "*", "*", filepath.Base(pkg)))
	if len(stored) != 1 {
		t.Fatalf("stored package: %v", stored)
	}
	if err := os.Chmod(filepath.Dir(stored[0]), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(stored[0], stored[0]+".gone"); err != nil {
		t.Fatal(err)
	}
	rep, err := packager.ArchiveReindex(ctx, root, opt)
	if !errors.Is(err, packager.ErrArchivePartial) || fault.ClassOf(err) != fault.Operational || !strings.Contains(fault.HintOf(err), "casepack archive audit "+root) {
		t.Fatalf("reindex with a package gone: %v (class %v, hint %q)", err, fault.ClassOf(err), fault.HintOf(err))
	}
	if rep == nil || rep.Packages != 0 || len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0], "cannot be catalogued") {
		t.Errorf("report %+v", rep)
	}
}

// flip changes one byte in the middle of a file (stored files are
// read-only: the test makes it writable first).
func flip(t *testing.T, p string) {
	t.Helper()
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
