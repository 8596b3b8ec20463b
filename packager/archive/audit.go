package archive

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/verify"
)

// AuditOptions tune Audit.
type AuditOptions struct {
	Check CheckOptions
	// Sample, between 0 and 100, checks only that percentage of the stored
	// packages (rounded up): those checked longest ago, never-checked
	// first. 0 or 100 checks every package.
	Sample float64
	// Budget stops the audit after this long: packages not finished by
	// then are left for the next run (they come first then). 0: no limit.
	Budget time.Duration
	// IDs, when set, audits only these packages.
	IDs []ID
	// Progress receives progress over the whole audit.
	Progress func(AuditProgress)
}

// AuditProgress is the audit's progress: bytes re-hashed out of the bytes
// of the packages chosen.
type AuditProgress struct {
	Package       string // short ID of the package being checked
	Done, Total   int64
	PackagesDone  int
	PackagesTotal int
}

// Fixity is an audit's record, appended to the archive as
// fixity/<time>-<random>.json: when the audit ran, what it covered, how many
// bytes it read, and which packages and files failed. Records are never
// replaced, so the archive carries its own fixity history.
type Fixity struct {
	Format     string         `json:"format"`
	Started    time.Time      `json:"started"`
	Finished   time.Time      `json:"finished"`
	By         string         `json:"by,omitempty"` // casepack version
	Root       string         `json:"root"`
	Sample     float64        `json:"sample_percent,omitempty"`
	Budget     string         `json:"budget,omitempty"`
	Stored     int            `json:"packages_stored"` // packages in the archive when the audit ran
	Checked    int            `json:"packages_checked"`
	Damaged    int            `json:"packages_damaged"`
	Errors     int            `json:"packages_not_checked"` // could not be read at all (I/O, network)
	Files      int            `json:"files_checked"`
	Bytes      int64          `json:"bytes_checked"`
	Incomplete bool           `json:"incomplete,omitempty"` // stopped by the budget or an interruption
	Packages   []PackageAudit `json:"packages"`
	// Unfinished lists upload folders without a record (interrupted adds).
	Unfinished []Unfinished `json:"unfinished_uploads,omitempty"`

	// Key is where the record is stored in the root.
	Key string `json:"-"`
}

// fixityTime names fixity records so that their keys sort by time.
const fixityTime = "20060102T150405.000000Z"

