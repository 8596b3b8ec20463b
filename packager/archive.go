package packager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign"
)

// The archive operations (`casepack archive …`, and Verify of a package
// inside an archive): each opens the root, runs packager/archive and gives
// its errors their failure class and hint. docs/ARCHIVE.md describes what
// an archive keeps.

// ErrArchivePartial is wrapped by the error of an archive operation that
// ran but could not deal with every package (one could not be stored,
// read, copied or catalogued); the report names each and why.
var ErrArchivePartial = errors.New("not every package could be dealt with")

// summaryError is the error of an archive operation whose report names
// what failed: its text sums it up, and it wraps the sentinel that says
// which kind of failure it is.
type summaryError struct {
	msg  string
	kind error
}

func (e *summaryError) Error() string { return e.msg }
func (e *summaryError) Unwrap() error { return e.kind }

func summary(kind error, format string, a ...any) error {
	return &summaryError{msg: fmt.Sprintf(format, a...), kind: kind}
}

// ArchiveOptions says how to reach an archive root and how its packages
// are checked; every archive operation takes them.
type ArchiveOptions struct {
	// S3 reaches s3://bucket/prefix roots (endpoint, region, profile,
	// credentials file); the standard AWS environment fills in what it
	// leaves empty. No secret is ever taken here.
	S3 store.S3Config
	// Version is the casepack version written into the archive's records.
	Version string
	// Trust names the keys and certificates whose signatures are trusted.
	Trust []sign.TrustAnchor
	// RequireSignature makes "no valid signature by a trusted signer" a
	// failure (add, get, audit, sync).
	RequireSignature bool
	// Workers is how many files are hashed at once (0: one per CPU).
	Workers int
}

func (o ArchiveOptions) check() archive.CheckOptions {
	return archive.CheckOptions{Trust: o.Trust, RequireSignature: o.RequireSignature, Workers: o.Workers}
}

// openArchive opens root, made on the first use when create is set.
func openArchive(ctx context.Context, root string, create bool, opt ArchiveOptions) (*archive.Archive, error) {
	if create {
		if err := PlaceArchive(root); err != nil {
			return nil, err
		}
	}
	a, err := archive.Open(ctx, root, create, archive.Options{Version: opt.Version, S3: opt.S3})
	var ue *store.URLError
	switch {
	case err == nil:
		return a, nil
	case errors.Is(err, archive.ErrNotArchive):
		return nil, fault.New(fault.Operational, err, "an archive root is a folder or s3://bucket/prefix that casepack archive add made; check the path")
	case errors.Is(err, store.ErrNoCredentials):
		return nil, fault.New(fault.Operational, err, "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the shell; never put a secret on the command line")
	case errors.As(err, &ue):
		return nil, fault.New(fault.Usage, err, "an S3 root is s3://bucket/prefix; the service comes from --endpoint or AWS_ENDPOINT_URL")
	}
	return nil, err
}

// PlaceArchive refuses an archive root casepack would write into that is a
// folder inside a case folder or a package (internal/destination): add,
// sync and every command that records into the root (audit, reindex),
// and the web app's archive. A usage error (exit 2), before anything is
// read or written.
func PlaceArchive(root string) error {
	if store.IsS3URL(root) {
		return nil
	}
	if err := destination.Place(root, ""); err != nil {
		return fault.New(fault.Usage, fmt.Errorf("archive root %w", err), destination.PlaceHint)
	}
	return nil
}

// archiveError gives an archive's error its class and hint.
func archiveError(err error, root string) error {
	var amb *archive.AmbiguousError
	var ni *archive.NotIntactError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &amb):
		return fault.New(fault.Usage, err, "give more of the ID: casepack archive list "+root+" shows them")
	case errors.Is(err, archive.ErrNoPackage):
		return fault.New(fault.Operational, err, "casepack archive list "+root+" shows the packages and their IDs (give at least 6 hex digits of one)")
	case errors.Is(err, store.ErrRetentionUnsupported):
		return fault.New(fault.Usage, err, "--retain-until needs an S3 bucket created with Object Lock; leave it out for this root")
	case errors.As(err, &ni):
		return fault.New(fault.Verification, err, "")
	}
	return err
}

