// Package intake owns how evidence files enter a case: `casepack evidence
// add`. Each file is copied (or moved) under the case folder's evidence/
// without ever replacing a file there, hashed with SHA-256 and SHA-512 in
// the same single read, typed by its bytes, given the next free evidence
// ID, and recorded with its chain of custody ("acquired" and "hashed", by
// whom, when, with the digest). The digest recorded at acquisition is the
// one `casepack validate` checks from then on. A file whose digest the case
// already holds is refused with the ID that holds it.
//
// The case file is updated in its own form (case.json, case.yaml or the
// workbook) through schema/caseform, which keeps everything else in it as
// it was and writes atomically; evidence files are committed before it and
// removed again if it cannot be written.
//
// One add runs at a time per case: Add holds the case file's lock
// (.NAME.lock, internal/atomicfs, the lock a build holds on a package) from
// reading the case to recording the new items, and a second add fails at
// once with an error matching atomicfs.ErrBusy.
package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/digest"
	input "github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/casepack/casepack/schema/shape"
	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/text/unicode/norm"
)

// EvidenceDir is the folder of the case folder that evidence goes into.
const EvidenceDir = "evidence"

// Options say what to record about the files.
type Options struct {
	Type           string // evidence type; "" guesses it from the media type
	Title          string // "" uses the file's name
	SourceURL      string // where the file was found (provenance.url)
	CapturedAt     string // when it was captured, RFC 3339 (provenance.captured_at)
	Actor          string // who adds it (custody); "" is the computer account's name
	Classification string // "" is confidential
	// Move moves each file into the case folder instead of copying it.
	Move bool
	// Now is the clock of the custody events (tests fix it).
	Now func() time.Time
	// Progress receives the bytes read, serialised.
	Progress func(digest.Progress)
}

// Added is one file added to the case.
type Added struct {
	ID        string `json:"id"`
	Source    string `json:"source"` // as given
	Path      string `json:"path"`   // inside the case folder
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	SHA512    string `json:"sha512"`
	MediaType string `json:"media_type"`
	Type      string `json:"type"`
}

// Refused is a file that was not added, and why.
type Refused struct {
	Source string `json:"source"`
	// Reason says why, in words that do not name the file's path (Source
	// does): the CLI prints both, the web app only the name it was
	// uploaded under.
	Reason string `json:"reason"`
	// HeldBy is the evidence ID that already holds the same bytes.
	HeldBy string `json:"held_by,omitempty"`
}

// Report says what Add did.
type Report struct {
	Case    string    `json:"case"`
	Added   []Added   `json:"added"`
	Refused []Refused `json:"refused"`
	Skipped []string  `json:"skipped"` // hidden files and links inside folders
}

// ErrRefused is returned, with the report, when some file was not added.
var ErrRefused = errors.New("some files were not added")

