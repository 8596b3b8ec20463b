package sign

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/fault"
)

// ErrNotPackage: the path is neither a package folder nor a package ZIP.
var ErrNotPackage = errors.New("not a casepack package")

// CoSignOptions controls CoSign.
type CoSignOptions struct {
	// Date is the modification time of new ZIP entries (reproducible output);
	// now when zero. Folders get the file system's own times.
	Date time.Time
	// Warn, when set, is told when CoSign first put right a package that an
	// earlier command was stopped while replacing.
	Warn func(msg string)
}

// CoSignResult lists what co-signing added, relative to the bag root.
type CoSignResult struct {
	Files []string `json:"files"`
	// IDs are the new signature groups, e.g. "3-bob".
	IDs []string `json:"ids"`
}

// CoSign adds one signature per signer to an existing package, a folder or
// a .zip, numbering them after the highest existing one. Nothing else in
// the package changes: a folder gains files in signatures/ only, and a ZIP
// is rewritten with every existing entry copied byte for byte. Either all
// new signatures are added or none.
//
// It does not check the package first; callers should verify it, because a
// signature vouches for what is there.
func CoSign(ctx context.Context, pkgPath string, signers []*Signer, opt CoSignOptions) (*CoSignResult, error) {
	if len(signers) == 0 {
		return nil, errors.New("no signer")
	}
	unlock, err := lockPackage(pkgPath, opt.Warn)
	if err != nil {
		return nil, err
	}
	defer unlock()
	fi, err := os.Stat(pkgPath)
	if err != nil {
		return nil, fault.IO(pkgPath, err)
	}
	if fi.IsDir() {
		return coSignDir(ctx, pkgPath, signers)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", pkgPath, ErrNotPackage)
	}
	if opt.Date.IsZero() {
		opt.Date = time.Now()
	}
	return coSignZip(ctx, pkgPath, fi.Mode().Perm(), signers, opt.Date)
}

// lockPackage takes the lock a build of the package takes (a package
// folder OUT/NAME and its ZIP OUT/NAME.zip are one unit, NAME in OUT), so a
// co-sign never signs a package a build is replacing, and two co-signs of
// one ZIP never both rewrite it. A folder where the lock cannot be created
// (read-only, not ours) cannot be a build's target either: the co-sign then
// goes ahead without it.
func lockPackage(pkgPath string, warn func(string)) (unlock func(), err error) {
	clean := filepath.Clean(pkgPath)
	name := strings.TrimSuffix(filepath.Base(clean), ".zip")
	d, err := atomicfs.OpenDir(filepath.Dir(clean), atomicfs.Options{})
	if err != nil {
		return func() {}, nil // the co-sign itself reports a missing package
	}
	u, err := d.Unit(name)
	if err != nil {
		d.Close()
		return func() {}, nil
	}
	l, err := u.Acquire(warn)
	if errors.Is(err, atomicfs.ErrBusy) {
		d.Close()
		return nil, fault.New(fault.Operational, fmt.Errorf("%w; nothing was added", err), "wait for the other command to finish, then sign again")
	}
	if err != nil {
		d.Close()
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return func() {}, nil
		}
		return nil, fault.IO(pkgPath, err)
	}
	return func() { l.Unlock(); d.Close() }, nil
}

// signAll runs every signer over manifest, numbering from the next free number.
func signAll(ctx context.Context, fsys fs.FS, manifest []byte, signers []*Signer) (map[string][]byte, *CoSignResult, error) {
	seq, err := NextSeq(fsys)
	if err != nil {
		return nil, nil, err
	}
	all := map[string][]byte{}
	res := &CoSignResult{}
	for i, s := range signers {
		files, err := s.SignTagManifest(ctx, manifest, seq+i)
		if err != nil {
			return nil, nil, err
		}
		for name, data := range files {
			if _, dup := all[name]; dup {
				return nil, nil, fmt.Errorf("two signers would write %s", name)
			}
			if _, err := fs.Stat(fsys, SignaturesDir+"/"+name); err == nil {
				return nil, nil, fmt.Errorf("%s/%s already exists", SignaturesDir, name)
			}
			all[name] = data
		}
		res.IDs = append(res.IDs, fmt.Sprintf("%d-%s", seq+i, s.slug()))
	}
	for _, name := range writeOrder(all) {
		res.Files = append(res.Files, SignaturesDir+"/"+name)
	}
	return all, res, nil
}