// withArchive opens root, runs f on it and closes it, giving f's error its
// class and hint.
func withArchive[T any](ctx context.Context, root string, create bool, opt ArchiveOptions, f func(*archive.Archive) (T, error)) (T, error) {
	a, err := openArchive(ctx, root, create, opt)
	if err != nil {
		var zero T
		return zero, err
	}
	defer a.Close()
	v, err := f(a)
	return v, archiveError(err, root)
}

// ArchiveList reads the catalogue of the archive at root: every stored
// package, its versions and signers. With opt.Trust, each package's
// signatures are re-checked from the archive against it.
func ArchiveList(ctx context.Context, root string, opt ArchiveOptions) (*archive.Catalogue, error) {
	return withArchive(ctx, root, false, opt, func(a *archive.Archive) (*archive.Catalogue, error) {
		return a.List(ctx, archive.ListOptions{Trust: opt.Trust})
	})
}

// ArchiveShow describes one stored package, named by an ID from the
// catalogue (any unique prefix of at least 6 hex digits) or by its name:
// its versions, signers, evidence, record and last audit.
func ArchiveShow(ctx context.Context, root, id string, opt ArchiveOptions) (*archive.Shown, error) {
	return withArchive(ctx, root, false, opt, func(a *archive.Archive) (*archive.Shown, error) {
		return a.Show(ctx, id, archive.ListOptions{Trust: opt.Trust})
	})
}

// ArchiveFind lists every stored package that included or withheld the
// evidence file q names (exactly one of an evidence ID or a SHA-256).
func ArchiveFind(ctx context.Context, root string, q archive.FindQuery, opt ArchiveOptions) (*archive.Found, error) {
	if (q.Evidence == "") == (q.SHA256 == "") {
		return nil, fault.Usagef("give exactly one of --evidence ID or --sha256 HEX")
	}
	if h := strings.ToLower(q.SHA256); h != "" && !IsSHA256(h) {
		return nil, fault.Usagef("--sha256 %q: must be 64 hex digits (sha256sum prints them)", q.SHA256)
	}
	return withArchive(ctx, root, false, opt, func(a *archive.Archive) (*archive.Found, error) {
		return a.Find(ctx, q)
	})
}

// IsSHA256 says whether s is a SHA-256 digest written in hex (either case).
func IsSHA256(s string) bool {
	return len(s) == 64 && strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}

// ArchiveReindex rebuilds the catalogue of the archive at root from the
// stored packages and the fixity records. The error wraps
// ErrArchivePartial when a package could not be catalogued (the report's
// Failed says which and why).
func ArchiveReindex(ctx context.Context, root string, opt ArchiveOptions) (*archive.ReindexReport, error) {
	if err := PlaceArchive(root); err != nil {
		return nil, err
	}
	rep, err := withArchive(ctx, root, false, opt, func(a *archive.Archive) (*archive.ReindexReport, error) {
		return a.Reindex(ctx, archive.ListOptions{Workers: opt.Workers})
	})
	if err != nil {
		return nil, err
	}
	if n := len(rep.Failed); n > 0 {
		return rep, fault.New(fault.Operational, summary(ErrArchivePartial, "reindex of %s: packages not catalogued: %d", rep.Root, n),
			"run casepack archive audit "+root+" to see what is damaged")
	}
	return rep, nil
}

// ArchiveAddOptions controls ArchiveAdd.
type ArchiveAddOptions struct {
	ArchiveOptions
	// Retention locks every stored object until a date (S3 buckets with
	// Object Lock only); a root that cannot lock is refused before
	// anything is stored.
	Retention *store.Retention
	// Stage is told when a package enters each stage: "checking",
	// "storing", "checking the stored copy".
	Stage func(pkg, stage string)
	// Progress receives the hashing progress of the package being checked.
	Progress func(digest.Progress)
	// Done is told each package's outcome as soon as it is known, in the
	// order given (an interrupted package included).
	Done func(*ArchivedPackage)
}