// Add adds files (and every file below a folder argument) to the case at
// casePath (a case folder, or its case file, in any form).
func Add(ctx context.Context, casePath string, files []string, opt Options) (*Report, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	file, form, err := caseform.Find(casePath)
	if err != nil {
		return nil, err
	}
	// One add at a time: from reading the case (its next free ID) to
	// recording the new items in it. Two at once would give two files the
	// same ID, or one would write over the other's items.
	unlock, err := lockCase(file)
	if err != nil {
		return nil, err
	}
	defer unlock()
	doc, fs, err := caseform.Load(file)
	if err != nil {
		return nil, err
	}
	if doc.Case == nil {
		return nil, &UnreadableCaseError{File: file, Findings: fs}
	}
	rep := &Report{Case: file, Added: []Added{}, Refused: []Refused{}, Skipped: []string{}}
	caseDir, err := filepath.Abs(doc.Dir)
	if err != nil {
		return nil, err
	}
	st := newState(doc.Case, caseDir)
	srcs, err := expand(caseDir, files, rep)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, s := range srcs {
		total += s.size
	}
	meter := digest.NewMeter(opt.Progress, len(srcs), total)
	now := opt.now()
	actor := opt.actor()
	var done []placed
	var items []any
	for _, s := range srcs {
		if err := ctx.Err(); err != nil {
			rollback(done)
			return nil, context.Cause(ctx)
		}
		p, err := st.place(ctx, caseDir, s, opt.Move, meter)
		if err != nil {
			var dup *duplicateError
			if errors.As(err, &dup) {
				rep.Refused = append(rep.Refused, Refused{Source: s.arg, Reason: err.Error(), HeldBy: dup.id})
				continue
			}
			if ctx.Err() != nil {
				rollback(done)
				return nil, context.Cause(ctx)
			}
			rep.Refused = append(rep.Refused, Refused{Source: s.arg, Reason: err.Error()})
			continue
		}
		done = append(done, p)
		id := st.nextID()
		st.digests[p.sum.SHA256] = id
		st.paths[fold(p.rel)] = id
		a := Added{ID: id, Source: s.arg, Path: p.rel, Size: p.sum.Size, SHA256: p.sum.SHA256, SHA512: p.sum.SHA512,
			MediaType: p.media, Type: opt.Type}
		if a.Type == "" {
			a.Type = typeOf(p.media)
		}
		rep.Added = append(rep.Added, a)
		items = append(items, item(a, p, opt, now, actor, len(srcs) > 1))
	}
	if len(items) > 0 {
		problems, err := caseform.Append(file, form, "evidence", items)
		if err == nil && len(problems) > 0 {
			err = fmt.Errorf("%s: %s", file, problems[0].Message)
		}
		if err != nil {
			rollback(done)
			return nil, fmt.Errorf("record the new evidence in %s (no file was added): %w", file, err)
		}
		for _, p := range done {
			p.finish()
		}
	}
	if len(rep.Refused) > 0 {
		return rep, ErrRefused
	}
	return rep, nil
}

// lockCase takes the case file's lock (.NAME.lock beside it, the lock
// builds take on a package: internal/atomicfs Unit.Lock), without waiting:
// a second command adding evidence to the same case gets an error
// matching atomicfs.ErrBusy at once, naming the process that holds it.
func lockCase(file string) (unlock func(), err error) {
	d, err := atomicfs.OpenDir(filepath.Dir(file), atomicfs.Options{})
	if err != nil {
		return nil, err
	}
	u, err := d.Unit(filepath.Base(file))
	if err == nil {
		var l *atomicfs.Lock
		if l, err = u.Lock(); err == nil {
			return func() { l.Unlock(); d.Close() }, nil
		}
	}
	d.Close()
	if errors.Is(err, atomicfs.ErrBusy) {
		return nil, fmt.Errorf("%w; nothing was added", err)
	}
	return nil, err
}

// UnreadableCaseError: the case file cannot be read, so it cannot be
// extended; its findings say why.
type UnreadableCaseError struct {
	File     string
	Findings []finding.Finding
}

func (e *UnreadableCaseError) Error() string {
	return fmt.Sprintf("%s cannot be read as a case, so nothing can be added to it", e.File)
}

