package archive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/verify"
)

// AddOptions tune Add.
type AddOptions struct {
	Check CheckOptions
	// Retention locks every stored object until a date (S3 Object Lock);
	// Add refuses it before storing anything where the root cannot lock.
	Retention *store.Retention
	// Uploads is how many files are uploaded at once (default 4).
	Uploads int
	// Stage, when set, is told when each stage starts ("checking",
	// "storing", "checking the stored copy").
	Stage func(stage string)
}

// AddResult is what Add did with one package.
type AddResult struct {
	Package string `json:"package"` // the path given
	ID      string `json:"id"`
	// Already is set when the package was stored before: nothing was
	// written. Record is then the earlier record.
	Already bool    `json:"already_stored"`
	Record  *Record `json:"record"`
	Entry   *Entry  `json:"catalogue"`
	Check   *Check  `json:"check"` // the check of the copy in the store (or of the input, when Already)
}

// NotIntactError is a package that failed verification: before storing
// (the input) or after (the stored copy, which is then not committed).
type NotIntactError struct {
	Package string
	Stored  bool // the stored copy failed (the input had passed)
	Check   *Check
}

func (e *NotIntactError) Error() string {
	if e.Stored {
		return fmt.Sprintf("%s: the copy in the archive failed verification; it was not committed (%d errors)", e.Package, len(e.Check.Integrity.Errors()))
	}
	return fmt.Sprintf("%s: failed verification; nothing was stored (%d errors)", e.Package, len(e.Check.Integrity.Errors()))
}