// ArchiveAddReport is the outcome of ArchiveAdd (`archive add --format
// json`).
type ArchiveAddReport struct {
	Root     string             `json:"root"`
	Packages []*ArchivedPackage `json:"packages"`
}

// ArchivedPackage is what ArchiveAdd did with one package.
type ArchivedPackage struct {
	Package string         `json:"package"` // the path given
	ID      string         `json:"id,omitempty"`
	Stored  bool           `json:"stored"`
	Already bool           `json:"already_stored"` // stored before: nothing written
	Name    string         `json:"name,omitempty"`
	Form    archive.Form   `json:"form,omitempty"`
	Bytes   int64          `json:"bytes,omitempty"`
	Version int            `json:"version,omitempty"` // among its submission's and edition's packages
	Check   *archive.Check `json:"check,omitempty"`
	Error   string         `json:"error,omitempty"`

	// Result is what the archive did (nil when Err is set); Err is why
	// the package was not stored.
	Result *archive.AddResult `json:"-"`
	Err    error              `json:"-"`
}

// ArchiveAdd stores packages (folders or ZIPs) in the archive at root,
// made on the first add. Each is verified before it is stored (a package
// that fails is refused, class fault.Verification) and again from the
// archive before it is committed; nothing stored is ever replaced, and a
// package stored before is left as it is. The report has every package's
// outcome; the error wraps ErrArchivePartial when one was not stored, with
// the gravest class among theirs.
func ArchiveAdd(ctx context.Context, root string, pkgs []string, opt ArchiveAddOptions) (*ArchiveAddReport, error) {
	if len(pkgs) == 0 {
		return nil, fault.Usagef("no package to add: give at least one package folder or .zip")
	}
	for _, p := range pkgs {
		if _, err := os.Stat(p); err != nil {
			return nil, fault.New(fault.Operational, fmt.Errorf("%s: no such package folder or .zip", p), "give the package folder (out/<submission>_<edition>) or its .zip")
		}
	}
	a, err := openArchive(ctx, root, true, opt.ArchiveOptions)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if opt.Retention != nil {
		if err := a.Store().CheckRetention(ctx); err != nil {
			return nil, archiveError(err, root)
		}
	}
	rep := &ArchiveAddReport{Root: a.Root(), Packages: []*ArchivedPackage{}}
	failed, worst := 0, fault.Class(0)
	for _, p := range pkgs {
		out := addOne(ctx, a, root, p, opt)
		if opt.Done != nil {
			opt.Done(out)
		}
		if out.Err != nil {
			failed++
			worst = max(worst, fault.ClassOf(out.Err))
			if errors.Is(out.Err, context.Canceled) {
				break
			}
		}
		rep.Packages = append(rep.Packages, out)
	}
	if failed > 0 {
		return rep, fault.New(worst, summary(ErrArchivePartial, "add to %s: packages not stored: %d of %d", rep.Root, failed, len(pkgs)), "")
	}
	return rep, nil
}

// addOne stores one package.
func addOne(ctx context.Context, a *archive.Archive, root, p string, opt ArchiveAddOptions) *ArchivedPackage {
	aopt := archive.AddOptions{Check: opt.check(), Retention: opt.Retention}
	aopt.Check.Progress = opt.Progress
	if opt.Stage != nil {
		aopt.Stage = func(s string) { opt.Stage(p, s) }
	}
	res, err := a.Add(ctx, p, aopt)
	out := &ArchivedPackage{Package: p, Result: res}
	if err != nil {
		out.Err = archiveError(err, root)
		out.Error = out.Err.Error()
		var ni *archive.NotIntactError
		if errors.As(err, &ni) {
			out.Check = ni.Check
			if ni.Check.ID.Root != "" {
				out.ID = ni.Check.ID.String()
			}
		}
		return out
	}
	out.ID, out.Already, out.Stored, out.Check = res.ID, res.Already, !res.Already, res.Check
	out.Name, out.Form, out.Bytes = res.Record.Name, res.Record.Form, res.Record.Bytes
	if res.Entry != nil {
		out.Version = versionOf(ctx, a, res.Entry)
	}
	return out
}