func (o *Options) check() error {
	if o.Type != "" && !contains(shape.Root().At("evidence", "0", "type").Enum, o.Type) {
		return &OptionError{Flag: "type", Value: o.Type, Allowed: shape.Root().At("evidence", "0", "type").Enum}
	}
	if o.Classification != "" && !contains(shape.Root().At("evidence", "0", "classification").Enum, o.Classification) {
		return &OptionError{Flag: "classification", Value: o.Classification, Allowed: shape.Root().At("evidence", "0", "classification").Enum}
	}
	if o.CapturedAt != "" {
		if _, err := time.Parse(time.RFC3339, o.CapturedAt); err != nil {
			return &OptionError{Flag: "captured-at", Value: o.CapturedAt, Want: "a time with its UTC offset, e.g. 2021-01-08T07:30:00-04:00"}
		}
	}
	if o.SourceURL != "" && !regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$`).MatchString(o.SourceURL) {
		return &OptionError{Flag: "source-url", Value: o.SourceURL, Want: "a full address, e.g. https://example.org/post/1"}
	}
	if strings.ContainsAny(o.Title+o.Actor, "\r\n") {
		return &OptionError{Flag: "title or --actor", Value: o.Title + o.Actor, Want: "one line of text"}
	}
	return nil
}

// OptionError is a flag value Add cannot use: a usage error.
type OptionError struct {
	Flag, Value, Want string
	Allowed           []string
}

func (e *OptionError) Error() string {
	if len(e.Allowed) > 0 {
		return fmt.Sprintf("--%s %q: must be one of %s", e.Flag, e.Value, strings.Join(e.Allowed, ", "))
	}
	return fmt.Sprintf("--%s %q: must be %s", e.Flag, e.Value, e.Want)
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// actor is the person recorded in the custody events: --actor, else the
// account that runs casepack.
func (o *Options) actor() string {
	if o.Actor != "" {
		return o.Actor
	}
	if name := account(); name != "" {
		return name
	}
	return "unknown (casepack evidence add)"
}

// ---- the case as it is: IDs, digests, paths ----

type state struct {
	digests map[string]string // SHA-256 → the evidence ID holding it
	paths   map[string]string // folded path inside the case → evidence ID
	width   int               // digits of evidence IDs
	next    int
	// unhashed are the case's files with no recorded digest, by size:
	// one is read only when a new file has its size.
	unhashed map[int64][]unhashed
}

type unhashed struct{ abs, id string }

var evidenceID = regexp.MustCompile(`^EV-([0-9]{4,6})$`)

func newState(c *schema.Case, caseDir string) *state {
	st := &state{digests: map[string]string{}, paths: map[string]string{}, width: 4, next: 1, unhashed: map[int64][]unhashed{}}
	for _, e := range c.Evidence {
		if m := evidenceID.FindStringSubmatch(e.ID); m != nil {
			n, _ := strconv.Atoi(m[1])
			st.next = max(st.next, n+1)
			st.width = max(st.width, len(m[1]))
		}
		for _, f := range e.Files {
			if f.SHA256 != "" {
				st.digests[f.SHA256] = e.ID
			} else if _, err := schema.CheckPath(f.Path); err == nil {
				abs := filepath.Join(caseDir, filepath.FromSlash(f.Path))
				if fi, err := os.Stat(abs); err == nil && fi.Mode().IsRegular() {
					st.unhashed[fi.Size()] = append(st.unhashed[fi.Size()], unhashed{abs, e.ID})
				}
			}
			st.paths[fold(f.Path)] = e.ID
		}
		for _, cu := range e.Custody {
			if cu.SHA256 != "" && st.digests[cu.SHA256] == "" {
				st.digests[cu.SHA256] = e.ID
			}
		}
	}
	return st
}

// holder returns the evidence ID that holds a file with these digests:
// one recorded in the case, or a file of the case without a recorded
// digest and of the same size, read now.
func (st *state) holder(ctx context.Context, sum digest.Digests) (string, bool) {
	if id, ok := st.digests[sum.SHA256]; ok {
		return id, true
	}
	for _, u := range st.unhashed[sum.Size] {
		f, err := input.Open(u.abs)
		if err != nil {
			continue
		}
		d, err := digest.ReadSHA256(ctx, f)
		f.Close()
		if err == nil && st.digests[d.SHA256] == "" {
			st.digests[d.SHA256] = u.id
		}
	}
	delete(st.unhashed, sum.Size)
	id, ok := st.digests[sum.SHA256]
	return id, ok
}

func (st *state) nextID() string {
	id := fmt.Sprintf("EV-%0*d", st.width, st.next)
	st.next++
	return id
}

// fold is a path as Windows and macOS compare names: case and Unicode
// normalisation do not tell two names apart there.
func fold(p string) string { return strings.ToLower(norm.NFC.String(p)) }

// ---- the files to add ----

type source struct {
	arg  string // the argument it came from (or its path, for a folder's files)
	abs  string
	rel  string // where it goes, below evidence/ (slash-separated)
	size int64
	in   bool // already inside the case folder: recorded where it is
}

// expand turns the arguments into files: a folder gives every regular file
// below it, kept in its own folder under evidence/; hidden files and
// symbolic links met inside a folder are skipped (and listed).
func expand(caseDir string, args []string, rep *Report) ([]source, error) {
	var out []source
	for _, arg := range args {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			rep.Refused = append(rep.Refused, Refused{Source: arg, Reason: plainErr(err)})
			continue
		}
		if !fi.IsDir() {
			if !fi.Mode().IsRegular() {
				rep.Refused = append(rep.Refused, Refused{Source: arg, Reason: "not a regular file"})
				continue
			}
			out = append(out, source{arg: arg, abs: abs, rel: filepath.Base(abs), size: fi.Size()})
			continue
		}
		base := filepath.Base(abs)
		err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Refused = append(rep.Refused, Refused{Source: p, Reason: plainErr(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if p != abs && strings.HasPrefix(d.Name(), ".") {
				rep.Skipped = append(rep.Skipped, p)
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				rep.Skipped = append(rep.Skipped, p)
				return nil
			}
			info, err := d.Info()
			if err != nil {
				rep.Refused = append(rep.Refused, Refused{Source: p, Reason: plainErr(err)})
				return nil
			}
			r, _ := filepath.Rel(abs, p)
			out = append(out, source{arg: p, abs: p, rel: path.Join(base, filepath.ToSlash(r)), size: info.Size()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range out {
		if r, err := filepath.Rel(caseDir, out[i].abs); err == nil && filepath.IsLocal(r) {
			out[i].in, out[i].rel = true, filepath.ToSlash(r)
		}
	}
	return out, nil
}

// plainErr is an error as a person reads it, without the system call and
// without the file's path (Refused.Source names it).
func plainErr(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) {
		return r.Reason()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "no such file or folder"
		case errors.Is(err, fs.ErrPermission):
			return "permission denied: casepack may not read it"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// ---- placing a file ----

// openSource opens a file to add; tests replace it to make a read fail
// (which permissions cannot do for root, who runs CI).
var openSource = func(name string) (io.ReadCloser, error) {
	// Never waits on a FIFO or device: only regular files are added.
	f, err := input.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// placed is a file put under evidence/, and how to undo or finish it.
type placed struct {
	rel    string
	sum    digest.Digests
	media  string
	source string
	how    string // copied, moved, or recorded where it is
	undo   func()
	finish func()
}

type duplicateError struct{ id, sha string }

func (e *duplicateError) Error() string {
	return fmt.Sprintf("the same file (SHA-256 %s) is already in the case as %s", e.sha[:16]+"…", e.id)
}

// place puts one file in the case and hashes it in the same read. The
// folders it makes under evidence/ go again with the file, when it is
// refused or undone, so a failed add leaves the case folder as it was.
func (st *state) place(ctx context.Context, caseDir string, s source, move bool, meter *digest.Meter) (p placed, err error) {
	if s.in {
		return st.inPlace(ctx, caseDir, s, meter)
	}
	rel, err := st.freeName(caseDir, path.Join(EvidenceDir, sanitize(s.rel)))
	if err != nil {
		return placed{}, err
	}
	dirRel := path.Dir(rel)
	made, err := atomicfs.MkdirAll(filepath.Join(caseDir, filepath.FromSlash(dirRel)), 0o755)
	if err != nil {
		return placed{}, fmt.Errorf("create %s: %w", dirRel, err)
	}
	defer func() {
		if err != nil {
			made.Remove()
			return
		}
		undo := p.undo
		p.undo = func() { undo(); made.Remove() }
	}()
	return st.placeIn(ctx, caseDir, dirRel, rel, s, move, meter)
}

// placeIn copies (or moves) the file to rel, in the existing folder dirRel.
func (st *state) placeIn(ctx context.Context, caseDir, dirRel, rel string, s source, move bool, meter *digest.Meter) (placed, error) {
	d, err := atomicfs.OpenDir(filepath.Join(caseDir, filepath.FromSlash(dirRel)), atomicfs.Options{})
	if err != nil {
		return placed{}, err
	}
	name := path.Base(rel)
	if move {
		if p, ok, err := st.moveIn(ctx, d, s, rel, meter); ok || err != nil {
			d.Close()
			return p, err
		}
	}
	in, err := openSource(s.abs)
	if err != nil {
		d.Close()
		return placed{}, errors.New(plainErr(err))
	}
	defer in.Close()
	var mtime time.Time
	if fi, err := os.Stat(s.abs); err == nil {
		mtime = fi.ModTime()
	}
	out, err := d.Create(name, atomicfs.FileOptions{ModTime: mtime})
	if err != nil {
		d.Close()
		return placed{}, err
	}
	head := &headWriter{max: 3072}
	sum, err := digest.Copy(ctx, io.MultiWriter(out, head), meter.Reader(in, "", s.arg, s.size))
	if err != nil {
		out.Abort()
		d.Close()
		return placed{}, errors.New("cannot be read: " + plainErr(err))
	}
	meter.FileDone("", s.arg, s.size)
	if id, dup := st.holder(ctx, sum); dup {
		out.Abort()
		d.Close()
		return placed{}, &duplicateError{id: id, sha: sum.SHA256}
	}
	err = out.Commit()
	d.Close()
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return placed{}, fmt.Errorf("%s appeared in the case folder while it was being copied; nothing was replaced", rel)
		}
		return placed{}, err
	}
	abs, target := s.abs, filepath.Join(caseDir, filepath.FromSlash(rel))
	how := "copied"
	if move {
		how = "moved"
	}
	return placed{rel: rel, sum: sum, media: mediaType(head.b), source: s.arg, how: how,
		undo: func() { os.Remove(target) },
		finish: func() {
			if move {
				os.Remove(abs) // copied across file systems: the original goes once the case records it
			}
		}}, nil
}

// moveIn renames the file into the case folder when both are on one file
// system, then hashes it there (one read). ok is false when a rename is
// not possible and the file must be copied.
func (st *state) moveIn(ctx context.Context, d *atomicfs.Dir, s source, rel string, meter *digest.Meter) (placed, bool, error) {
	name := path.Base(rel)
	target := d.Join(name)
	// A hard link never replaces an existing name; the original goes once
	// the case records the file.
	if err := os.Link(s.abs, target); err != nil {
		return placed{}, false, nil
	}
	in, err := input.Open(target)
	if err != nil {
		os.Remove(target)
		return placed{}, true, errors.New(plainErr(err))
	}
	head := &headWriter{max: 3072}
	sum, err := digest.Copy(ctx, head, meter.Reader(in, "", s.arg, s.size))
	in.Close()
	if err != nil {
		os.Remove(target)
		return placed{}, true, errors.New("cannot be read: " + plainErr(err))
	}
	meter.FileDone("", s.arg, s.size)
	if id, dup := st.holder(ctx, sum); dup {
		os.Remove(target)
		return placed{}, true, &duplicateError{id: id, sha: sum.SHA256}
	}
	d.Sync()
	abs := s.abs
	return placed{rel: rel, sum: sum, media: mediaType(head.b), source: s.arg, how: "moved",
		undo:   func() { os.Remove(target) },
		finish: func() { os.Remove(abs) }}, true, nil
}

// inPlace records a file already inside the case folder where it is.
func (st *state) inPlace(ctx context.Context, caseDir string, s source, meter *digest.Meter) (placed, error) {
	if code, err := schema.CheckPath(s.rel); err != nil {
		return placed{}, fmt.Errorf("%s cannot be recorded where it is (%s): %v; move it out of the case folder and add it from there", s.rel, code, err)
	}
	if id, ok := st.paths[fold(s.rel)]; ok {
		return placed{}, &duplicateError{id: id, sha: strings.Repeat("?", 16)}
	}
	in, err := openSource(s.abs)
	if err != nil {
		return placed{}, errors.New(plainErr(err))
	}
	defer in.Close()
	head := &headWriter{max: 3072}
	sum, err := digest.Copy(ctx, head, meter.Reader(in, "", s.arg, s.size))
	if err != nil {
		return placed{}, errors.New("cannot be read: " + plainErr(err))
	}
	meter.FileDone("", s.arg, s.size)
	if id, dup := st.holder(ctx, sum); dup {
		return placed{}, &duplicateError{id: id, sha: sum.SHA256}
	}
	return placed{rel: s.rel, sum: sum, media: mediaType(head.b), source: s.arg, how: "in place", undo: func() {}, finish: func() {}}, nil
}

// freeName returns rel, or rel with " (2)", " (3)"… before its extension,
// whichever is not taken in the case folder or by the case (names that
// differ only in case or Unicode form count as taken: they clash on
// Windows and macOS).
func (st *state) freeName(caseDir, rel string) (string, error) {
	dir, base := path.Split(rel)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	entries := map[string]bool{}
	if des, err := os.ReadDir(filepath.Join(caseDir, filepath.FromSlash(dir))); err == nil {
		for _, de := range des {
			entries[fold(de.Name())] = true
		}
	}
	for i := 1; i < 10000; i++ {
		cand := base
		if i > 1 {
			cand = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		p := dir + cand
		if !entries[fold(cand)] && st.paths[fold(p)] == "" {
			return p, nil
		}
	}
	return "", fmt.Errorf("no free name for %s in the case folder", rel)
}

// sanitize makes a relative path portable (schema.CheckPath): characters
// Windows refuses, '%' (which the manifests must escape) and trailing dots
// and spaces become '_'; a reserved device name gets a '_' in front.
func sanitize(rel string) string {
	parts := strings.Split(rel, "/")
	for i, el := range parts {
		var b strings.Builder
		for _, r := range norm.NFC.String(el) {
			if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"|?*\%`, r) {
				r = '_'
			}
			b.WriteRune(r)
		}
		el = b.String()
		trimmed := strings.TrimRight(el, " .")
		if trimmed != el {
			el = trimmed + strings.Repeat("_", len(el)-len(trimmed))
		}
		if el == "" || el == "." || el == ".." {
			el = "_"
		}
		if _, err := schema.CheckPath(el); err != nil {
			el = "_" + el
		}
		if len(el) > 200 {
			ext := path.Ext(el)
			if len(ext) > 20 {
				ext = ""
			}
			el = el[:200-len(ext)] + ext
			for !strings.HasSuffix(el, ext) || !validUTF8Prefix(el) {
				el = el[:len(el)-1]
			}
		}
		parts[i] = el
	}
	return strings.Join(parts, "/")
}

