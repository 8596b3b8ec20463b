package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/bag"
)

// Form is how a package was handed in, and is stored and returned: a
// folder or a ZIP file.
type Form string

const (
	FormFolder Form = "folder"
	FormZip    Form = "zip"
)

// Record is a stored package's commit record,
// packages/<root>/<sigs>/record.json. It is written last, after the
// package's objects were verified from the store, and never replaced:
// its existence is what makes the package stored.
type Record struct {
	Format string `json:"format"`
	ID     string `json:"id"`
	// Upload is the folder, below packages/<root>/<sigs>/, that holds the
	// package's objects.
	Upload string `json:"upload"`
	Form   Form   `json:"form"`
	// Name is the package's folder name (the ZIP's top folder); the
	// objects are <upload>/<name>/… for a folder and <upload>/<name>.zip
	// for a ZIP.
	Name string `json:"name"`
	// Objects lists every object of the package below <upload>/, with its
	// size; a ZIP's single object also carries its SHA-256, since bytes
	// outside its entries are covered by no manifest.
	Objects []Object `json:"objects"`
	Bytes   int64    `json:"bytes"`
	// StoredAt is when the package was first stored in any root; sync
	// keeps it and sets CopiedAt.
	StoredAt  time.Time        `json:"stored_at"`
	CopiedAt  *time.Time       `json:"copied_at,omitempty"`
	StoredBy  string           `json:"stored_by,omitempty"`
	Retention *store.Retention `json:"retention,omitempty"`
}

// Object is one stored object of a package.
type Object struct {
	Key    string `json:"key"` // below packages/<root>/<sigs>/<upload>/
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

func (r *Record) id() ID {
	id, _ := ParseID(r.ID)
	return id
}

// objectPrefix is the key prefix of the package's objects.
func (r *Record) objectPrefix() string { return r.id().dir() + r.Upload + "/" }

// check validates a record read from the store: every name in it is
// untrusted until checked.
func (r *Record) check(want ID) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", want.recordKey(), fmt.Sprintf(format, a...))
	}
	switch {
	case r.Format != RecordFormat:
		return bad("format %q; this casepack reads %q", r.Format, RecordFormat)
	case r.ID != want.String():
		return bad("says it is package %s, but is stored as %s", r.ID, want)
	case r.Form != FormFolder && r.Form != FormZip:
		return bad("unknown form %q", r.Form)
	case !validUpload(r.Upload):
		return bad("upload folder %q is not a valid name", r.Upload)
	}
	if err := bag.CheckName(r.Name); err != nil {
		return bad("package name %q: %v", r.Name, err)
	}
	seen := map[string]bool{}
	for _, o := range r.Objects {
		if err := store.CheckKey(o.Key); err != nil || seen[o.Key] || o.Size < 0 {
			return bad("object %q is listed twice, or is not a valid key", o.Key)
		}
		seen[o.Key] = true
		switch r.Form {
		case FormZip:
			if o.Key != r.Name+".zip" || len(o.SHA256) != 64 || !isHex(o.SHA256) {
				return bad("a ZIP package has one object, %s.zip, with its SHA-256", r.Name)
			}
		case FormFolder:
			if !strings.HasPrefix(o.Key, r.Name+"/") {
				return bad("object %q is outside the package folder %q", o.Key, r.Name)
			}
		}
	}
	if r.Form == FormZip && len(r.Objects) != 1 {
		return bad("a ZIP package has exactly one object")
	}
	return nil
}

// validUpload accepts the upload folder names Add makes:
// 20060102T150405Z-<16 hex>.
func validUpload(s string) bool {
	ts, rnd, ok := strings.Cut(s, "-")
	if !ok || len(rnd) != 16 || !isHex(rnd) {
		return false
	}
	_, err := time.Parse(uploadTime, ts)
	return err == nil
}

const uploadTime = "20060102T150405Z"