// versionOf numbers a just-stored package among its submission's.
func versionOf(ctx context.Context, a *archive.Archive, e *archive.Entry) int {
	cat, err := a.List(ctx, archive.ListOptions{})
	if err != nil {
		return 0
	}
	for _, o := range cat.Entries {
		if o.ID == e.ID {
			return o.Version
		}
	}
	return 0
}

// ArchiveAuditOptions controls ArchiveAudit.
type ArchiveAuditOptions struct {
	ArchiveOptions
	// IDs are the packages to audit (IDs, unique prefixes or names); every
	// package when empty.
	IDs []string
	// Sample, between 0 and 100, checks only that share of the packages,
	// those checked longest ago first (0: all).
	Sample float64
	// Budget stops the audit after this long (0: no limit); what it did
	// not reach comes first next time.
	Budget time.Duration
	// Progress receives the audit's progress over all its packages.
	Progress func(archive.AuditProgress)
}

// ArchiveAudit re-checks stored packages from the archive at root (every
// object, every file with both algorithms, every signature, each
// package's identity) and appends a fixity record to the archive. The
// error wraps ErrVerifyFailed when a package is damaged and
// ErrArchivePartial when one could not be checked; any other error with a
// report means the audit stopped or its record could not be written.
func ArchiveAudit(ctx context.Context, root string, opt ArchiveAuditOptions) (*archive.Fixity, error) {
	if err := PlaceArchive(root); err != nil {
		return nil, err
	}
	fx, err := withArchive(ctx, root, false, opt.ArchiveOptions, func(a *archive.Archive) (*archive.Fixity, error) {
		aopt := archive.AuditOptions{Check: opt.check(), Sample: opt.Sample, Budget: opt.Budget, Progress: opt.Progress}
		for _, q := range opt.IDs {
			id, err := a.Resolve(ctx, q)
			if err != nil {
				return nil, err
			}
			aopt.IDs = append(aopt.IDs, id)
		}
		return a.Audit(ctx, aopt)
	})
	switch {
	case fx == nil || err != nil:
		return fx, err
	case fx.Damaged > 0:
		return fx, fault.New(fault.Verification, summary(ErrVerifyFailed, "audit of %s: packages damaged: %d of %d checked", fx.Root, fx.Damaged, fx.Checked), "")
	case fx.Errors > 0:
		return fx, fault.New(fault.Operational, summary(ErrArchivePartial, "audit of %s: packages that could not be checked: %d", fx.Root, fx.Errors), "")
	}
	return fx, nil
}

// ArchiveGetOptions controls ArchiveGet.
type ArchiveGetOptions struct {
	ArchiveOptions
	// OutDir is the folder the package is written into (made if missing).
	OutDir string
}

// ArchiveDamagedError is the error ArchiveGet returns (as a
// fault.Verification) when the stored package fails its check: nothing
// was written. It wraps ErrVerifyFailed.
type ArchiveDamagedError struct {
	ID      string         // the package's full ID
	Package string         // its name
	Check   *archive.Check // what is damaged, file by file
}

func (e *ArchiveDamagedError) Error() string {
	return e.Package + ": the stored package is damaged; nothing was written"
}

func (e *ArchiveDamagedError) Unwrap() error { return ErrVerifyFailed }

// ArchiveGet writes the stored package id (an ID, a unique prefix or a
// name) into opt.OutDir as it was stored, a folder file for file or a ZIP
// byte for byte, checked before it is put in place. It never replaces
// anything; a damaged stored package is an *ArchiveDamagedError.
func ArchiveGet(ctx context.Context, root, id string, opt ArchiveGetOptions) (*archive.GetResult, error) {
	if opt.OutDir == "" {
		return nil, fault.Usagef("missing -o DIR: casepack archive get ROOT ID -o DIR")
	}
	if fi, err := os.Stat(opt.OutDir); err == nil && !fi.IsDir() {
		return nil, fault.Usagef("-o %s: is a file, not a folder", opt.OutDir)
	}
	return withArchive(ctx, root, false, opt.ArchiveOptions, func(a *archive.Archive) (*archive.GetResult, error) {
		pid, err := a.Resolve(ctx, id)
		if err != nil {
			return nil, err
		}
		res, err := a.Get(ctx, pid, opt.OutDir, opt.check())
		var ni *archive.NotIntactError
		switch {
		case errors.As(err, &ni):
			return nil, fault.New(fault.Verification, &ArchiveDamagedError{ID: pid.String(), Package: ni.Package, Check: ni.Check},
				"run casepack archive audit "+root+" "+pid.Short()+", and get the package from another copy of the archive")
		case errors.Is(err, fs.ErrExist):
			return nil, fault.New(fault.Operational, err, "choose another -o folder, or move the existing package away; get never replaces anything")
		}
		return res, err
	})
}

