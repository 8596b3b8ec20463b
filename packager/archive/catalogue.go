package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/verify"
)

// Entry is the catalogue's view of one stored package, derived from the
// package alone (its bag-info.txt, casepack/manifest.json, signatures and
// record). It is kept at catalogue/packages/<id>.json; Reindex rebuilds
// every entry from the packages, so losing the catalogue loses nothing.
type Entry struct {
	Format       string    `json:"format"`
	ID           string    `json:"id"`
	RootDigest   string    `json:"root_digest"`   // SHA-256 of tagmanifest-sha256.txt
	SignatureSet string    `json:"signature_set"` // see SignatureSetDigest
	Submission   string    `json:"submission"`
	Edition      string    `json:"edition"`
	BaggingDate  string    `json:"bagging_date"`
	Organisation string    `json:"organisation,omitempty"`
	Name         string    `json:"name"`
	Form         Form      `json:"form"`
	Bytes        int64     `json:"bytes"` // stored bytes
	PayloadFiles int       `json:"payload_files"`
	PayloadBytes int64     `json:"payload_bytes"`
	StoredAt     time.Time `json:"stored_at"`
	Signers      []Signer  `json:"signers"`
	Evidence     []File    `json:"evidence"`

	// Computed when listing, never stored: the version of this package
	// among the stored packages of its submission and edition (1 = first
	// stored), and, for a co-signed package, the ID of the earlier version
	// whose content it shares.
	Version       int    `json:"version"`
	CoSignatureOf string `json:"co_signature_of,omitempty"`
}

// Signer is one signature of a package. Trusted is decided when listing,
// against the trust files given then.
type Signer struct {
	ID                 string      `json:"id"` // signatures/<id>.*
	Format             string      `json:"format"`
	Name               string      `json:"name,omitempty"`
	Role               string      `json:"role,omitempty"`
	Organisation       string      `json:"organisation,omitempty"`
	KeyFingerprint     string      `json:"key_fingerprint,omitempty"`
	CertificateSubject string      `json:"certificate_subject,omitempty"`
	Status             sign.Status `json:"status"`
	TrustedBy          string      `json:"trusted_by,omitempty"`
	Time               time.Time   `json:"time,omitzero"`
}

// Trusted reports whether the signature is valid and its signer trusted.
func (s Signer) Trusted() bool { return s.Status == sign.StatusValidTrusted }

// File is one evidence file of a package, as its casepack manifest lists
// it: included in the package, or withheld from this edition (its digests
// still listed, so a later disclosure can be proven to be the same file).
type File struct {
	Evidence  string `json:"evidence"` // evidence ID, e.g. EV-0001
	Path      string `json:"path"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type,omitempty"`
	SHA256    string `json:"sha256"`
	SHA512    string `json:"sha512"`
	Withheld  bool   `json:"withheld,omitempty"`
}

// Short is the entry's short ID.
func (e *Entry) Short() string {
	id, err := ParseID(e.ID)
	if err != nil {
		return e.ID
	}
	return id.Short()
}

// buildEntry derives the catalogue entry of a stored package.
func buildEntry(pkg *verify.Package, rec *Record, sigs *sign.Report) (*Entry, error) {
	sum, err := verify.Inspect(pkg)
	if err != nil {
		return nil, err
	}
	id := rec.id()
	e := &Entry{
		Format: EntryFormat, ID: rec.ID, RootDigest: id.Root, SignatureSet: id.Sigs,
		Submission: sum.SubmissionID, Edition: sum.Edition, BaggingDate: sum.BaggingDate, Organisation: sum.SourceOrganization,
		Name: rec.Name, Form: rec.Form, Bytes: rec.Bytes, PayloadFiles: sum.PayloadFiles, PayloadBytes: sum.PayloadBytes,
		StoredAt: rec.StoredAt, Signers: signers(sigs), Evidence: []File{},
	}
	m, err := readCasepackManifest(pkg.FS())
	if err != nil {
		return nil, err
	}
	if m != nil {
		for _, it := range m.Evidence {
			for _, f := range it.Files {
				e.Evidence = append(e.Evidence, File{Evidence: it.ID, Path: f.Path, Size: f.Size, MediaType: f.MediaType, SHA256: f.SHA256, SHA512: f.SHA512, Withheld: f.Withheld})
			}
		}
	}
	return e, nil
}