// Add stores the package at path (a folder or a ZIP) in the archive. The
// package is verified first (every file, both algorithms, every signature)
// and refused with a *NotIntactError if it fails. Its objects are written
// under a new upload folder, the stored copy is verified again from the
// store, and only then is the commit record written, exclusively: a
// package is visible whole or not at all, and nothing stored is ever
// replaced. A package already stored returns Already.
func (a *Archive) Add(ctx context.Context, path string, opt AddOptions) (*AddResult, error) {
	stage := func(s string) {
		if opt.Stage != nil {
			opt.Stage(s)
		}
	}
	if opt.Retention != nil {
		if err := a.st.CheckRetention(ctx); err != nil {
			return nil, err
		}
	}
	pkg, err := verify.Open(path)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()

	stage("checking")
	in, err := checkPackage(ctx, pkg, opt.Check)
	if err != nil {
		return nil, err
	}
	if in.Integrity.PlainBag() {
		// verify accepts any BagIt bag; the archive catalogues packages by
		// their casepack/manifest.json and tracks what each disclosed.
		return nil, fault.New(fault.Usage, fmt.Errorf("%s: a BagIt bag, not a casepack package; the archive keeps casepack packages", path),
			"casepack verify checks it; build a casepack package from the case to archive it")
	}
	if !in.Intact() {
		return nil, &NotIntactError{Package: path, Check: in}
	}
	id := in.ID
	res := &AddResult{Package: path, ID: id.String()}
	if rec, err := a.readRecord(ctx, id); err == nil {
		res.Already, res.Record, res.Check = true, rec, in
		res.Entry, err = a.ensureEntry(ctx, rec)
		return res, err
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := bag.CheckName(pkg.Name()); err != nil {
		return nil, fmt.Errorf("%s: the package name %q cannot be stored: %w", path, pkg.Name(), err)
	}

	stage("storing")
	rec := &Record{Format: RecordFormat, ID: id.String(), Upload: a.newUpload(), Name: pkg.Name(), StoredAt: a.now(), StoredBy: "casepack " + a.opt.Version, Retention: opt.Retention}
	put := store.PutOptions{Exclusive: true, Retention: opt.Retention}
	if pkg.IsZip() {
		rec.Form = FormZip
		err = a.uploadZip(ctx, path, rec, put)
	} else {
		rec.Form = FormFolder
		err = a.uploadFolder(ctx, pkg.FS(), rec, put, opt.Uploads)
	}
	if err != nil {
		a.discard(rec)
		return nil, err
	}
	return a.commit(ctx, rec, opt.Check, stage, res)
}

// commit checks an uploaded package from the store and, if intact, writes
// its record and catalogue entry. Add and Sync end with it.
func (a *Archive) commit(ctx context.Context, rec *Record, opt CheckOptions, stage func(string), res *AddResult) (*AddResult, error) {
	id := rec.id()
	stage("checking the stored copy")
	after, err := a.checkStored(ctx, rec, opt)
	if err != nil {
		a.discard(rec)
		return nil, err
	}
	res.Check = after
	if !after.Intact() {
		a.discard(rec)
		return nil, &NotIntactError{Package: res.Package, Stored: true, Check: after}
	}
	err = a.writeJSON(ctx, id.recordKey(), rec, store.PutOptions{Exclusive: true, Retention: rec.Retention})
	if errors.Is(err, fs.ErrExist) {
		// A concurrent add of the same package committed first; ours is
		// a duplicate.
		a.discard(rec)
		earlier, rerr := a.readRecord(ctx, id)
		if rerr != nil {
			return nil, rerr
		}
		res.Already, res.Record = true, earlier
		res.Entry, err = a.ensureEntry(ctx, earlier)
		return res, err
	}
	if err != nil {
		a.discard(rec)
		return nil, err
	}
	res.Record = rec
	res.Entry, err = a.catalogue(ctx, rec, CheckOptions{}, false)
	if err != nil {
		return res, fmt.Errorf("%s was stored, but its catalogue entry could not be written (run casepack archive reindex): %w", id.Short(), err)
	}
	return res, nil
}

// ensureEntry returns the catalogue entry of a stored package, writing it
// when it is missing.
func (a *Archive) ensureEntry(ctx context.Context, rec *Record) (*Entry, error) {
	if e, err := a.readEntry(ctx, rec.id()); err == nil {
		return e, nil
	}
	return a.catalogue(ctx, rec, CheckOptions{}, false)
}

// newUpload names a fresh upload folder: time, then 64 random bits, so two
// adds never share one.
func (a *Archive) newUpload() string {
	var b [8]byte
	rand.Read(b[:])
	return a.now().Format(uploadTime) + "-" + hex.EncodeToString(b[:])
}

// discard removes an upload that will not be committed. Failures are
// ignored: an uncommitted upload is invisible, and objects under retention
// cannot be removed before their date anyway.
func (a *Archive) discard(rec *Record) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var keys []string
	for fi, err := range a.st.List(ctx, rec.objectPrefix()) {
		if err != nil {
			return
		}
		keys = append(keys, fi.Key)
	}
	for _, k := range keys {
		a.st.Delete(ctx, k)
	}
}

func (a *Archive) uploadZip(ctx context.Context, path string, rec *Record, put store.PutOptions) error {
	// Never blocks on a FIFO put there since the check.
	f, err := source.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi := f.Info()
	h := sha256.New()
	key := rec.Name + ".zip"
	if err := a.st.Put(ctx, rec.objectPrefix()+key, io.TeeReader(f, h), fi.Size(), put); err != nil {
		return err
	}
	rec.Objects = []Object{{Key: key, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}}
	rec.Bytes = fi.Size()
	return nil
}

// uploadFolder stores every regular file of the package (the files the
// verifier saw; it refused links and other oddities already).
func (a *Archive) uploadFolder(ctx context.Context, fsys fs.FS, rec *Record, put store.PutOptions, workers int) error {
	var files []Object
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, Object{Key: rec.Name + "/" + p, Size: info.Size()})
		return nil
	})
	if err != nil {
		return err
	}
	open := func(o Object) (io.ReadCloser, error) { return fsys.Open(o.Key[len(rec.Name)+1:]) }
	return a.uploadObjects(ctx, rec, files, open, put, workers)
}