// writeOrder puts the signature files (.sig, .p7s) last, so that a crash
// half-way leaves, at worst, files verify reports as an incomplete
// signature, never a signature whose key or label is missing.
func writeOrder(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	rank := func(n string) int {
		if strings.HasSuffix(n, ExtLabelEd25519) || strings.HasSuffix(n, ExtLabelCMS) {
			return 0
		}
		if strings.HasSuffix(n, ExtEd25519) || strings.HasSuffix(n, ExtCMS) {
			return 1
		}
		return 0
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

func coSignDir(ctx context.Context, dir string, signers []*Signer) (*CoSignResult, error) {
	// Every write stays inside the package, even if signatures/ is a
	// symbolic link planted to point elsewhere.
	pkg, err := atomicfs.OpenDir(dir, atomicfs.Options{})
	if err != nil {
		return nil, fault.IO(dir, err)
	}
	defer pkg.Close()
	manifest, err := readCapped(pkg.FS(), SignedFile, maxSignedFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: cannot read %s: %s", dir, ErrNotPackage, SignedFile, fault.Describe(err))
	}
	files, res, err := signAll(ctx, pkg.FS(), manifest, signers)
	if err != nil {
		return nil, err
	}
	created := false
	if fi, err := pkg.Lstat(SignaturesDir); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s: %s is not a folder", dir, SignaturesDir)
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := pkg.Mkdir(SignaturesDir); err != nil {
			return nil, fault.IO(filepath.Join(dir, SignaturesDir), err)
		}
		created = true
	} else {
		return nil, fault.IO(dir, err)
	}

	// Each file is written crash-safely and may not replace anything; on
	// failure the ones already placed are removed, so either every new
	// signature is added or none.
	sd, err := pkg.Sub(SignaturesDir)
	if err != nil {
		if created {
			pkg.Remove(SignaturesDir)
		}
		return nil, fault.IO(filepath.Join(dir, SignaturesDir), err)
	}
	defer sd.Close()
	var placed []string
	fail := func(err error) (*CoSignResult, error) {
		for _, p := range placed {
			sd.Remove(p)
		}
		if created {
			pkg.Remove(SignaturesDir)
		}
		return nil, err
	}
	for _, name := range writeOrder(files) {
		f, err := sd.Create(name, atomicfs.FileOptions{Perm: 0o644})
		if err == nil {
			if _, err = f.Write(files[name]); err == nil {
				err = f.Commit()
			}
			f.Abort()
		}
		if errors.Is(err, fs.ErrExist) {
			return fail(fmt.Errorf("%s: %s/%s appeared while signing; another signer is at work", dir, SignaturesDir, name))
		}
		if err != nil {
			return fail(fault.IO(filepath.Join(dir, SignaturesDir, name), err))
		}
		placed = append(placed, name)
	}
	return res, nil
}

// zipTop finds the single top folder of a package ZIP.
func zipTop(zr *zip.Reader) (string, error) {
	top := ""
	for _, f := range zr.File {
		first, _, ok := strings.Cut(f.Name, "/")
		if !ok || first == "" {
			return "", fmt.Errorf("entry %q is not inside a top folder", f.Name)
		}
		if top == "" {
			top = first
		} else if first != top {
			return "", fmt.Errorf("entries under two top folders (%q and %q)", top, first)
		}
	}
	if top == "" {
		return "", errors.New("the ZIP is empty")
	}
	return top, nil
}

func coSignZip(ctx context.Context, zipPath string, perm fs.FileMode, signers []*Signer, date time.Time) (*CoSignResult, error) {
	in, err := source.Open(zipPath)
	if err != nil {
		return nil, fault.IO(zipPath, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return nil, fault.IO(zipPath, err)
	}
	zr, err := zip.NewReader(in, fi.Size())
	if err != nil {
		if errors.Is(err, zip.ErrInsecurePath) {
			return nil, fmt.Errorf("%s: %w: a ZIP entry name points outside the package; refusing to rewrite it", zipPath, ErrNotPackage)
		}
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) {
			return nil, fmt.Errorf("%s: %w: the ZIP is damaged or incomplete", zipPath, ErrNotPackage)
		}
		return nil, fault.IO(zipPath, err)
	}
	top, err := zipTop(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", zipPath, ErrNotPackage, err)
	}
	sub, err := fs.Sub(zr, top)
	if err != nil {
		return nil, err
	}
	manifest, err := readCapped(sub, SignedFile, maxSignedFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: cannot read %s/%s: %s", zipPath, ErrNotPackage, top, SignedFile, fault.Describe(err))
	}
	files, res, err := signAll(ctx, sub, manifest, signers)
	if err != nil {
		return nil, err
	}

	type newEntry struct {
		name string
		data []byte // nil for a directory
	}
	var adds []newEntry
	hasDirs := false
	sigDir := top + "/" + SignaturesDir + "/"
	hasSigDir := false
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			hasDirs = true
		}
		if f.Name == sigDir {
			hasSigDir = true
		}
	}
	// Follow the archive's own convention: bag.WriteZip writes folder entries.
	if hasDirs && !hasSigDir {
		adds = append(adds, newEntry{name: sigDir})
	}
	for name, data := range files {
		adds = append(adds, newEntry{name: sigDir + name, data: data})
	}
	slices.SortFunc(adds, func(a, b newEntry) int { return strings.Compare(a.name, b.name) })

	d, err := atomicfs.OpenDir(filepath.Dir(zipPath), atomicfs.Options{})
	if err != nil {
		return nil, fault.IO(zipPath, err)
	}
	defer d.Close()
	tmp, err := d.Create(filepath.Base(zipPath), atomicfs.FileOptions{Perm: perm, Replace: true})
	if err != nil {
		return nil, fault.IO(zipPath, err)
	}
	defer tmp.Abort() // nothing once committed
	zw := zip.NewWriter(tmp)
	date = date.UTC().Truncate(time.Second)
	writeNew := func(e newEntry) error {
		h := &zip.FileHeader{Name: e.name, Modified: date, Method: zip.Store}
		if e.data == nil {
			h.SetMode(fs.ModeDir | 0o755)
			_, err := zw.CreateHeader(h)
			return err
		}
		h.SetMode(0o644)
		// Text is deflated, binary stored, as bag.WriteZip does.
		if ext := path.Ext(e.name); ext == ".json" || ext == ".pem" {
			h.Method = zip.Deflate
		}
		var w io.Writer
		var err error
		if h.Method == zip.Store {
			// Known CRC and size, no data descriptor: Java's ZipInputStream
			// refuses a stored entry that has one (see bag.CreateStored).
			w, err = bag.CreateStored(zw, h, crc32.ChecksumIEEE(e.data), int64(len(e.data)))
		} else {
			w, err = zw.CreateHeader(h)
		}
		if err != nil {
			return err
		}
		_, err = w.Write(e.data)
		return err
	}
	// Merge in name order: for a sorted archive (as casepack writes them)
	// the result is sorted too; existing entries keep their relative order
	// and their exact compressed bytes either way.
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for len(adds) > 0 && adds[0].name < f.Name {
			if err := writeNew(adds[0]); err != nil {
				return nil, fault.IO(zipPath, err)
			}
			adds = adds[1:]
		}
		if err := zw.Copy(f); err != nil {
			return nil, fault.IO(zipPath, err)
		}
	}
	for _, e := range adds {
		if err := writeNew(e); err != nil {
			return nil, fault.IO(zipPath, err)
		}
	}
	if zr.Comment != "" {
		if err := zw.SetComment(zr.Comment); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fault.IO(zipPath, err)
	}
	if err := tmp.Commit(); err != nil {
		return nil, fault.IO(zipPath, err)
	}
	return res, nil
}