// ArchiveSyncOptions controls ArchiveSync.
type ArchiveSyncOptions struct {
	ArchiveOptions
	// Retention locks the objects written to the destination.
	Retention *store.Retention
	// Package, when set, is told when each package starts to be copied.
	Package func(id archive.ID, name string, bytes int64)
}

// ArchiveSync copies to the archive dst (made if needed) every package of
// src it lacks, each verified in dst before it is committed there. The
// error wraps ErrVerifyFailed when a package is damaged in src (it is not
// copied) and ErrArchivePartial when one could not be copied; any other
// error with a report means the copying stopped.
func ArchiveSync(ctx context.Context, src, dst string, opt ArchiveSyncOptions) (*archive.SyncReport, error) {
	from, err := openArchive(ctx, src, false, opt.ArchiveOptions)
	if err != nil {
		return nil, err
	}
	defer from.Close()
	to, err := openArchive(ctx, dst, true, opt.ArchiveOptions)
	if err != nil {
		return nil, err
	}
	defer to.Close()
	rep, err := archive.Sync(ctx, from, to, archive.SyncOptions{Check: opt.check(), Retention: opt.Retention, Package: opt.Package})
	switch {
	case rep == nil:
		return nil, archiveError(err, src)
	case err != nil:
		return rep, err
	}
	for _, f := range rep.Failed {
		if f.Check != nil {
			return rep, fault.New(fault.Verification, summary(ErrVerifyFailed, "sync %s -> %s: %s is damaged in %s and was not copied", rep.Source, rep.Destination, f.Name, rep.Source), "")
		}
	}
	if n := len(rep.Failed); n > 0 {
		return rep, fault.New(fault.Operational, summary(ErrArchivePartial, "sync %s -> %s: packages not copied: %d", rep.Source, rep.Destination, n), "")
	}
	return rep, nil
}

// archiveTarget splits a Verify path that names a package inside an
// archive root, ROOT/ID (a folder root) or s3://bucket/prefix/ID, when it
// is not a package on disk itself.
func archiveTarget(p string) (root, id string, ok bool) {
	if store.IsS3URL(p) {
		i := strings.LastIndex(strings.TrimSuffix(p, "/"), "/")
		if i < len("s3://") {
			return "", "", false
		}
		return p[:i], strings.TrimSuffix(p[i+1:], "/"), true
	}
	if _, err := os.Stat(p); err == nil {
		return "", "", false
	}
	dir := filepath.Dir(filepath.Clean(p))
	if _, err := os.Stat(filepath.Join(dir, archive.MarkerKey)); err != nil {
		return "", "", false
	}
	return dir, filepath.Base(p), true
}

// verifyArchived is Verify for a package inside an archive: the stored
// copy, checked from the store as an audit checks it, reported as Verify
// reports a package.
func verifyArchived(ctx context.Context, root, query string, opt VerifyOptions) (*VerifyReport, error) {
	aopt := ArchiveOptions{S3: opt.S3, Trust: opt.Trust, RequireSignature: opt.SignatureRequired(), Workers: opt.Workers}
	return withArchive(ctx, root, false, aopt, func(a *archive.Archive) (*VerifyReport, error) {
		id, err := a.Resolve(ctx, query)
		if err != nil {
			return nil, err
		}
		copt := aopt.check()
		copt.Progress, copt.EveryDigest = opt.Progress, opt.EveryDigest
		c, err := a.Verify(ctx, id, copt)
		if err != nil {
			return nil, err
		}
		return verifyReport(c.Integrity, c.Signatures, opt)
	})
}