// uploadObjects writes objs under the record's upload folder, several at
// once, each streamed from open; the first failure stops the rest. On
// success the record lists them.
func (a *Archive) uploadObjects(ctx context.Context, rec *Record, objs []Object, open func(Object) (io.ReadCloser, error), put store.PutOptions, workers int) error {
	if workers <= 0 {
		workers = 4 // uploads wait on the network more than on a core
	}
	err := digest.Each(ctx, len(objs), workers, func(ctx context.Context, i int) error {
		o := objs[i]
		rc, err := open(o)
		if err != nil {
			return err
		}
		defer rc.Close()
		return a.st.Put(ctx, rec.objectPrefix()+o.Key, rc, o.Size, put)
	})
	if err != nil {
		return err
	}
	rec.Objects = objs
	rec.Bytes = 0
	for _, o := range objs {
		rec.Bytes += o.Size
	}
	return nil
}

// checkStored checks a stored (or just uploaded) package from the store:
// its objects against the record, every file and signature, its identity,
// and a ZIP's bytes against the SHA-256 in the record.
func (a *Archive) checkStored(ctx context.Context, rec *Record, opt CheckOptions) (*Check, error) {
	id := rec.id()
	var objFindings []finding.Finding
	listed := map[string]int64{}
	var listing []store.Info
	for fi, err := range a.st.List(ctx, rec.objectPrefix()) {
		if err != nil {
			return nil, err
		}
		listed[fi.Key[len(rec.objectPrefix()):]] = fi.Size
		listing = append(listing, fi)
	}
	rel := func(key string) string {
		if rec.Form == FormFolder {
			return key[len(rec.Name)+1:]
		}
		return key
	}
	missingZip := false
	for _, o := range rec.Objects {
		size, ok := listed[o.Key]
		switch {
		case !ok:
			objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveObjectMissing, Severity: finding.Error, Path: rel(o.Key),
				Message: fmt.Sprintf("stored object %s is gone from the archive", rec.objectPrefix()+o.Key)})
			missingZip = missingZip || rec.Form == FormZip
		case size != o.Size:
			objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveObjectChanged, Severity: finding.Error, Path: rel(o.Key), Expected: fmt.Sprint(o.Size), Actual: fmt.Sprint(size),
				Message: "stored object changed size"})
		}
		delete(listed, o.Key)
	}
	for k := range listed {
		objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveObjectExtra, Severity: finding.Error, Path: rel(k),
			Message: fmt.Sprintf("object %s was added to the stored package after it was stored", rec.objectPrefix()+k)})
	}
	disp := a.displayPath(rec)
	if missingZip {
		return &Check{Integrity: &verify.Report{Package: disp, Kind: string(rec.Form), Findings: objFindings}}, nil
	}
	pkg, err := a.openStored(ctx, rec, listing)
	if errors.Is(err, verify.ErrNotPackage) {
		objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveUnreadable, Severity: finding.Error, Path: rec.Name + ".zip", Message: "the stored ZIP can no longer be read as a ZIP: " + err.Error()})
		return &Check{Integrity: &verify.Report{Package: disp, Kind: string(rec.Form), Findings: objFindings}}, nil
	}
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	c, err := checkPackage(ctx, pkg.Package, opt)
	if err != nil {
		return nil, err
	}
	c.Integrity.Add(objFindings...)
	c.Integrity.Add(identityFinding(id, c.ID)...)
	if rec.Form == FormZip {
		o := rec.Objects[0]
		sum, _, err := hashObject(ctx, a, rec.objectKey(o))
		if err != nil {
			return nil, err
		}
		if sum != o.SHA256 {
			c.Integrity.Add(finding.Finding{Code: finding.ArchiveObjectChanged, Severity: finding.Error, Path: o.Key, Algorithm: "sha256", Expected: o.SHA256, Actual: sum,
				Message: "the stored ZIP's bytes changed (a get would no longer return the file that was stored)"})
		}
	}
	return c, nil
}

// Verify checks the stored package id from the store, the way audit checks
// each package: its objects against its record, every file with both
// algorithms, every signature, its identity and a ZIP's bytes. It is what
// casepack verify does with a package inside an archive root.
func (a *Archive) Verify(ctx context.Context, id ID, opt CheckOptions) (*Check, error) {
	rec, err := a.readRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	return a.checkStored(ctx, rec, opt)
}
