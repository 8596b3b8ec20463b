// Package archive owns the casepack archive: a root (a local folder or an
// s3://bucket/prefix, see packager/archive/store) that keeps every package
// an organisation filed, verbatim and immutable; its catalogue (rebuilt at
// any time from the stored packages); disclosure tracking (which package
// included or withheld which evidence file); fixity audits that append
// their records to the archive itself; retrieval; and copying between
// roots. docs/ARCHIVE.md specifies the layout so that a reader without
// casepack can follow it.
//
// Every package is verified before it is stored and again from the store
// before it becomes visible: its objects are written under a fresh upload
// folder and only the commit record, written last and never replaced, makes
// them a stored package. A package is identified by the SHA-256 of its tag
// manifest (what its signatures sign) and the digest of its signature set,
// so a co-signed package is a new version beside the one it extends.
package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/casepack/casepack/packager/archive/store"
)

// The layout of an archive root (docs/ARCHIVE.md).
const (
	MarkerKey       = "casepack-archive.json" // identifies the root and its format version
	PackagesPrefix  = "packages/"             // packages/<root>/<sigs>/record.json and /<upload>/…
	FixityPrefix    = "fixity/"               // fixity/<time>-<rand>.json, one per audit, never replaced
	CataloguePrefix = "catalogue/"            // derived: rebuilt by Reindex, safe to delete
	entriesPrefix   = CataloguePrefix + "packages/"
	lastCheckedKey  = CataloguePrefix + "last-checked.json"
	recordName      = "record.json"
)

// Format identifiers written into each JSON document of the layout.
const (
	MarkerFormat      = "casepack-archive/1"
	RecordFormat      = "casepack-archive-record/1"
	EntryFormat       = "casepack-catalogue-entry/1"
	FixityFormat      = "casepack-fixity/1"
	LastCheckedFormat = "casepack-last-checked/1"
)

// Caps on JSON documents read from a root (a root may be shared with people
// who should not be able to exhaust a reader's memory).
const (
	maxMarker = 64 << 10
	maxRecord = 64 << 20
	maxEntry  = 256 << 20
	maxFixity = 256 << 20
)

// Options open a root.
type Options struct {
	// S3 configures s3:// roots (endpoint, region, profile); the AWS
	// environment variables fill in what it leaves empty.
	S3 store.S3Config
	// Version is the casepack version written into records.
	Version string
	// Now is the clock (tests fix it); time.Now when nil.
	Now func() time.Time
}

// Archive is an open archive root.
type Archive struct {
	st    store.Store
	opt   Options
	close func() error
}

// ErrNotArchive is returned (wrapped) when a root holds no archive marker.
var ErrNotArchive = errors.New("not an archive root")

// Open opens the archive at root: a folder path, or s3://bucket/prefix. With
// create, a root that does not exist yet (or an empty folder or prefix) is
// made an archive; without it, the root must already hold
// casepack-archive.json.
func Open(ctx context.Context, root string, create bool, opt Options) (*Archive, error) {
	var a *Archive
	if store.IsS3URL(root) {
		s, err := store.OpenS3(ctx, root, opt.S3)
		if err != nil {
			return nil, err
		}
		a = &Archive{st: s, opt: opt, close: func() error { return nil }}
	} else {
		s, err := store.OpenLocal(root, create)
		if err != nil {
			if !create && errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w: %s does not exist", ErrNotArchive, root)
			}
			return nil, err
		}
		a = &Archive{st: s, opt: opt, close: s.Close}
	}
	if err := a.checkMarker(ctx, create); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// OpenStore opens an archive on a store the caller made (tests, and other
// front ends with their own storage).
func OpenStore(ctx context.Context, st store.Store, create bool, opt Options) (*Archive, error) {
	a := &Archive{st: st, opt: opt, close: func() error { return nil }}
	if err := a.checkMarker(ctx, create); err != nil {
		return nil, err
	}
	return a, nil
}

// Close releases the root.
func (a *Archive) Close() error { return a.close() }

// Root names the root: the folder or s3://bucket/prefix.
func (a *Archive) Root() string { return a.st.String() }

// Store is the root's storage.
func (a *Archive) Store() store.Store { return a.st }

func (a *Archive) now() time.Time {
	if a.opt.Now != nil {
		return a.opt.Now().UTC()
	}
	return time.Now().UTC()
}

type marker struct {
	Format    string `json:"format"`
	Created   string `json:"created"`
	CreatedBy string `json:"created_by,omitempty"`
}

// checkMarker reads casepack-archive.json, or writes it into an empty root
// when create is set. A non-empty root without a marker is someone else's
// folder or bucket: it is never taken over.
func (a *Archive) checkMarker(ctx context.Context, create bool) error {
	var m marker
	err := a.readJSON(ctx, MarkerKey, maxMarker, &m)
	switch {
	case err == nil:
		if m.Format != MarkerFormat {
			return fmt.Errorf("%w: %s: %s has format %q; this casepack reads %q", ErrNotArchive, a.Root(), MarkerKey, m.Format, MarkerFormat)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", a.Root(), err)
	case !create:
		return fmt.Errorf("%w: %s has no %s (make one with casepack archive add)", ErrNotArchive, a.Root(), MarkerKey)
	}
	for fi, err := range a.st.List(ctx, "") {
		if err != nil {
			return err
		}
		if err := a.readJSON(ctx, MarkerKey, maxMarker, &m); err == nil {
			return a.checkMarker(ctx, false) // a concurrent add made the root meanwhile
		}
		return fmt.Errorf("%w: %s is not empty and holds no %s (found %s); choose an empty folder or prefix for a new archive", ErrNotArchive, a.Root(), MarkerKey, fi.Key)
	}
	m = marker{Format: MarkerFormat, Created: a.now().Format(time.RFC3339), CreatedBy: "casepack " + a.opt.Version}
	err = a.writeJSON(ctx, MarkerKey, m, store.PutOptions{Exclusive: true})
	if errors.Is(err, fs.ErrExist) { // a concurrent add made it
		return a.checkMarker(ctx, false)
	}
	return err
}

func (a *Archive) readJSON(ctx context.Context, key string, limit int64, v any) error {
	rc, err := a.st.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("%s: larger than the %d bytes casepack reads", key, limit)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: not valid JSON: %w", key, err)
	}
	return nil
}

func (a *Archive) writeJSON(ctx context.Context, key string, v any, opt store.PutOptions) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return a.st.Put(ctx, key, bytes.NewReader(b), int64(len(b)), opt)
}