func signers(r *sign.Report) []Signer {
	out := []Signer{}
	if r == nil {
		return out
	}
	for _, s := range r.Signatures {
		sg := Signer{ID: s.ID, Format: s.Format, KeyFingerprint: s.KeyFingerprint, CertificateSubject: s.CertificateSubject, Status: s.Status, TrustedBy: s.TrustedBy, Time: s.Time}
		if s.Signer != nil {
			sg.Name, sg.Role, sg.Organisation = s.Signer.Name, s.Signer.Role, s.Signer.Organisation
		}
		out = append(out, sg)
	}
	return out
}

const maxCasepackManifest = 256 << 20

func readCasepackManifest(fsys fs.FS) (*bag.CasepackManifest, error) {
	f, err := fsys.Open(bag.CasepackManifestPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // a plain BagIt bag: no evidence to track
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readCapped(f, maxCasepackManifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bag.CasepackManifestPath, err)
	}
	return bag.ParseCasepackManifest(b)
}

// writeEntry stores (or replaces: entries are derived) an entry.
func (a *Archive) writeEntry(ctx context.Context, e *Entry) error {
	c := *e
	c.Version, c.CoSignatureOf = 0, ""
	id, err := ParseID(e.ID)
	if err != nil {
		return err
	}
	return a.writeJSON(ctx, id.entryKey(), c, store.PutOptions{})
}

func (a *Archive) readEntry(ctx context.Context, id ID) (*Entry, error) {
	var e Entry
	if err := a.readJSON(ctx, id.entryKey(), maxEntry, &e); err != nil {
		return nil, err
	}
	if e.Format != EntryFormat || e.ID != id.String() {
		return nil, fmt.Errorf("%s: not a catalogue entry of this package", id.entryKey())
	}
	return &e, nil
}

// ListOptions tune List.
type ListOptions struct {
	// Trust, when set, re-verifies each package's signatures from the
	// store against these trust files, so Signer.Status says which signers
	// are trusted now. Without it the status is the one recorded when the
	// package was catalogued (valid, but not checked against any trust).
	Trust []sign.TrustAnchor
	// Workers bounds the packages read at once (default 8).
	Workers int
}

// Catalogue is the archive's catalogue: every stored package's entry,
// ordered by submission, edition and version.
type Catalogue struct {
	Root    string   `json:"root"`
	Entries []*Entry `json:"packages"`
	// Missing lists stored packages with no catalogue entry (run
	// reindex); they are described from their records only.
	Missing []string `json:"not_catalogued,omitempty"`
}