// PackageAudit is the result for one package.
type PackageAudit struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// CheckedAt is when its check ended (the audit's start for old records).
	CheckedAt time.Time `json:"checked_at,omitzero"`
	Result    string    `json:"result"` // "intact", "damaged", "error" (could not be checked), "not finished" (budget, interruption)
	Files     int       `json:"files,omitempty"`
	Bytes     int64     `json:"bytes,omitempty"`
	// Findings are errors only: what is damaged, file by file; for an
	// "error" result, the files that could not be read.
	Findings []finding.Finding `json:"findings,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// Audit results.
const (
	ResultIntact  = "intact"
	ResultDamaged = "damaged"
	ResultError   = "error"
	ResultSkipped = "not finished"
)

// Damaged lists the damaged packages.
func (f *Fixity) DamagedPackages() []PackageAudit {
	var out []PackageAudit
	for _, p := range f.Packages {
		if p.Result == ResultDamaged {
			out = append(out, p)
		}
	}
	return out
}

// Audit re-checks stored packages from the store: every object against the
// record, every file with both algorithms, every signature, each package's
// identity. Files are hashed in parallel (CheckOptions.Workers), streamed,
// so memory does not grow with package size. The fixity record is appended
// to the archive even when packages are damaged or the budget ran out; an
// error means the audit could not run or its record could not be written.
func (a *Archive) Audit(ctx context.Context, opt AuditOptions) (*Fixity, error) {
	started := a.now()
	stored, unfinished, err := a.scan(ctx)
	if err != nil {
		return nil, err
	}
	last, err := a.lastChecked(ctx)
	if err != nil {
		return nil, err
	}
	chosen := chooseForAudit(stored, last, opt)
	fx := &Fixity{Format: FixityFormat, Started: started, By: "casepack " + a.opt.Version, Root: a.Root(), Stored: len(stored), Packages: []PackageAudit{}, Unfinished: unfinished}
	if opt.Sample > 0 && opt.Sample < 100 {
		fx.Sample = opt.Sample
	}
	if opt.Budget > 0 {
		fx.Budget = opt.Budget.String()
	}

	runCtx := ctx
	if opt.Budget > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, opt.Budget)
		defer cancel()
	}
	prog := &auditProgress{fn: opt.Progress, total: 0, packages: len(chosen)}
	for _, s := range chosen {
		if s.Record != nil {
			prog.total += s.Record.Bytes
		}
	}
	for _, s := range chosen {
		pa := PackageAudit{ID: s.ID.String()}
		if runCtx.Err() != nil {
			pa.Result = ResultSkipped
			fx.Incomplete = true
			fx.Packages = append(fx.Packages, pa)
			continue
		}
		if s.Record == nil {
			pa.Result, pa.Findings = ResultDamaged, []finding.Finding{{Code: finding.ArchiveRecord, Severity: finding.Error, Path: s.ID.recordKey(), Message: s.Err.Error()}}
			fx.Packages = append(fx.Packages, pa)
			continue
		}
		pa.Name = s.Record.Name
		copt := opt.Check
		copt.Progress = prog.forPackage(s.ID.Short())
		c, err := a.checkStored(runCtx, s.Record, copt)
		prog.packageDone(s.Record.Bytes)
		pa.CheckedAt = a.now()
		switch {
		case err != nil && runCtx.Err() != nil:
			pa.Result = ResultSkipped
			fx.Incomplete = true
		case err != nil:
			pa.Result, pa.Error = ResultError, err.Error()
		case c.Intact():
			pa.Result, pa.Files, pa.Bytes = ResultIntact, c.Integrity.Files, c.Integrity.Bytes
		case len(verify.CannotRead(c.Integrity)) > 0:
			// Files the audit could not read (permission, a failing
			// disk) say nothing about the package: it was not checked,
			// as casepack verify says "cannot read", never damaged.
			unread := verify.CannotRead(c.Integrity)
			pa.Result, pa.Error, pa.Findings = ResultError, verify.Unread(unread), unread
		default:
			pa.Result, pa.Files, pa.Bytes, pa.Findings = ResultDamaged, c.Integrity.Files, c.Integrity.Bytes, c.Integrity.Errors()
		}
		fx.Packages = append(fx.Packages, pa)
	}
	for _, p := range fx.Packages {
		switch p.Result {
		case ResultIntact:
			fx.Checked++
		case ResultDamaged:
			fx.Checked++
			fx.Damaged++
		case ResultError:
			fx.Errors++
		}
		fx.Files += p.Files
		fx.Bytes += p.Bytes
	}
	if ctx.Err() != nil {
		fx.Incomplete = true
	}
	fx.Finished = a.now()
	// The record is written even after an interruption: what was checked
	// was checked. A fresh context, so Ctrl-C does not lose it.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	if err := a.appendFixity(wctx, fx); err != nil {
		return fx, err
	}
	return fx, ctx.Err()
}

// chooseForAudit orders packages never-checked first (oldest stored
// first), then by when they were last checked, and keeps the sample.
func chooseForAudit(stored []*Stored, last *LastChecked, opt AuditOptions) []*Stored {
	var out []*Stored
	if len(opt.IDs) > 0 {
		for _, s := range stored {
			if slices.Contains(opt.IDs, s.ID) {
				out = append(out, s)
			}
		}
		return out
	}
	out = slices.Clone(stored)
	when := func(s *Stored) (time.Time, bool) {
		c, ok := last.Packages[s.ID.String()]
		return c.At, ok
	}
	slices.SortStableFunc(out, func(x, y *Stored) int {
		tx, okx := when(x)
		ty, oky := when(y)
		switch {
		case okx != oky:
			if !okx {
				return -1
			}
			return 1
		case okx:
			if c := tx.Compare(ty); c != 0 {
				return c
			}
		}
		return storedAt(x).Compare(storedAt(y))
	})
	if opt.Sample > 0 && opt.Sample < 100 {
		n := int(math.Ceil(float64(len(out)) * opt.Sample / 100))
		out = out[:min(n, len(out))]
	}
	return out
}

func storedAt(s *Stored) time.Time {
	if s.Record == nil {
		return time.Time{}
	}
	return s.Record.StoredAt
}

type auditProgress struct {
	fn       func(AuditProgress)
	mu       sync.Mutex
	base     int64 // bytes of the packages finished
	cur      int64
	total    int64
	done     int
	packages int
}

func (p *auditProgress) forPackage(short string) func(digest.Progress) {
	if p.fn == nil {
		return nil
	}
	return func(ev digest.Progress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.cur = ev.TotalDone
		p.fn(AuditProgress{Package: short, Done: p.base + p.cur, Total: p.total, PackagesDone: p.done, PackagesTotal: p.packages})
	}
}

func (p *auditProgress) packageDone(bytes int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.base += bytes
	p.cur = 0
	p.done++
	p.fn(AuditProgress{Done: p.base, Total: p.total, PackagesDone: p.done, PackagesTotal: p.packages})
}

// appendFixity writes the audit's record (never replacing one) and updates
// the derived last-checked index.
func (a *Archive) appendFixity(ctx context.Context, fx *Fixity) error {
	var b [4]byte
	rand.Read(b[:])
	key := FixityPrefix + fx.Started.Format(fixityTime) + "-" + hex.EncodeToString(b[:]) + ".json"
	fx.Key = key
	if err := a.writeJSON(ctx, key, fx, store.PutOptions{Exclusive: true}); err != nil {
		return fmt.Errorf("writing the fixity record %s: %w", key, err)
	}
	last, err := a.lastChecked(ctx)
	if err != nil {
		return err
	}
	last.merge(fx)
	return a.writeJSON(ctx, lastCheckedKey, last, store.PutOptions{})
}

// LastChecked is the derived index catalogue/last-checked.json: each
// package's latest audit. Reindex rebuilds it from the fixity records.
type LastChecked struct {
	Format   string             `json:"format"`
	Packages map[string]Checked `json:"packages"`
}

// Checked is a package's latest audit.
type Checked struct {
	At     time.Time `json:"at"`
	Result string    `json:"result"`
	Record string    `json:"fixity_record,omitempty"`
}

func (l *LastChecked) merge(fx *Fixity) {
	for _, p := range fx.Packages {
		if p.Result != ResultIntact && p.Result != ResultDamaged {
			continue
		}
		at := p.CheckedAt
		if at.IsZero() {
			at = fx.Started
		}
		if c, ok := l.Packages[p.ID]; ok && c.At.After(at) {
			continue
		}
		l.Packages[p.ID] = Checked{At: at, Result: p.Result, Record: fx.Key}
	}
}

// lastChecked reads the index, rebuilding it when it is missing or
// unreadable.
func (a *Archive) lastChecked(ctx context.Context) (*LastChecked, error) {
	var l LastChecked
	err := a.readJSON(ctx, lastCheckedKey, maxFixity, &l)
	if err == nil && l.Format == LastCheckedFormat && l.Packages != nil {
		return &l, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not valid JSON") {
		return nil, err
	}
	fresh, _, err := a.readFixityHistory(ctx)
	return fresh, err
}

// rebuildLastChecked recomputes the index from every fixity record.
func (a *Archive) rebuildLastChecked(ctx context.Context) (int, error) {
	l, n, err := a.readFixityHistory(ctx)
	if err != nil {
		return 0, err
	}
	return n, a.writeJSON(ctx, lastCheckedKey, l, store.PutOptions{})
}

func (a *Archive) readFixityHistory(ctx context.Context) (*LastChecked, int, error) {
	l := &LastChecked{Format: LastCheckedFormat, Packages: map[string]Checked{}}
	n := 0
	for fx, err := range a.FixityHistory(ctx) {
		if err != nil {
			return nil, 0, err
		}
		l.merge(fx)
		n++
	}
	return l, n, nil
}

// FixityHistory yields the archive's fixity records, oldest first. A
// record that cannot be read is skipped (it proves nothing).
func (a *Archive) FixityHistory(ctx context.Context) func(yield func(*Fixity, error) bool) {
	return func(yield func(*Fixity, error) bool) {
		var keys []string
		for fi, err := range a.st.List(ctx, FixityPrefix) {
			if err != nil {
				yield(nil, err)
				return
			}
			if strings.HasSuffix(fi.Key, ".json") {
				keys = append(keys, fi.Key)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			var fx Fixity
			if err := a.readJSON(ctx, k, maxFixity, &fx); err != nil || fx.Format != FixityFormat {
				continue
			}
			fx.Key = k
			if !yield(&fx, nil) {
				return
			}
		}
	}
}
