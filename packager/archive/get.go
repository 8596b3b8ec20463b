package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/verify"
)

// GetResult is what Get wrote.
type GetResult struct {
	ID     string  `json:"id"`
	Path   string  `json:"path"` // the package folder or ZIP written
	Record *Record `json:"record"`
	Check  *Check  `json:"check"` // the check of the written copy
}

// Get writes the stored package id into the folder outDir, as it was
// stored: the folder outDir/<name> or the ZIP outDir/<name>.zip, byte for
// byte. The copy is written under a temporary name, checked (a ZIP's
// SHA-256 against the record, every file and signature, the identity) and
// only then put in place; it never replaces anything already there. A copy
// that fails the check is removed and returned as a *NotIntactError.
func (a *Archive) Get(ctx context.Context, id ID, outDir string, opt CheckOptions) (*GetResult, error) {
	// Never into a case folder or a package (a usage error).
	if err := destination.Place(outDir, ""); err != nil {
		return nil, fault.New(fault.Usage, fmt.Errorf("-o %w", err), destination.PlaceHint)
	}
	rec, err := a.readRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	made, err := atomicfs.MkdirAll(outDir, 0o755)
	if err != nil {
		return nil, err
	}
	d, err := atomicfs.OpenDir(outDir, atomicfs.Options{})
	if err != nil {
		made.Remove()
		return nil, err
	}
	defer d.Close()
	var res *GetResult
	if rec.Form == FormZip {
		res, err = a.getZip(ctx, d, rec, opt)
	} else {
		res, err = a.getFolder(ctx, d, rec, opt)
	}
	if err != nil {
		made.Remove()
		return nil, err
	}
	return res, nil
}

func (a *Archive) getZip(ctx context.Context, d *atomicfs.Dir, rec *Record, opt CheckOptions) (*GetResult, error) {
	o := rec.Objects[0]
	target := rec.Name + ".zip"
	f, err := d.Create(target, atomicfs.FileOptions{Perm: 0o644})
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	rc, err := a.st.Open(ctx, rec.objectKey(o))
	if errIsNotExist(err) {
		gone := finding.Finding{Code: finding.ArchiveObjectMissing, Severity: finding.Error, Path: o.Key,
			Message: fmt.Sprintf("stored object %s is gone from the archive", rec.objectKey(o))}
		return nil, &NotIntactError{Package: a.displayPath(rec), Stored: true,
			Check: &Check{Integrity: &verify.Report{Package: a.displayPath(rec), Kind: string(rec.Form), Findings: []finding.Finding{gone}}}}
	}
	if err != nil {
		return nil, err
	}
	// Copied and hashed in one read: the digest is of the bytes written.
	got, err := digest.ReadSHA256(ctx, io.TeeReader(rc, f))
	rc.Close()
	if err != nil {
		return nil, err
	}
	sum, n := got.SHA256, got.Size
	if err := f.Seal(); err != nil {
		return nil, err
	}
	res := &GetResult{ID: rec.ID, Path: d.Join(target), Record: rec}
	var objFindings []finding.Finding
	if sum != o.SHA256 || n != o.Size {
		objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveObjectChanged, Severity: finding.Error, Path: o.Key, Algorithm: "sha256", Expected: o.SHA256, Actual: sum,
			Message: fmt.Sprintf("the stored ZIP is not the file that was stored (%d bytes read, %d stored)", n, o.Size)})
	}
	c, err := checkLocalCopy(ctx, f.Name(), rec, opt)
	if err != nil {
		return nil, err
	}
	c.Integrity.Add(objFindings...)
	res.Check = c
	if !c.Intact() {
		return nil, &NotIntactError{Package: a.displayPath(rec), Stored: true, Check: c}
	}
	if err := f.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

func (a *Archive) getFolder(ctx context.Context, d *atomicfs.Dir, rec *Record, opt CheckOptions) (*GetResult, error) {
	if _, err := d.Lstat(rec.Name); err == nil {
		return nil, &fs.PathError{Op: "get", Path: d.Join(rec.Name), Err: fs.ErrExist}
	}
	unit, err := d.Unit(rec.Name)
	if err != nil {
		return nil, err
	}
	lock, err := unit.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	tmp, err := d.MkdirTemp(rec.Name)
	if err != nil {
		return nil, err
	}
	published := false
	defer func() {
		if !published {
			d.RemoveAll(tmp)
		}
	}()
	root, err := os.OpenRoot(d.Join(tmp))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var objFindings []finding.Finding
	buf := make([]byte, digest.BufferSize)
	for _, o := range rec.Objects {
		rel := o.Key[len(rec.Name)+1:]
		err := copyObject(ctx, a, rec.objectKey(o), root, rel, buf)
		if errIsNotExist(err) {
			objFindings = append(objFindings, finding.Finding{Code: finding.ArchiveObjectMissing, Severity: finding.Error, Path: rel,
				Message: fmt.Sprintf("stored object %s is gone from the archive", rec.objectKey(o))})
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	c, err := checkLocalCopy(ctx, d.Join(tmp), rec, opt)
	if err != nil {
		return nil, err
	}
	c.Integrity.Add(objFindings...)
	if !c.Intact() {
		return nil, &NotIntactError{Package: a.displayPath(rec), Stored: true, Check: c}
	}
	if err := unit.Publish(atomicfs.Change{New: tmp, Target: rec.Name}); err != nil {
		return nil, err
	}
	published = true
	return &GetResult{ID: rec.ID, Path: d.Join(rec.Name), Record: rec, Check: c}, nil
}

func errIsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// copyObject streams one object into a new file under root, synced.
func copyObject(ctx context.Context, a *Archive, key string, root *os.Root, rel string, buf []byte) error {
	rc, err := a.st.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(f, store.ContextReader(ctx, rc), buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkLocalCopy verifies a package written to local disk and compares
// its identity with the record's.
func checkLocalCopy(ctx context.Context, p string, rec *Record, opt CheckOptions) (*Check, error) {
	pkg, err := verify.Open(p)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	c, err := checkPackage(ctx, pkg, opt)
	if err != nil {
		return nil, err
	}
	c.Integrity.Package = filepath.Join(filepath.Dir(p), rec.Name)
	if rec.Form == FormZip {
		c.Integrity.Package += ".zip"
	}
	c.Integrity.Add(identityFinding(rec.id(), c.ID)...)
	return c, nil
}