// List reads the catalogue. A stored package whose entry is missing or
// damaged is catalogued on the fly from the package itself (and the entry
// written back), so the catalogue never hides a stored package.
func (a *Archive) List(ctx context.Context, opt ListOptions) (*Catalogue, error) {
	stored, err := a.records(ctx)
	if err != nil {
		return nil, err
	}
	cat := &Catalogue{Root: a.Root(), Entries: []*Entry{}}
	entries := make([]*Entry, len(stored))
	errs := make([]error, len(stored))
	// A package that cannot be catalogued is reported, not fatal.
	err = digest.Each(ctx, len(stored), readers(opt.Workers), func(ctx context.Context, i int) error {
		s := stored[i]
		if s.Record == nil {
			errs[i] = s.Err
			return nil
		}
		e, err := a.readEntry(ctx, s.ID)
		if err != nil || opt.Trust != nil {
			e, err = a.catalogue(ctx, s.Record, CheckOptions{Trust: opt.Trust}, err == nil)
		}
		entries[i], errs[i] = e, err
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		if e == nil {
			cat.Missing = append(cat.Missing, fmt.Sprintf("%s: %v", stored[i].ID.Short(), errs[i]))
			continue
		}
		cat.Entries = append(cat.Entries, e)
	}
	number(cat.Entries)
	return cat, nil
}

// catalogue derives a package's entry from the store, and writes it back
// unless only the trust view changed.
func (a *Archive) catalogue(ctx context.Context, rec *Record, opt CheckOptions, onlyTrust bool) (*Entry, error) {
	pkg, err := a.openStored(ctx, rec, nil)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{Trust: opt.Trust, PDFs: signedPDFs})
	if err != nil {
		return nil, err
	}
	e, err := buildEntry(pkg.Package, rec, sigs)
	if err != nil {
		return nil, err
	}
	if !onlyTrust {
		if err := a.writeEntry(ctx, e); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// number orders entries by submission, edition and stored time, and sets
// each one's version and co-signature link.
func number(es []*Entry) {
	slices.SortStableFunc(es, func(x, y *Entry) int {
		if c := strings.Compare(x.Submission, y.Submission); c != 0 {
			return c
		}
		if c := strings.Compare(x.Edition, y.Edition); c != 0 {
			return c
		}
		if c := x.StoredAt.Compare(y.StoredAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	for i, e := range es {
		e.Version, e.CoSignatureOf = 1, ""
		for j := i - 1; j >= 0 && es[j].Submission == e.Submission && es[j].Edition == e.Edition; j-- {
			if e.Version == 1 {
				e.Version = es[j].Version + 1
			}
			if es[j].RootDigest == e.RootDigest && len(es[j].Signers) < len(e.Signers) && e.CoSignatureOf == "" {
				e.CoSignatureOf = es[j].ID
			}
		}
	}
}

// readers is how many packages are read at once when cataloguing: the
// reads are small and wait on the store, not on a core.
func readers(n int) int {
	if n > 0 {
		return n
	}
	return 8
}

// Show returns the catalogue entry of one package and the other versions
// of its submission and edition.
type Shown struct {
	Entry    *Entry   `json:"package"`
	Record   *Record  `json:"record"`
	Versions []*Entry `json:"versions"` // every stored version of the same submission and edition, oldest first
	// LastChecked is the package's latest fixity audit, if any.
	LastChecked *Checked `json:"last_checked,omitempty"`
}

// Show describes one package: query is an ID, a unique prefix of one, or a
// package name (see Resolve).
func (a *Archive) Show(ctx context.Context, query string, opt ListOptions) (*Shown, error) {
	cat, err := a.List(ctx, opt)
	if err != nil {
		return nil, err
	}
	e, err := resolveIn(cat, query)
	if err != nil {
		return nil, err
	}
	id, _ := ParseID(e.ID)
	rec, err := a.readRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	sh := &Shown{Entry: e, Record: rec, Versions: []*Entry{}}
	for _, o := range cat.Entries {
		if o.Submission == e.Submission && o.Edition == e.Edition {
			sh.Versions = append(sh.Versions, o)
		}
	}
	last, err := a.lastChecked(ctx)
	if err != nil {
		return nil, err
	}
	if c, ok := last.Packages[e.ID]; ok {
		sh.LastChecked = &c
	}
	return sh, nil
}

// ReindexReport says what Reindex did.
type ReindexReport struct {
	Root     string   `json:"-"`              // the root reindexed
	Packages int      `json:"packages"`       // stored packages catalogued
	Removed  []string `json:"removed"`        // entries with no stored package behind them
	Failed   []string `json:"failed"`         // packages that could not be catalogued, with why
	Fixity   int      `json:"fixity_records"` // fixity records read for the last-checked index
}

// Reindex rebuilds the whole catalogue from the stored packages and the
// fixity records: every entry is derived again, entries without a package
// are removed, and the last-checked index is recomputed.
func (a *Archive) Reindex(ctx context.Context, opt ListOptions) (*ReindexReport, error) {
	stored, err := a.records(ctx)
	if err != nil {
		return nil, err
	}
	rep := &ReindexReport{Root: a.Root(), Removed: []string{}, Failed: []string{}}
	keep := map[string]bool{}
	for _, s := range stored {
		keep[s.ID.entryKey()] = true
	}
	var mu sync.Mutex
	err = digest.Each(ctx, len(stored), readers(opt.Workers), func(ctx context.Context, i int) error {
		s := stored[i]
		var err error
		if s.Record == nil {
			err = s.Err
		} else {
			_, err = a.catalogue(ctx, s.Record, CheckOptions{}, false)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			rep.Failed = append(rep.Failed, fmt.Sprintf("%s: cannot be catalogued: %v", s.ID.Short(), err))
			return nil
		}
		rep.Packages++
		return nil
	})
	if err != nil {
		return nil, err
	}
	for fi, err := range a.st.List(ctx, entriesPrefix) {
		if err != nil {
			return nil, err
		}
		if !keep[fi.Key] {
			if err := a.st.Delete(ctx, fi.Key); err != nil {
				return nil, err
			}
			rep.Removed = append(rep.Removed, fi.Key)
		}
	}
	n, err := a.rebuildLastChecked(ctx)
	if err != nil {
		return nil, err
	}
	rep.Fixity = n
	slices.Sort(rep.Failed)
	return rep, nil
}