func validUTF8Prefix(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func rollback(done []placed) {
	for i := len(done) - 1; i >= 0; i-- {
		done[i].undo()
	}
}

// ---- what is recorded ----

// headWriter keeps the first bytes written to it, for the media type.
type headWriter struct {
	b   []byte
	max int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if n := h.max - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// mediaType names what the bytes are, without parameters (the schema
// takes type/subtype only).
func mediaType(head []byte) string {
	m := mimetype.Detect(head).String()
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	m = strings.TrimSpace(strings.ToLower(m))
	if !regexp.MustCompile(`^[a-z]+/[a-zA-Z0-9.+-]+$`).MatchString(m) {
		return "application/octet-stream"
	}
	return m
}

// typeOf guesses the evidence type from the media type.
func typeOf(media string) string {
	switch {
	case strings.HasPrefix(media, "video/"):
		return "video"
	case strings.HasPrefix(media, "image/"):
		return "photo"
	case strings.HasPrefix(media, "audio/"):
		return "audio"
	case media == "text/html" || media == "application/x-warc" || media == "multipart/related" || media == "message/rfc822":
		return "web_capture"
	}
	return "document"
}

// item is the evidence item recorded for one file, as a generic tree in
// the schema's terms.
func item(a Added, p placed, opt Options, now time.Time, actor string, several bool) map[string]any {
	title := opt.Title
	name := path.Base(p.rel)
	switch {
	case title == "":
		title = name
	case several:
		title = title + ": " + name
	}
	class := opt.Classification
	if class == "" {
		class = "confidential"
	}
	at := now.Format(time.RFC3339)
	from := filepath.Base(p.source)
	var how string
	switch p.how {
	case "in place":
		how = "recorded where it is in the case folder"
	default:
		how = p.how + " into the case folder"
		if from != name {
			how += " as " + name
		}
	}
	ev := map[string]any{
		"id":    a.ID,
		"title": title,
		"type":  a.Type,
		"files": []any{map[string]any{
			"path":       p.rel,
			"role":       "original",
			"sha256":     p.sum.SHA256,
			"media_type": p.media,
		}},
		"classification": class,
		"custody": []any{
			map[string]any{"at": at, "actor": actor, "action": "acquired", "sha256": p.sum.SHA256,
				"note": fmt.Sprintf("Added to the case by casepack evidence add from the file %s, %s.", from, how)},
			map[string]any{"at": at, "actor": actor, "action": "hashed", "sha256": p.sum.SHA256,
				"note": fmt.Sprintf("SHA-256 and SHA-512 computed in one read of the %d bytes. SHA-512: %s", p.sum.Size, p.sum.SHA512)},
		},
	}
	prov := map[string]any{}
	if opt.SourceURL != "" {
		prov["url"] = opt.SourceURL
	}
	if opt.CapturedAt != "" {
		prov["captured_at"] = opt.CapturedAt
	}
	if len(prov) > 0 {
		ev["provenance"] = prov
	}
	return ev
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
