package archive

import (
	"cmp"
	"context"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/treefs"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/verify"
)

func sortBy[T any](s []T, key func(T) string) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}

// newObjectFS lists the objects under prefix once and returns them as a
// read-only fs.FS of a folder package: files stream from the store when
// opened; folders are implied by the keys. It is what the verifier walks,
// so a stored package is checked by the same code as a folder on disk.
// listed, when not nil, is a listing of at least prefix the caller already
// made (one listing per check, not two).
func newObjectFS(ctx context.Context, st store.Store, prefix string, listed []store.Info) (*treefs.FS, error) {
	t := treefs.New(func(name string) (io.ReadCloser, error) { return st.Open(ctx, prefix+name) })
	if listed == nil {
		for fi, err := range st.List(ctx, prefix) {
			if err != nil {
				return nil, err
			}
			listed = append(listed, fi)
		}
	}
	for _, fi := range listed {
		if !strings.HasPrefix(fi.Key, prefix) {
			continue
		}
		rel := strings.TrimPrefix(fi.Key, prefix)
		if !fs.ValidPath(rel) || rel == "." || t.IsDir(rel) || t.HasFileAncestor(rel) {
			continue
		}
		t.AddFile(rel, fi.Size, time.Time{})
	}
	return t, nil
}

// storedPackage is a stored package opened for reading.
type storedPackage struct {
	*verify.Package
	rec *Record
	ra  store.ReaderAt // the ZIP object, nil for a folder
}

func (p *storedPackage) Close() error {
	if p.ra != nil {
		return p.ra.Close()
	}
	return nil
}

// openStored opens the package a record describes, straight from the
// store: a folder through objectFS, a ZIP through random access to its
// object. Nothing is copied to local disk.
func (a *Archive) openStored(ctx context.Context, rec *Record, listed []store.Info) (*storedPackage, error) {
	disp := a.displayPath(rec)
	if rec.Form == FormZip {
		ra, err := a.st.OpenAt(ctx, rec.zipKey())
		if err != nil {
			return nil, err
		}
		pkg, err := verify.OpenZipAt(ra, ra.Size(), disp)
		if err != nil {
			ra.Close()
			return nil, err
		}
		return &storedPackage{Package: pkg, rec: rec, ra: ra}, nil
	}
	ofs, err := newObjectFS(ctx, a.st, rec.folderPrefix(), listed)
	if err != nil {
		return nil, err
	}
	return &storedPackage{Package: verify.OpenFS(ofs, disp), rec: rec}, nil
}