// readRecord reads and checks the record of id.
func (a *Archive) readRecord(ctx context.Context, id ID) (*Record, error) {
	var r Record
	if err := a.readJSON(ctx, id.recordKey(), maxRecord, &r); err != nil {
		return nil, err
	}
	if err := r.check(id); err != nil {
		return nil, fmt.Errorf("%s: damaged record: %w", a.Root(), err)
	}
	return &r, nil
}

// Stored is one committed package found in a root.
type Stored struct {
	ID       ID
	Record   *Record // nil when the record could not be read (Err says why)
	Err      error
	Uploads  map[string]int64 // every upload folder under the package and its bytes
	Orphaned []string         // upload folders the record does not name (interrupted or lost adds)
}

// Unfinished is an upload folder with no record: an add that was
// interrupted (killed, cancelled, a network failure) before it committed.
// Nothing reads it; it can be deleted.
type Unfinished struct {
	Prefix string
	Bytes  int64
	Files  int
}

// scan lists packages/ once and returns every committed package (ordered
// by ID) and every unfinished upload. Memory grows with the number of
// packages and uploads, not with their files.
func (a *Archive) scan(ctx context.Context) ([]*Stored, []Unfinished, error) {
	type upload struct {
		bytes int64
		files int
	}
	records := map[ID]bool{}
	uploads := map[ID]map[string]*upload{}
	for fi, err := range a.st.List(ctx, PackagesPrefix) {
		if err != nil {
			return nil, nil, err
		}
		if id, ok := idFromRecordKey(fi.Key); ok {
			records[id] = true
			continue
		}
		rest := strings.TrimPrefix(fi.Key, PackagesPrefix)
		parts := strings.SplitN(rest, "/", 4)
		if len(parts) < 4 {
			continue // not an object of the layout; audit does not guess
		}
		id, err := ParseID(parts[0] + "-" + parts[1])
		if err != nil {
			continue
		}
		if uploads[id] == nil {
			uploads[id] = map[string]*upload{}
		}
		u := uploads[id][parts[2]]
		if u == nil {
			u = &upload{}
			uploads[id][parts[2]] = u
		}
		u.bytes += fi.Size
		u.files++
	}
	var out []*Stored
	var unfinished []Unfinished
	for id := range records {
		s := &Stored{ID: id, Uploads: map[string]int64{}}
		s.Record, s.Err = a.readRecord(ctx, id)
		for name, u := range uploads[id] {
			s.Uploads[name] = u.bytes
			if s.Record != nil && name != s.Record.Upload {
				s.Orphaned = append(s.Orphaned, name)
			}
		}
		out = append(out, s)
	}
	for id, ups := range uploads {
		if records[id] {
			continue
		}
		for name, u := range ups {
			unfinished = append(unfinished, Unfinished{Prefix: id.dir() + name + "/", Bytes: u.bytes, Files: u.files})
		}
	}
	sortBy(out, func(s *Stored) string { return s.ID.String() })
	sortBy(unfinished, func(u Unfinished) string { return u.Prefix })
	return out, unfinished, nil
}

// records lists the committed packages without reading uploads: one
// listing, then each record.
func (a *Archive) records(ctx context.Context) ([]*Stored, error) {
	s, _, err := a.scan(ctx)
	return s, err
}

// exists reports whether id is stored (its record exists).
func (a *Archive) exists(ctx context.Context, id ID) (bool, error) {
	_, err := a.st.Stat(ctx, id.recordKey())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// objectKey is the full key of one of the record's objects.
func (r *Record) objectKey(o Object) string { return r.objectPrefix() + o.Key }

// zipKey is the full key of a ZIP package's object.
func (r *Record) zipKey() string { return r.objectPrefix() + r.Name + ".zip" }

// folderPrefix is the key prefix of a folder package's files.
func (r *Record) folderPrefix() string { return r.objectPrefix() + r.Name + "/" }

// displayPath is how reports name the stored package: the root, then its
// place in the layout.
func (a *Archive) displayPath(r *Record) string {
	p := r.objectPrefix() + r.Name
	if r.Form == FormZip {
		p += ".zip"
	}
	if store.IsS3URL(a.Root()) {
		return a.Root() + "/" + p
	}
	return path.Join(a.Root(), p)
}
