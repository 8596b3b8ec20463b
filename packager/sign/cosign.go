package sign

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ErrNotPackage: the path is neither a package folder nor a package ZIP.
var ErrNotPackage = errors.New("sign: not a casepack package")

// CoSignOptions controls CoSign.
type CoSignOptions struct {
	// Date is the modification time of new ZIP entries (reproducible output);
	// now when zero. Folders get the file system's own times.
	Date time.Time
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
		return nil, errors.New("sign: no signer")
	}
	fi, err := os.Stat(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	if fi.IsDir() {
		return coSignDir(ctx, pkgPath, signers)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", ErrNotPackage, pkgPath)
	}
	if opt.Date.IsZero() {
		opt.Date = time.Now()
	}
	return coSignZip(ctx, pkgPath, fi.Mode().Perm(), signers, opt.Date)
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
				return nil, nil, fmt.Errorf("sign: two signers would write %s", name)
			}
			if _, err := fs.Stat(fsys, SignaturesDir+"/"+name); err == nil {
				return nil, nil, fmt.Errorf("sign: %s/%s already exists", SignaturesDir, name)
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
	// os.Root keeps every write inside the package, even if signatures/ is
	// a symbolic link planted to point elsewhere.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	defer root.Close()
	manifest, err := readCapped(root.FS(), SignedFile, maxSignedFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: cannot read %s: %w", ErrNotPackage, dir, SignedFile, err)
	}
	files, res, err := signAll(ctx, root.FS(), manifest, signers)
	if err != nil {
		return nil, err
	}
	created := false
	if fi, err := root.Lstat(SignaturesDir); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("co-sign: %s/%s is not a folder", dir, SignaturesDir)
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := root.Mkdir(SignaturesDir, 0o755); err != nil {
			return nil, fmt.Errorf("co-sign: %w", err)
		}
		created = true
	} else {
		return nil, fmt.Errorf("co-sign: %w", err)
	}

	suffix, err := randomSuffix()
	if err != nil {
		return nil, err
	}
	tmpName := func(name string) string { return SignaturesDir + "/.casepack-tmp-" + suffix + "-" + name }
	var temps, placed []string
	cleanup := func() {
		for _, p := range temps {
			if p != "" {
				root.Remove(p)
			}
		}
		for _, p := range placed {
			root.Remove(p)
		}
		if created {
			root.Remove(SignaturesDir)
		}
	}
	order := writeOrder(files)
	for _, name := range order {
		tmp := tmpName(name)
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("co-sign: %w", err)
		}
		temps = append(temps, tmp)
		_, err = f.Write(files[name])
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("co-sign: write %s: %w", tmp, err)
		}
	}
	for i, name := range order {
		final := SignaturesDir + "/" + name
		if _, err := root.Lstat(final); err == nil {
			cleanup()
			return nil, fmt.Errorf("co-sign: %s appeared while signing; another signer is at work", final)
		}
		if err := root.Rename(temps[i], final); err != nil {
			cleanup()
			return nil, fmt.Errorf("co-sign: %w", err)
		}
		temps[i] = ""
		placed = append(placed, final)
	}
	if err := syncDir(filepath.Join(dir, SignaturesDir)); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	return res, nil
}

func randomSuffix() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		// Some file systems cannot sync a directory; the rename is still done.
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			return err
		}
	}
	return nil
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
	in, err := os.Open(zipPath)
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	zr, err := zip.NewReader(in, fi.Size())
	if err != nil {
		if errors.Is(err, zip.ErrInsecurePath) {
			return nil, fmt.Errorf("%w: %s: a ZIP entry name points outside the package; refusing to rewrite it", ErrNotPackage, zipPath)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrNotPackage, zipPath, err)
	}
	top, err := zipTop(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotPackage, zipPath, err)
	}
	sub, err := fs.Sub(zr, top)
	if err != nil {
		return nil, err
	}
	manifest, err := readCapped(sub, SignedFile, maxSignedFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: cannot read %s/%s: %w", ErrNotPackage, zipPath, top, SignedFile, err)
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

	tmp, err := os.CreateTemp(filepath.Dir(zipPath), "."+filepath.Base(zipPath)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
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
		w, err := zw.CreateHeader(h)
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
				return nil, fmt.Errorf("co-sign: %s: %w", adds[0].name, err)
			}
			adds = adds[1:]
		}
		if err := zw.Copy(f); err != nil {
			return nil, fmt.Errorf("co-sign: copy %s: %w", f.Name, err)
		}
	}
	for _, e := range adds {
		if err := writeNew(e); err != nil {
			return nil, fmt.Errorf("co-sign: %s: %w", e.name, err)
		}
	}
	if zr.Comment != "" {
		if err := zw.SetComment(zr.Comment); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	if err := os.Rename(tmp.Name(), zipPath); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	ok = true
	if err := syncDir(filepath.Dir(zipPath)); err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	return res, nil
}
