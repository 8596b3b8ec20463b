package verify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"hash/maphash"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/casepack/casepack/internal/beneath"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
)

// Limits on tag files read into memory. A bag's metadata is small; a tag file
// larger than this is refused rather than read.
const (
	maxBagitTxt  = 64 << 10
	maxBagInfo   = 1 << 20
	maxManifest  = 256 << 20
	maxCasepackM = 256 << 20
)

// Check is an extra verification step run over the package's files after
// the BagIt checks (the signature verifier plugs in here).
type Check func(ctx context.Context, fsys fs.FS) ([]finding.Finding, error)

// Options tune Verify.
type Options struct {
	Workers int // files hashed at once; default one per core

	// EveryDigest recomputes every digest of every payload file of a
	// package, SHA-512 too (RFC 8493's full validation). Without it a
	// payload file is hashed with SHA-256 and checked against
	// manifest-sha256.txt — the manifest the signatures cover, through
	// tagmanifest-sha256.txt — while manifest-sha512.txt, a tag file, is
	// checked byte for byte with both algorithms against the tag
	// manifests; a file's SHA-512 is computed only where it decides
	// something: the file is missing from manifest-sha256.txt, or its
	// SHA-256 disagrees (then the SHA-512 tells a changed file from a
	// changed manifest). Every payload byte is checked against a manifest
	// either way; SHA-512 costs over twice SHA-256 on processors with
	// SHA instructions (packager/FORMAT.md §6). A bag another tool made is
	// always checked with every algorithm its manifests use.
	EveryDigest bool

	// Hashed, when set, looks up payload files already re-read from this
	// package folder, by bag path: their size and SHA-256 (Build re-reads
	// the evidence copies while it generates the rest of the package). A
	// file found at that size is not read again, not even when its SHA-256
	// disagrees; its SHA-512 line is not recomputed. EveryDigest ignores
	// it. A lookup, not a map: Build answers it from what it holds anyway.
	Hashed func(p string) (digest.Digests, bool)

	Checks []Check // run after the BagIt checks; their findings are merged

	// Progress, when set, receives hashing progress (Path, Done, Size,
	// TotalDone, Total, FileDone, FilesDone, FilesTotal; ID is empty).
	// Calls are serialised.
	Progress func(digest.Progress)
}

type fileState struct {
	// path is the file's key in verifier.files: the lines and entries
	// that name the file keep this string, not copies of their own
	// (see keep).
	path       string
	size       int64
	hashed     bool
	given      bool // its digest came from Options.Hashed
	full       bool // hash it with both algorithms, even as payload
	unreadable bool
	listed     bool // a manifest lists it
	inCasepack bool // casepack/manifest.json lists it (see casepackCheck)
	d          digest.Digests
	err        error             // reading it for its digest failed
	other      map[string]string // digests of other algorithms (another tool's bag)
}

type verifier struct {
	opt      Options
	pkg      *Package
	fsys     fs.FS
	files    map[string]*fileState // every regular file, by bag path
	findings []finding.Finding
	missing  map[string]bool      // paths already reported missing
	modified map[string]bool      // paths reported CP-BAG-MODIFIED
	meter    *digest.Meter        // progress of the hashing
	perCode  map[finding.Code]int // findings listed, by code
	over     map[finding.Code]int // findings past MaxFindingsPerCode, counted only

	// plain is true for a bag casepack did not make (see isCasepack): it is
	// checked by RFC 8493's rules, with whatever manifests it has.
	plain bool
	decl  bag.Declaration // what bagit.txt declares (Version "" when unreadable)
	algs  []string        // algorithms to compute for a plain bag
	// hashAlgs are the algorithms hashFile computes with digest.ReadNamed;
	// nil computes a package's SHA-256 and SHA-512. Set before the walk
	// from the bag's top folder (see guessPlain), corrected once the bag
	// is known.
	hashAlgs []string
	nfc      map[string]string // NFC form of each file's path -> the path (built when first needed)
	// payload counts the regular files under data/ the walk found: the
	// maps that record a payload manifest's lines are made that size,
	// not grown to it (20,000 files: each map rehashed a dozen times).
	payload int

	// folder, when set, reads a package folder with internal/beneath
	// (folderwalk.go) rather than through fsys.
	folder *beneath.Dir

	// record, when set, receives the findings add is handed, for the
	// verifier this one was copied from to add later (see recorder).
	record *[]finding.Finding
}

// recorder returns a copy of v for reading a tag file on a goroutine of
// its own: its findings are kept in *into, for v to add once that read is
// done, in the order one goroutine reading the files in turn adds them
// (which of a code's findings are listed past MaxFindingsPerCode depends
// on that order). The copy shares v's record of the files, which nothing
// adds to once the walk is done; a read touches the state of no file but
// its own (unreadable marks it), so reads of different files may run
// side by side.
func (v *verifier) recorder(into *[]finding.Finding) *verifier {
	w := *v
	w.record = into
	return &w
}

// addAll adds findings a recorder kept.
func (v *verifier) addAll(fs []finding.Finding) {
	for _, f := range fs {
		v.add(f)
	}
}

// MaxFindingsPerCode is how many findings of one code a verification
// lists; the rest are counted and summed up in one more finding of that
// code. A package of millions of bogus lines then costs neither millions
// of findings in memory nor millions of lines on the terminal.
const MaxFindingsPerCode = 1000

func (v *verifier) add(f finding.Finding) {
	if v.record != nil {
		*v.record = append(*v.record, f)
		return
	}
	if f.Severity == "" {
		f.Severity = finding.Error
	}
	if v.perCode[f.Code] >= MaxFindingsPerCode {
		v.over[f.Code]++
		return
	}
	v.perCode[f.Code]++
	v.findings = append(v.findings, f)
}

// summariseOver adds, for each code that reached MaxFindingsPerCode, the
// finding that says how many more there were.
func (v *verifier) summariseOver() {
	codes := make([]finding.Code, 0, len(v.over))
	for c := range v.over {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		v.findings = append(v.findings, finding.Finding{Code: c, Severity: finding.SeverityOf(c),
			Message: fmt.Sprintf("and %d more findings of this kind, not listed (the first %d are)", v.over[c], MaxFindingsPerCode)})
	}
}

// Verify checks every part of the package and returns every finding. An
// error means the verification itself could not run (the context was
// cancelled, a Check failed); a damaged package is a Report that is not
// Intact, never an error.
func Verify(ctx context.Context, pkg *Package, opt Options) (*Report, error) {
	v := &verifier{opt: opt, pkg: pkg, fsys: pkg.FS(), files: map[string]*fileState{}, missing: map[string]bool{}, modified: map[string]bool{},
		perCode: map[finding.Code]int{}, over: map[finding.Code]int{}}
	v.findings = slices.Clone(pkg.findings)
	v.meter = digest.NewMeter(opt.Progress, 0, 0)
	v.hashAlgs = v.guessPlain()
	// The payload is hashed while the tag files are read: only the
	// hashing goroutines touch a payload file's state until hashed()
	// returns, and nothing below touches it before then.
	hashed, err := v.walkAndHash(ctx)
	defer func() {
		hashed()
		v.folder.Close()
	}()
	if err != nil {
		return nil, err
	}

	v.checkBagit()
	info := v.readBagInfo()
	v.plain = !v.isCasepack(info)
	v.checkVersion()

	cps := v.startCasepackScan()
	// A return before cps.each would leave the reader blocked, holding
	// the manifest open; after each, end waits for nothing.
	defer cps.end()
	var pay, tag []*side
	if v.plain {
		pay, tag = v.readForeignManifests()
		v.requireData()
	} else {
		pay, tag = v.readManifests()
		for _, req := range []string{"bagit.txt", "bag-info.txt", bag.CasepackManifestPath} {
			v.requireFile(req)
		}
	}

	// Every file a manifest lists is hashed, each read once: the payload
	// was as the walk found it; the tag files are now.
	listed := func(p string) {
		if fst, ok := v.files[p]; ok {
			fst.listed = true
		}
	}
	for _, s := range append(slices.Clone(pay), tag...) {
		for p := range s.entries {
			listed(p)
		}
	}
	cpm := v.newCasepackCheck(pay)
	cpmOK := cps.each(v, func(it bag.EvidenceItem) {
		for _, f := range it.Files {
			listed(f.Path)
		}
		cpm.item(it)
	})

	if err := hashed(); err != nil {
		return nil, err
	}
	if !v.plain && v.hashAlgs != nil {
		// The top folder looked like another tool's bag, but bag-info.txt
		// claims a casepack package (one whose casepack/ and signatures/
		// are gone): its files are hashed again, as a package's.
		v.hashAlgs = nil
		for _, fst := range v.files {
			fst.hashed, fst.err = false, nil
		}
	}
	if v.plain {
		if algs := slices.Sorted(slices.Values(v.algs)); !slices.Equal(algs, v.hashAlgs) {
			// guessPlain could not tell (an unlistable top folder): the
			// files are hashed again, with the manifests' algorithms.
			v.hashAlgs = algs
			if len(algs) == 0 {
				v.hashAlgs = nil
			}
			for _, fst := range v.files {
				fst.hashed, fst.err = false, nil
			}
		}
	}
	want := map[string]bool{}
	for p, fst := range v.files {
		switch {
		case !fst.listed:
			fst.hashed = false // listed nowhere: extra, its digest unused
		case fst.hashed:
		case fst.err != nil:
			v.unreadable(p, fst.err)
		default:
			want[p] = true
		}
	}
	if err := v.hashAll(ctx, want); err != nil {
		return nil, err
	}
	if err := v.hashSHA512Where(ctx, pay); err != nil {
		return nil, err
	}

	v.checkSet(pay, false)
	v.checkSet(tag, true)
	v.checkExtra(pay, tag)
	v.checkFetch()
	v.checkTagNames(tag)
	v.checkOxum(info)
	if cpmOK {
		cpm.finish()
	}
	if v.plain {
		v.checkSystemFiles()
	}

	v.summariseOver()
	r := &Report{Package: pkg.Path(), Kind: pkg.kind, Format: FormatCasepack, Findings: v.findings}
	if v.plain {
		r.Format, r.BagItVersion = FormatBagIt, v.decl.Version
	}
	for _, fst := range v.files {
		if fst.hashed {
			r.Files++
			r.Bytes += fst.d.Size
		}
	}
	for _, c := range opt.Checks {
		more, err := c(ctx, v.fsys)
		if err != nil {
			return nil, err
		}
		r.Findings = append(r.Findings, more...)
	}
	finding.Sort(r.Findings)
	return r, nil
}

// walkAndHash lists every file of the package (walk) and hashes the
// payload as the walk finds it: through the system's folder listing
// where the package is a folder on this system (walkFolder), through
// the package's fs.FS otherwise. The hashing may go on after it returns:
// hashed waits for it (and returns its error, as often as it is called).
func (v *verifier) walkAndHash(ctx context.Context) (hashed func() error, err error) {
	if hashed, err, done := v.walkFolder(ctx); done {
		return hashed, err
	}
	// Payload files are hashed as the walk finds them, so every core is
	// busy while folders are still being listed (a package of many small
	// files spends as long listing as hashing); the manifests say
	// afterwards which of them count (a file no manifest lists is
	// reported as extra, its digest unused).
	payload := digest.NewFeed(ctx, v.opt.Workers, func(ctx context.Context, fst *fileState) error {
		v.hashFound(ctx, fst)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return nil
	})
	werr := v.walk(".", newCollisions(0), func(fst *fileState) {
		v.meter.Grow(1, fst.size)
		payload.Add(fst)
	})
	err = payload.Wait()
	if err == nil {
		err = werr
	}
	return func() error { return err }, err
}

// hashFound hashes a payload file the walk found (its path is fst.path).
// It touches no state but fst (and the meter).
func (v *verifier) hashFound(ctx context.Context, fst *fileState) {
	fst.err = v.hashFile(ctx, fst.path, fst)
	fst.hashed = fst.err == nil
	if ctx.Err() == nil {
		v.meter.FileDone("", fst.path, fst.size)
	}
}

// hashNow says whether the walk hands file p to be hashed at once: a
// payload file, unless Options.Hashed already holds its digest at this
// size (then it is recorded as given).
func (v *verifier) hashNow(p string, fst *fileState) bool {
	if !strings.HasPrefix(p, "data/") {
		return false
	}
	if v.opt.Hashed == nil || v.opt.EveryDigest {
		return true
	}
	if d, ok := v.opt.Hashed(p); ok && d.Size == fst.size {
		fst.d, fst.hashed, fst.given = d, true, true
		return false
	}
	return true
}

// walk lists every regular file below top (the package's top folder
// ".", or a folder whose entry the walk has already visited) through the
// package's fs.FS, in fs.WalkDir's order, and hands each payload file to
// be hashed now to found (see hashNow). keys holds the collision keys of
// the paths seen so far.
func (v *verifier) walk(top string, keys *collisions, found func(*fileState)) error {
	skipTop := top != "."
	return fs.WalkDir(v.fsys, top, func(p string, d fs.DirEntry, err error) error {
		if skipTop && p == top && err == nil {
			skipTop = false // visited already; only its listing is left
			return nil
		}
		if err != nil {
			v.add(folderUnreadable(p, "cannot be listed: ", err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		fst := v.visit(keys, p, d.Type(), func() (*fileState, error) {
			info, err := d.Info()
			if err != nil {
				return nil, err
			}
			return &fileState{path: p, size: info.Size()}, nil
		})
		if fst != nil && v.hashNow(p, fst) {
			found(fst)
		}
		return nil
	})
}

// visit is the walk's step for the entry p (not "."), of type typ: names
// that collide on case-insensitive or normalising filesystems are
// findings; a regular file is recorded, its state (its size) from state,
// and returned; anything else (symlinks, devices) is a finding and is
// never opened.
func (v *verifier) visit(keys *collisions, p string, typ fs.FileMode, state func() (*fileState, error)) *fileState {
	if first, ok := keys.add(p); ok {
		v.add(finding.Finding{Code: finding.BagPathCollision, Path: p, Message: fmt.Sprintf("name collides with %q on case-insensitive or normalising filesystems", first)})
	}
	switch {
	case typ.IsDir():
	case typ.IsRegular():
		fst, err := state()
		if err != nil {
			v.add(folderUnreadable(p, "cannot be read: ", err))
			return nil
		}
		v.files[p] = fst
		if strings.HasPrefix(p, "data/") {
			v.payload++
		}
		return fst
	case typ&fs.ModeSymlink != 0:
		v.add(finding.Finding{Code: finding.BagPathUnsafe, Path: p, Message: "is a symbolic link; a package holds only regular files, and links are not followed"})
	default:
		v.add(finding.Finding{Code: finding.BagPathUnsafe, Path: p, Message: fmt.Sprintf("is not a regular file (%v)", typ)})
	}
	return nil
}

func (v *verifier) requireFile(p string) {
	if _, ok := v.files[p]; !ok && !v.missing[p] {
		v.missing[p] = true
		v.add(finding.Finding{Code: finding.BagMissing, Path: p, Message: "required file is missing"})
	}
}

// openTag opens a tag file no larger than limit; a larger one is a
// finding of code. ok is false when the file is absent, too large or
// cannot be opened (each but absence reported).
func (v *verifier) openTag(p string, limit int64, code finding.Code) (fs.File, bool) {
	fst, ok := v.files[p]
	if !ok {
		return nil, false
	}
	if fst.size > limit {
		v.add(finding.Finding{Code: code, Path: p, Message: fmt.Sprintf("is %d bytes, larger than the %d bytes casepack reads for this file", fst.size, limit)})
		return nil, false
	}
	f, err := v.fsys.Open(p)
	if err != nil {
		v.unreadable(p, err)
		return nil, false
	}
	return f, true
}

// readSmall reads a tag file (bounded). ok is false when it is absent.
func (v *verifier) readSmall(p string, limit int64, code finding.Code) ([]byte, bool) {
	f, ok := v.openTag(p, limit, code)
	if !ok {
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		v.unreadable(p, err)
		return nil, false
	}
	if int64(len(b)) > limit {
		v.add(finding.Finding{Code: code, Path: p, Message: fmt.Sprintf("is larger than the %d bytes casepack reads for this file", limit)})
		return nil, false
	}
	return b, true
}

func (v *verifier) unreadable(p string, err error) {
	if fst, ok := v.files[p]; ok {
		if fst.unreadable {
			return
		}
		fst.unreadable = true
	}
	if v.pkg.IsZip() && !fault.CannotRead(err) {
		v.add(finding.Finding{Code: finding.ZipUnsafe, Path: p, Message: "entry cannot be read as declared: " + fault.Describe(err)})
		return
	}
	v.add(folderUnreadable(p, "cannot be read: ", err))
}

// folderUnreadable is the finding for a file or folder of a package folder
// (or a ZIP the reader cannot read) that could not be read. Only the reader's problem (fault.CannotRead:
// permission denied, an I/O error of the disk) is CP-BAG-UNREADABLE, which
// says nothing about the package (see CannotRead); a file gone since it
// was listed is missing, and one that is no longer a regular file is
// unsafe: both are the package's.
func folderUnreadable(p, what string, err error) finding.Finding {
	switch {
	case fault.CannotRead(err):
		return finding.Finding{Code: finding.BagUnreadable, Path: p, Message: what + fault.Describe(err)}
	case errors.Is(err, fs.ErrNotExist):
		return finding.Finding{Code: finding.BagMissing, Path: p, Message: "was removed while the package was being verified"}
	}
	return finding.Finding{Code: finding.BagPathUnsafe, Path: p, Message: what + fault.Describe(err)}
}

// CannotRead reports whether the only errors in r are files the reader
// could not read (CP-BAG-UNREADABLE): then nothing is known about those
// files, so the package is neither intact nor shown damaged, and the
// verification did not complete (exit 1, "cannot read"), rather than
// failed (exit 4). It returns those findings.
func CannotRead(r *Report) []finding.Finding {
	errs := r.Errors()
	for _, f := range errs {
		if f.Code != finding.BagUnreadable {
			return nil
		}
	}
	return errs
}

// Unread says, of the findings CannotRead returned, which files could not
// be read and that nothing else was found wrong: the package is not shown
// damaged, but it is not verified either. The caller names the package.
func Unread(unread []finding.Finding) string {
	first := unread[0]
	more := ""
	if n := len(unread) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return fmt.Sprintf("%s %s%s; nothing else was found wrong, but the package is not verified until every file can be read", first.Path, first.Message, more)
}

func (v *verifier) checkBagit() {
	b, ok := v.readSmall("bagit.txt", maxBagitTxt, finding.BagBagit)
	if !ok {
		if _, exists := v.files["bagit.txt"]; !exists {
			v.missing["bagit.txt"] = true
			v.add(finding.Finding{Code: finding.BagBagit, Path: "bagit.txt", Message: "bagit.txt is missing: this is not a BagIt bag"})
		}
		return
	}
	d, err := bag.ReadBagitTxt(b)
	if err != nil {
		v.add(finding.Finding{Code: finding.BagBagit, Path: "bagit.txt", Message: err.Error()})
		return
	}
	v.decl = d
}

// checkVersion holds the declaration to what casepack reads: its own
// packages are BagIt 1.0 (0.97 also read) with UTF-8 tag files; another
// tool's bag may be 1.0, 0.97 or 0.96 (which 0.97 only clarified), with
// tag files in any encoding bag.Declaration can decode.
func (v *verifier) checkVersion() {
	d := v.decl
	if d.Version == "" {
		return
	}
	switch {
	case !v.plain && d.Version != "1.0" && d.Version != "0.97":
		v.add(finding.Finding{Code: finding.BagBagit, Path: "bagit.txt", Message: fmt.Sprintf("BagIt-Version %q not supported (want 1.0)", d.Version)})
	case !v.plain && !d.IsUTF8():
		v.add(finding.Finding{Code: finding.BagBagit, Path: "bagit.txt", Message: fmt.Sprintf("Tag-File-Character-Encoding %q not supported (want UTF-8)", d.Encoding)})
	case v.plain && !slices.Contains([]string{"1.0", "0.97", "0.96"}, d.Version):
		v.add(finding.Finding{Code: finding.BagBagit, Path: "bagit.txt", Message: fmt.Sprintf("BagIt-Version %q: casepack verifies bags of BagIt 1.0 (RFC 8493), 0.97 and 0.96", d.Version)})
	}
}

// tagText reads a small tag file other than bagit.txt and decodes it from
// the declared encoding (UTF-8 when bagit.txt could not be read). ok is
// false when it is absent or was reported unreadable.
func (v *verifier) tagText(p string, limit int64, code finding.Code) ([]byte, bool) {
	b, ok := v.readSmall(p, limit, code)
	if !ok {
		return nil, false
	}
	text, bom, err := v.declared().DecodeTagFile(b)
	if err != nil {
		v.add(finding.Finding{Code: code, Path: p, Message: fmt.Sprintf("%s %s, the encoding bagit.txt declares", p, err.Error())})
		return nil, false
	}
	if bom {
		c := finding.BagManifestNoncanonical
		if code == finding.BagInfo {
			c = finding.BagInfo
		}
		v.add(finding.Finding{Code: c, Severity: finding.Warning, Path: p, Message: "starts with a UTF-8 byte-order mark, which BagIt does not write (ignored)"})
	}
	return text, true
}

// declared is what bagit.txt declares, UTF-8 when it could not be read.
func (v *verifier) declared() bag.Declaration {
	d := v.decl
	if d.Encoding == "" {
		d.Encoding = "UTF-8"
	}
	return d
}

func (v *verifier) readBagInfo() []bag.Field {
	b, ok := v.tagText("bag-info.txt", maxBagInfo, finding.BagInfo)
	if !ok {
		return nil
	}
	fields, notes, err := bag.ReadBagInfo(b)
	if err != nil {
		v.add(finding.Finding{Code: finding.BagInfo, Path: "bag-info.txt", Message: err.Error()})
		return nil
	}
	if len(notes) > 0 {
		v.add(finding.Finding{Code: finding.BagInfo, Severity: finding.Warning, Path: "bag-info.txt",
			Message: "read, although BagIt writes it otherwise: " + strings.Join(notes, "; ")})
	}
	return fields
}

// side is one manifest: of a package's pairs (sha256 and sha512), or any
// of another tool's bag.
type side struct {
	name    string
	alg     string
	present bool              // the manifest was found and read
	entries map[string]string // path -> digest, as packLine keeps it (read it with line, lineIs)
	ghosts  int               // entries for files the package does not hold
	dropped int               // further such lines, counted only

	longLines int // lines over maxManifestLine, each reported
}

// eachLine opens manifest s and hands each of its lines (without the LF)
// to fn, reading a line at a time: only what fn keeps stays in memory,
// however many lines the manifest has. A line longer than maxManifestLine
// is reported and skipped. decode, when set, turns the bytes into UTF-8
// text (a tag file in the encoding bagit.txt declares). ok is false when
// the manifest could not be opened or read (reported); s is then not
// present, and lists nothing.
func (v *verifier) eachLine(s *side, decode func(io.Reader) io.Reader, fn func(n int, text []byte, hasNL bool)) (ok bool) {
	f, ok := v.openTag(s.name, maxManifest, finding.BagManifestSyntax)
	if !ok {
		return false
	}
	defer f.Close()
	s.present = true
	var r io.Reader = io.LimitReader(f, maxManifest+1)
	if decode != nil {
		r = decode(r)
	}
	br := bufio.NewReaderSize(r, maxManifestLine)
	n := 0
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			n++
			s.longLines++
			v.add(finding.Finding{Code: finding.BagManifestSyntax, Path: s.name, Message: fmt.Sprintf("line %d: longer than %d bytes", n, maxManifestLine)})
			for rerr == bufio.ErrBufferFull {
				_, rerr = br.ReadSlice('\n')
			}
			if rerr == nil {
				continue
			}
		}
		if rerr != nil && rerr != io.EOF {
			// Read in part, it is as a manifest that could not be
			// opened: the lines past the failure, missing from what
			// was read, would be reported as removed from it
			// (CP-BAG-MANIFEST-MODIFIED), a failing disk as damage.
			v.unreadable(s.name, rerr)
			s.present = false
			clear(s.entries)
			return false
		}
		if len(line) == 0 {
			return true
		}
		n++
		text, hasNL := bytes.CutSuffix(line, []byte("\n"))
		fn(n, text, hasNL)
		if rerr == io.EOF {
			return true
		}
	}
}

// lineError reports a manifest line that cannot be read.
func (v *verifier) lineError(name string, n int, le *bag.LineError) {
	code := finding.BagManifestSyntax
	if errors.Is(le.Err, bag.ErrUnsafePath) {
		code = finding.BagPathUnsafe
	}
	msg := fmt.Sprintf("line %d: %s", n, le.Err.Error())
	if le.Path != "" {
		msg = fmt.Sprintf("line %d (%q): %s", n, le.Path, le.Err.Error())
	}
	v.add(finding.Finding{Code: code, Path: name, Message: msg})
}

// readManifests reads a package's manifests, each payload manifest on a
// goroutine of its own and the tag manifests meanwhile: for the
// verify-after-write of 20,000 files, reading manifest-sha256.txt and
// manifest-sha512.txt in turn was a third of its time on one core, the
// other idle. Their findings are added as reading them in turn adds them
// (pay's and tag's of each algorithm, in bag.Algorithms' order; see
// recorder).
func (v *verifier) readManifests() (pay, tag []*side) {
	type read struct {
		s       *side
		isTag   bool
		present bool
		found   []finding.Finding
	}
	var reads []*read
	for _, alg := range bag.Algorithms {
		reads = append(reads, &read{s: &side{name: bag.ManifestName(alg), alg: alg}},
			&read{s: &side{name: bag.TagManifestName(alg), alg: alg}, isTag: true})
	}
	for _, r := range reads {
		r.present = v.recorder(&r.found).manifestPresent(r.s)
	}
	var wg sync.WaitGroup
	for _, r := range reads {
		if r.present && !r.isTag {
			w := v.recorder(&r.found)
			wg.Go(func() { w.readLines(r.s, false) })
		}
	}
	for _, r := range reads {
		if r.present && r.isTag {
			v.recorder(&r.found).readLines(r.s, true)
		}
	}
	wg.Wait()
	for _, r := range reads {
		v.addAll(r.found)
		if r.isTag {
			tag = append(tag, r.s)
		} else {
			pay = append(pay, r.s)
		}
	}
	return pay, tag
}

// manifestPresent says whether the package holds manifest s, reporting
// it missing (once) when not; a missing manifest lists nothing.
func (v *verifier) manifestPresent(s *side) bool {
	if _, ok := v.files[s.name]; ok {
		return true
	}
	s.entries = map[string]string{}
	if !v.missing[s.name] {
		v.missing[s.name] = true
		v.add(finding.Finding{Code: finding.BagMissing, Path: s.name, Message: "required manifest is missing"})
	}
	return false
}

// readLines reads manifest s, which the package holds, keeping its
// entries and reporting its lines.
func (v *verifier) readLines(s *side, isTag bool) {
	name, alg := s.name, s.alg
	// A payload manifest lists the payload files; more lines than that
	// are findings, and a tag manifest lists a handful.
	size := 0
	if !isTag {
		size = v.sizeHint(name, minManifestLine)
	}
	s.entries = make(map[string]string, size)
	var (
		keys       = newCollisions(size)
		canonical  = true
		lineErrors = false
		prev       string
	)
	ok := v.eachLine(s, nil, func(n int, text []byte, hasNL bool) {
		if p, d, ok := v.canonicalLine(alg, text); ok {
			if canonical && (!hasNL || p <= prev && n > 1) {
				canonical = false
			}
			prev = p
			v.keepLine(s, p, d, isTag, keys)
			return
		}
		e, le := scanLine(alg, text)
		switch {
		case le != nil:
			lineErrors = true
			v.lineError(name, n, le)
		default:
			// Canonical: "<lower-case hex>  <encoded path>\n", sorted by path bytes.
			if canonical && (!hasNL || e.Path <= prev && n > 1 || !isLine(text, e.Digest, bag.EncodePath(e.Path))) {
				canonical = false
			}
			prev = e.Path
			v.keepEntry(s, e, isTag, keys)
		}
	})
	if !ok {
		return
	}
	lineErrors = lineErrors || s.longLines > 0
	if s.dropped > 0 {
		v.add(finding.Finding{Code: finding.BagMissing, Path: name,
			Message: fmt.Sprintf("and %d more lines name files that are not in the package; they are not listed one by one", s.dropped)})
	}
	if !lineErrors && !canonical {
		v.add(finding.Finding{Code: finding.BagManifestNoncanonical, Severity: finding.Warning, Path: name, Message: "readable, but not in casepack's canonical form (sorted by path, two spaces, lowercase hex, LF)"})
	}
}

// sizeHint is how many entries a map of what the file p lists is made
// room for: the payload files the walk counted, but no more than p can
// list at least per bytes an entry (none when p is not in the package),
// so that a small or absent file never costs a map the size of the
// payload.
func (v *verifier) sizeHint(p string, per int64) int {
	fst, ok := v.files[p]
	if !ok {
		return 0
	}
	return int(min(int64(v.payload), fst.size/per))
}

// The fewest bytes a payload manifest's line ("<SHA-256>  <path>\n")
// and an entry of casepack/manifest.json (`{"path":"data/x"}`) take.
const (
	minManifestLine  = 64 + 2 + 1 + 1
	minCasepackEntry = 16
)

// isLine reports whether text is digest, two spaces and path, without
// building that line for each of a manifest's lines.
func isLine(text []byte, digest, path string) bool {
	n := len(digest)
	return len(text) == n+2+len(path) && string(text[:n]) == digest && string(text[n:n+2]) == "  " && string(text[n+2:]) == path
}

// Bounds on reading a manifest: the longest line, and how many lines
// naming files the package does not hold are kept to be reported one by
// one (the rest are counted).
const (
	maxManifestLine = 64 << 10
	maxGhosts       = 10000
)

// scanLine reads one manifest line (without its LF) as bag.ScanManifest
// does.
func scanLine(alg string, text []byte) (bag.Entry, *bag.LineError) {
	if len(bytes.TrimSpace(text)) == 0 {
		return bag.Entry{}, &bag.LineError{Err: errors.New("empty line")}
	}
	return bag.ScanManifestLine(alg, text)
}

// canonicalLine reads a line as casepack writes it: the digest of alg in
// lower-case hex, two spaces, and a safe path with nothing to decode
// (no "%", no CR). It returns the path, the string the record of the
// files holds where the package has the file, and the line's hex digits;
// ok is false for any other line, which scanLine reads. Of such a line
// scanLine gives that path and digest (bag.ScanManifestLine: the
// separator is the two spaces, the path is not decoded, the digest is
// lower-case already), and readLines finds it canonical where it is in
// order: it is its digest, two spaces and its path encoded. For the
// verify-after-write of 20,000 files, scanLine's copy of each line, its
// digest lowered and checked, and its path decoded were half of reading
// the manifests (5.7 MB of their 13 MB allocated).
func (v *verifier) canonicalLine(alg string, text []byte) (p string, d []byte, ok bool) {
	n := bag.HexLen(alg)
	if n == 0 || len(text) <= n+2 || text[n] != ' ' || text[n+1] != ' ' || text[n+2] == ' ' || text[n+2] == '\t' {
		return "", nil, false
	}
	d, enc := text[:n], text[n+2:]
	for _, c := range d {
		if _, ok := lowerHex(c); !ok {
			return "", nil, false
		}
	}
	if bytes.IndexByte(enc, '%') >= 0 || bytes.IndexByte(enc, '\r') >= 0 {
		return "", nil, false
	}
	if fst, ok := v.files[string(enc)]; ok {
		p = fst.path
	} else {
		p = string(enc)
	}
	if bag.CheckPath(p) != nil {
		return "", nil, false // scanLine says why
	}
	return p, d, true
}

// keepEntry records one well-formed line of s, reporting lines outside the
// manifest's scope and paths listed twice.
func (v *verifier) keepEntry(s *side, e bag.Entry, isTag bool, keys *collisions) {
	if fst, p, ok := v.entryFor(s, e.Path, isTag, keys); ok {
		s.entries[p] = packLine(fst, s.alg, e.Digest)
	}
}

// keepLine is keepEntry for the path and hex digits canonicalLine read.
func (v *verifier) keepLine(s *side, p string, d []byte, isTag bool, keys *collisions) {
	if fst, p, ok := v.entryFor(s, p, isTag, keys); ok {
		s.entries[p] = packLine(fst, s.alg, d)
	}
}

// entryFor decides whether s keeps its line for path p: not when p is
// outside the manifest's scope or listed twice (both reported), nor past
// maxGhosts lines naming files the package does not hold (counted). It
// returns the file's state (nil when the package does not hold it) and
// the path to keep it under, the record's string where there is one.
func (v *verifier) entryFor(s *side, p string, isTag bool, keys *collisions) (*fileState, string, bool) {
	if msg := wrongScope(p, isTag, false); msg != "" {
		v.add(finding.Finding{Code: finding.BagPathUnsafe, Path: s.name, Message: fmt.Sprintf("lists %q, %s", p, msg)})
		return nil, "", false
	}
	fst, exists := v.files[p]
	if !exists {
		if s.ghosts >= maxGhosts {
			s.dropped++
			return nil, "", false
		}
		s.ghosts++
	} else {
		p = fst.path
	}
	if first, dup := keys.add(p); dup {
		if first == p {
			v.add(finding.Finding{Code: finding.BagPathCollision, Path: s.name, Message: fmt.Sprintf("lists %q twice", p)})
		} else {
			v.add(finding.Finding{Code: finding.BagPathCollision, Path: s.name, Message: fmt.Sprintf("lists %q and %q, the same file on case-insensitive or normalising filesystems", first, p)})
		}
		return nil, "", false
	}
	return fst, p, true
}

// wrongScope says why a path does not belong in a payload (isTag false) or
// tag manifest, or "".
func wrongScope(p string, isTag, plain bool) string {
	inData := strings.HasPrefix(p, "data/")
	switch {
	case !isTag && !inData:
		return "which is outside data/ (a payload manifest lists only payload files)"
	case isTag && inData:
		return "which is a payload file (a tag manifest lists only tag files)"
	case isTag && !plain && strings.HasPrefix(p, "signatures/"):
		return "which is a signature (signatures sign the tag manifest and are not listed in it)"
	case isTag && strings.HasPrefix(p, "tagmanifest-"):
		return "which is a tag manifest (a tag manifest cannot list itself or its twin)"
	}
	return ""
}

// scanCasepackManifest reads casepack/manifest.json a evidence item at a
// time, handing each to each; it reports a manifest that cannot be read or
// parsed, and says whether it could be. It is read once (for the files to
// hash and to check them, see casepackCheck), never held whole: it may
// list millions of items.
func (v *verifier) scanCasepackManifest(each func(bag.EvidenceItem) error) bool {
	const cp = bag.CasepackManifestPath
	f, ok := v.openTag(cp, maxCasepackM, finding.CasepackManifest)
	if !ok {
		return false
	}
	defer f.Close()
	var readErr error
	_, err := bag.ScanCasepackManifest(errReader{bufio.NewReaderSize(io.LimitReader(f, maxCasepackM), 64<<10), &readErr}, each)
	switch {
	case readErr != nil:
		v.unreadable(cp, readErr)
		return false
	case err != nil:
		v.add(finding.Finding{Code: finding.CasepackManifest, Path: cp, Message: err.Error()})
		return false
	}
	return true
}

// casepackScan is a read of casepack/manifest.json (scanCasepackManifest)
// on a goroutine of its own, begun before the BagIt manifests are read:
// checking an item needs them (casepackCheck.item), parsing it does not.
// For the verify-after-write of 20,000 files, parsing the manifest was
// over a third of the time one core went through the tag files while the
// other waited. The items are handed on in batches through a channel of a
// few, so that only those few are held, however many the manifest lists.
type casepackScan struct {
	items chan []bag.EvidenceItem
	free  chan []bag.EvidenceItem // batches handed on, emptied, to fill again
	stop  chan struct{}           // closed by end: nothing more is handed on
	found []finding.Finding       // the read's own findings (see recorder)
	ok    bool                    // scanCasepackManifest's answer
}

// casepackBatch is how many items a batch of casepackScan holds at most,
// and casepackBatchBytes about how many bytes of their text: a batch of
// 128 items of 200 KiB each (a hostile manifest's long IDs) held 7 times
// the heap of reading an item at a time, as the payload manifests were
// still being read (107 MiB, 14 MiB at c19e12c; TestCasepackBatchBounded).
// An item of casepack's is some 300 bytes a file.
const (
	casepackBatch      = 128
	casepackBatchBytes = 256 << 10
)

// itemBytes is about how many bytes item it holds: its strings, and a
// file's record.
func itemBytes(it bag.EvidenceItem) int {
	n := len(it.ID) + len(it.Title) + len(it.Custody)
	for _, f := range it.Files {
		n += len(f.Path) + len(f.OriginalName) + len(f.MediaType) + len(f.SHA256) + len(f.SHA512) + int(unsafe.Sizeof(f))
	}
	return n
}

func (v *verifier) startCasepackScan() *casepackScan {
	c := &casepackScan{items: make(chan []bag.EvidenceItem, 2), free: make(chan []bag.EvidenceItem, 4), stop: make(chan struct{})}
	w := v.recorder(&c.found)
	send := func(batch []bag.EvidenceItem) bool {
		select {
		case c.items <- batch:
			return true
		case <-c.stop:
			return false
		}
	}
	go func() {
		defer close(c.items)
		batch := make([]bag.EvidenceItem, 0, casepackBatch)
		size := 0
		c.ok = w.scanCasepackManifest(func(it bag.EvidenceItem) error {
			batch = append(batch, it)
			size += itemBytes(it)
			if len(batch) == casepackBatch || size >= casepackBatchBytes {
				if !send(batch) {
					return errScanEnded
				}
				size = 0
				select {
				case batch = <-c.free:
				default:
					batch = make([]bag.EvidenceItem, 0, casepackBatch)
				}
			}
			return nil
		})
		if len(batch) > 0 {
			send(batch)
		}
	}()
	return c
}

// errScanEnded stops the manifest's reader when nobody takes its items
// any more (casepackScan.end before each); what it records then is
// dropped with the scan.
var errScanEnded = errors.New("the verification ended before the manifest was read")

// each hands every item read to fn, in the manifest's order, then adds the
// read's findings, and says whether the manifest could be read and parsed.
// It must be called once, for the goroutine to end.
func (c *casepackScan) each(v *verifier, fn func(bag.EvidenceItem)) bool {
	for batch := range c.items {
		for _, it := range batch {
			fn(it)
		}
		clear(batch) // nothing of the items is kept
		select {
		case c.free <- batch[:0]:
		default:
		}
	}
	v.addAll(c.found)
	return c.ok
}

// end stops the reader if each was not called (a return on the way to
// it) and waits for it to close its channel; after each it returns at
// once. Verify defers it, so the reader never outlives the verification.
func (c *casepackScan) end() {
	close(c.stop)
	for range c.items {
	}
}

// errReader remembers a read error, to tell it from a parse error.
type errReader struct {
	r   io.Reader
	err *error
}

func (e errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		*e.err = err
	}
	return n, err
}

// hashAll hashes the wanted files on the bounded pool, each read once. A
// file that cannot be read is a finding, not a reason to stop.
func (v *verifier) hashAll(ctx context.Context, want map[string]bool) error {
	paths := make([]string, 0, len(want))
	var total int64
	for p := range want {
		paths = append(paths, p)
		total += v.files[p].size
	}
	slices.Sort(paths)
	v.meter.Grow(len(paths), total)
	errs := make([]error, len(paths))
	err := digest.Each(ctx, len(paths), v.opt.Workers, func(ctx context.Context, i int) error {
		p := paths[i]
		fst := v.files[p]
		errs[i] = v.hashFile(ctx, p, fst)
		fst.hashed = errs[i] == nil
		v.meter.FileDone("", p, fst.size)
		return nil
	})
	if err != nil {
		return err
	}
	for i, p := range paths {
		if errs[i] != nil {
			v.unreadable(p, errs[i])
		}
	}
	return nil
}

// hashSHA512Where hashes again, with both algorithms, each payload file of
// a package that was hashed with SHA-256 alone and whose SHA-512 decides
// something (see Options.EveryDigest): manifest-sha512.txt lists it and
// manifest-sha256.txt does not, or lists another SHA-256. A package whose
// files match manifest-sha256.txt reads nothing here.
func (v *verifier) hashSHA512Where(ctx context.Context, pay []*side) error {
	if v.plain || v.opt.EveryDigest {
		return nil
	}
	s256, s512 := manifestOf(pay, bag.SHA256), manifestOf(pay, bag.SHA512)
	if s512 == nil || !s512.present {
		return nil
	}
	want := map[string]bool{}
	for p, fst := range v.files {
		if !fst.hashed || fst.given || fst.d.SHA512 != "" || !strings.HasPrefix(p, "data/") {
			continue
		}
		if _, ok := s512.entries[p]; !ok {
			continue
		}
		if s256.present && s256.lineIs(p, fst.d.SHA256) {
			continue
		}
		fst.full, fst.hashed = true, false
		want[p] = true
	}
	return v.hashAll(ctx, want)
}

// manifestOf returns the manifest of set for alg, or nil.
func manifestOf(set []*side, alg string) *side {
	for _, s := range set {
		if s.alg == alg {
			return s
		}
	}
	return nil
}

// hashFile reads file p once and records its digests in fst: SHA-256 and
// SHA-512 (a package; only SHA-256 of a payload file unless
// Options.EveryDigest or fst.full says otherwise), or every algorithm of
// hashAlgs (another tool's bag).
// It touches no state but fst, so the walk may go on while it runs.
func (v *verifier) hashFile(ctx context.Context, p string, fst *fileState) error {
	if v.folder != nil {
		if done, err := v.hashFolder(ctx, p, fst); done {
			return err
		}
	}
	f, err := v.fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return v.hashFrom(ctx, f, p, fst)
}

// hashFrom is hashFile once the file is open.
func (v *verifier) hashFrom(ctx context.Context, f io.Reader, p string, fst *fileState) error {
	r := v.meter.Reader(f, "", p, fst.size)
	var err error
	switch {
	case v.hashAlgs != nil:
		n, sums, err := digest.ReadNamed(ctx, r, v.hashAlgs)
		if err != nil {
			return err
		}
		fst.d, fst.other = digest.Digests{Size: n, SHA256: sums[bag.SHA256], SHA512: sums[bag.SHA512]}, sums
	case !v.opt.EveryDigest && !fst.full && strings.HasPrefix(p, "data/"):
		fst.d, err = digest.ReadSHA256(ctx, r)
	default:
		fst.d, err = digest.Read(ctx, r)
	}
	return err
}

// keep returns the digest d that casepack/manifest.json gives for the
// file where it is not the payload manifest's line (see casepackStep), as
// the record keeps it: the digest the caller handed (Options.Hashed) when
// they agree, shared rather than copied, else a copy of d alone. d is a
// slice of the manifest's text, which would otherwise be kept with it: for
// the verify-after-write of 20,000 files, both manifests' lines and
// casepack/manifest.json's strings were 9.7 MB of its 33 MB live heap.
// Only a given digest is read: the hashing goroutines may still be
// writing another file's.
func (fst *fileState) keep(alg, d string) string {
	if fst.given {
		if g := fst.digest(alg); g == d {
			return g
		}
	}
	return strings.Clone(d)
}

func (fst *fileState) digest(alg string) string {
	switch alg {
	case bag.SHA256:
		return fst.d.SHA256
	case bag.SHA512:
		return fst.d.SHA512
	}
	return fst.other[alg]
}

// checkSet compares a set of manifests (a package's sha256 and sha512
// pair, or whatever another tool's bag has) with the files. When at least
// one manifest agrees with a file, a disagreeing line names its manifest
// as modified, not the file; when none agrees the file changed.
func (v *verifier) checkSet(set []*side, isTag bool) {
	union := map[string]bool{}
	for _, s := range set {
		for p := range s.entries {
			union[p] = true
		}
	}
	paths := make([]string, 0, len(union))
	for p := range union {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var present []*side
	for _, s := range set {
		if s.present {
			present = append(present, s)
		}
	}
	var listing, silent, agree, disagree []*side // reused from path to path
	for _, p := range paths {
		fst, exists := v.files[p]
		listing, silent = listing[:0], silent[:0]
		for _, s := range present {
			if _, ok := s.entries[p]; ok {
				listing = append(listing, s)
			} else {
				silent = append(silent, s)
			}
		}
		if !exists {
			if len(present) > 1 && len(silent) > 0 {
				for _, s := range listing {
					v.add(finding.Finding{Code: finding.BagManifestModified, Path: s.name, Message: fmt.Sprintf("lists %q, which is neither in the package nor in %s", p, names(silent))})
				}
				continue
			}
			if !v.missing[p] {
				v.missing[p] = true
				v.add(finding.Finding{Code: finding.BagMissing, Path: p, Message: fmt.Sprintf("listed in %s but not in the package", names(listing))})
			}
			continue
		}
		for _, s := range silent {
			f := finding.Finding{Code: finding.BagManifestModified, Path: s.name, Message: fmt.Sprintf("has no line for %q, which %s lists", p, names(listing))}
			if v.plain && !isTag && v.decl.Version != "1.0" {
				// Before RFC 8493, a payload file had to be in one
				// payload manifest, not in each.
				f.Severity = finding.Warning
				f.Message += " (BagIt " + v.decl.Version + " allows it; 1.0 requires every payload manifest to list every payload file)"
			}
			v.add(f)
		}
		if fst.unreadable || !fst.hashed {
			continue
		}
		agree, disagree = agree[:0], disagree[:0]
		for _, s := range listing {
			act := fst.digest(s.alg)
			if act == "" { // not recomputed (SHA-512 that decides nothing, or an unknown algorithm)
				continue
			}
			if s.lineIs(p, act) {
				agree = append(agree, s)
			} else {
				disagree = append(disagree, s)
			}
		}
		if len(disagree) == 0 {
			continue
		}
		if len(agree) == 0 {
			s := disagree[0]
			v.modified[p] = true
			v.add(finding.Finding{Code: finding.BagModified, Path: p, Algorithm: s.alg, Expected: s.line(p), Actual: fst.digest(s.alg),
				Message: fmt.Sprintf("content changed: its %s digest is not the one in %s", algName(s.alg), s.name)})
			continue
		}
		for _, s := range disagree {
			v.add(finding.Finding{Code: finding.BagManifestModified, Path: s.name, Algorithm: s.alg, Expected: s.line(p), Actual: fst.digest(s.alg),
				Message: fmt.Sprintf("the line for %q was changed: the file still matches %s, so the manifest was modified, not the file", p, agree[0].name)})
		}
	}
}

// names lists manifests' names: "a", "a and b", "a, b and c".
func names(ss []*side) string {
	var n []string
	for _, s := range ss {
		n = append(n, s.name)
	}
	if len(n) <= 1 {
		return strings.Join(n, "")
	}
	return strings.Join(n[:len(n)-1], ", ") + " and " + n[len(n)-1]
}

// checkExtra reports files no manifest covers. Signatures are verified by
// the signature checks; the tag manifests are covered by the signatures.
func (v *verifier) checkExtra(pay, tag []*side) {
	payKnown, tagKnown := anyPresent(pay), anyPresent(tag)
	for p := range v.files {
		switch {
		case !v.plain && strings.HasPrefix(p, "signatures/"):
			continue
		case !v.plain && (p == bag.TagManifestName(bag.SHA256) || p == bag.TagManifestName(bag.SHA512)):
			continue
		case v.plain && isTagManifestName(p):
			continue
		case strings.HasPrefix(p, "data/"):
			if !payKnown || inAny(pay, p) {
				continue
			}
			v.add(finding.Finding{Code: finding.BagExtra, Path: p, Message: fmt.Sprintf("payload file is in no payload manifest (added after the %s was made?)", v.noun())})
		default:
			if !tagKnown || inAny(tag, p) {
				continue
			}
			if v.plain {
				v.add(finding.Finding{Code: finding.BagExtra, Severity: finding.Warning, Path: p, Message: "tag file is in no tag manifest: BagIt allows it, but nothing shows it came with the bag"})
				continue
			}
			v.add(finding.Finding{Code: finding.BagExtra, Path: p, Message: "file is in no tag manifest (added after the package was made?)"})
		}
	}
}

// noun is what the verified thing is called in messages.
func (v *verifier) noun() string {
	if v.plain {
		return "bag"
	}
	return "package"
}

func anyPresent(set []*side) bool {
	for _, s := range set {
		if s.present {
			return true
		}
	}
	return false
}

// maxFetch caps how much of a fetch.txt is read to describe it.
const maxFetch = 1 << 20

// checkFetch refuses a fetch.txt (RFC 8493 §2.2.3): it lists files to
// download into the bag, so a bag that has one is not complete, and a
// casepack package never has one. bagit-python refuses a bag whose
// fetch.txt names a path outside it; that is said too, so nobody runs a
// fetcher over it.
func (v *verifier) checkFetch() {
	const name = "fetch.txt"
	if _, ok := v.files[name]; !ok {
		return
	}
	if v.plain {
		v.checkForeignFetch()
		return
	}
	msg := "the package has a fetch.txt, a list of files to download from elsewhere: a casepack package is always complete and never has one, so its files did not all come with it"
	if b, ok := v.readSmall(name, maxFetch, finding.BagFetch); ok {
		var unsafe []string
		lines := 0
		for _, line := range strings.Split(strings.TrimRight(string(b), "\r\n"), "\n") {
			line = strings.TrimRight(line, "\r")
			if strings.TrimSpace(line) == "" {
				continue
			}
			lines++
			// URL LENGTH FILEPATH; the path may hold spaces.
			parts := strings.SplitN(line, " ", 3)
			if len(parts) < 3 {
				unsafe = append(unsafe, fmt.Sprintf("line %d cannot be read", lines))
				continue
			}
			if err := bag.CheckPath(parts[2]); err != nil || !strings.HasPrefix(parts[2], "data/") {
				unsafe = append(unsafe, fmt.Sprintf("%q would be written outside the payload", parts[2]))
			}
		}
		msg = fmt.Sprintf("the package has a fetch.txt listing %d file(s) to download from elsewhere: a casepack package is always complete and never has one, so its files did not all come with it", lines)
		if len(unsafe) > 0 {
			msg += "; and it is unsafe: " + strings.Join(unsafe, "; ")
		}
	}
	v.add(finding.Finding{Code: finding.BagFetch, Path: name, Message: msg,
		Hint: "do not fetch anything it lists; ask the sender for the complete package"})
}

// checkTagNames reports tag files that neither RFC 8493 nor casepack
// defines. One the tag manifests do not list is already CP-BAG-EXTRA; one
// they list came with the package, but nothing checks what it says.
func (v *verifier) checkTagNames(tag []*side) {
	for p := range v.files {
		if strings.HasPrefix(p, "data/") || strings.HasPrefix(p, "signatures/") || knownTagFile(p, v.plain) || !inAny(tag, p) {
			continue
		}
		v.add(finding.Finding{Code: finding.BagTagUnknown, Severity: finding.Warning, Path: p,
			Message: "a tag file that neither casepack nor BagIt defines: it is covered by the tag manifests, but nothing checks what it says"})
	}
}

// knownTagFile reports whether p is a tag file RFC 8493 or casepack
// defines. In another tool's bag a manifest of any algorithm is one.
func knownTagFile(p string, plain bool) bool {
	if plain && !strings.Contains(p, "/") && strings.HasSuffix(p, ".txt") && (strings.HasPrefix(p, "manifest-") || strings.HasPrefix(p, "tagmanifest-")) {
		return true
	}
	switch p {
	case "bagit.txt", "bag-info.txt", "fetch.txt", bag.CasepackManifestPath, "VERIFY.txt":
		return true
	}
	for _, prefix := range []string{"manifest-", "tagmanifest-"} {
		if alg, ok := strings.CutPrefix(p, prefix); ok {
			alg, ok = strings.CutSuffix(alg, ".txt")
			return ok && slices.Contains([]string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}, alg)
		}
	}
	return false
}

func inAny(set []*side, p string) bool {
	for _, s := range set {
		if _, ok := s.entries[p]; ok {
			return true
		}
	}
	return false
}

func (v *verifier) checkOxum(info []bag.Field) {
	if _, ok := v.files["bag-info.txt"]; !ok || info == nil {
		return
	}
	val, ok := bag.Lookup(info, bag.LabelPayloadOxum)
	if !ok && v.plain {
		return // optional in BagIt; only casepack always writes it
	}
	if !ok {
		v.add(finding.Finding{Code: finding.BagInfo, Severity: finding.Warning, Path: "bag-info.txt", Message: "has no Payload-Oxum"})
		return
	}
	want, err := bag.ParseOxum(val)
	if err != nil {
		v.add(finding.Finding{Code: finding.BagOxum, Path: "bag-info.txt", Message: err.Error()})
		return
	}
	var got bag.Oxum
	for p, fst := range v.files {
		if strings.HasPrefix(p, "data/") {
			got.Files++
			got.Bytes += fst.size
		}
	}
	if got != want {
		v.add(finding.Finding{Code: finding.BagOxum, Path: "bag-info.txt", Expected: want.String(), Actual: got.String(),
			Message: fmt.Sprintf("Payload-Oxum says %d files and %d bytes; the payload has %d files and %d bytes (the files concerned are reported separately)",
				want.Files, want.Bytes, got.Files, got.Bytes)})
	}
}

// casepackCheck compares casepack/manifest.json with the bag, from the one
// read of it that also says which files to hash: what needs no digest is
// decided as each item is read (item), the rest once every file is hashed
// and the BagIt manifests are checked (finish). Where a file still matches
// the BagIt manifests, a disagreeing casepack entry names
// casepack/manifest.json; a changed file is already reported. The findings
// are added by finish, in the order of the items, as a check that read the
// manifest then would have added them.
//
// What is remembered is bounded: that a file the package holds is listed,
// as a mark on its state (fileState.inCasepack); other paths and IDs as
// 64-bit hashes; a file's entry only for files the package holds, its
// digests only where they are not the payload manifests' lines for it;
// findings decided while reading only up to MaxFindingsPerCode of each
// code (the rest counted). For the verify-after-write of 20,000 files, a
// map of listed paths, one of path hashes and each entry's path and
// digests were 3.5 MB of its live heap.
type casepackCheck struct {
	v     *verifier
	pay   []*side
	seed  maphash.Seed
	ids   map[uint64]struct{}
	paths map[uint64]struct{} // paths the package does not hold
	steps []casepackStep
	own   []string             // digests of entries that are not the payload manifests' lines (casepackStep.own)
	found []finding.Finding    // findings decided while reading
	kept  map[finding.Code]int // of those, kept in found
	over  map[finding.Code]int // and those past MaxFindingsPerCode, counted only
}

// casepackStep is a finding decided while reading (found[f], fst nil), or
// the file fst of the package to compare with its entry of evidence id
// once it is hashed: the entry's size, and its SHA-256 and SHA-512 in
// own[own:own+2], or (own < 0) the payload manifests' lines for the file.
type casepackStep struct {
	fst  *fileState
	id   string
	size int64
	f    int32
	own  int32
}

func (v *verifier) newCasepackCheck(pay []*side) *casepackCheck {
	// casepack/manifest.json lists the evidence files (and their items),
	// which are payload files.
	size := v.sizeHint(bag.CasepackManifestPath, minCasepackEntry)
	return &casepackCheck{v: v, pay: pay, seed: maphash.MakeSeed(), ids: make(map[uint64]struct{}, size), paths: map[uint64]struct{}{},
		steps: make([]casepackStep, 0, len(v.files)), kept: map[finding.Code]int{}, over: map[finding.Code]int{}}
}

// decided records a finding decided while reading.
func (c *casepackCheck) decided(f finding.Finding) {
	if c.kept[f.Code] >= MaxFindingsPerCode {
		c.over[f.Code]++ // past the limit however the rest turns out
		return
	}
	c.kept[f.Code]++
	c.steps = append(c.steps, casepackStep{f: int32(len(c.found))})
	c.found = append(c.found, f)
}

func (c *casepackCheck) mismatch(msg, alg, want, got string) {
	c.decided(finding.Finding{Code: finding.CasepackMismatch, Severity: finding.Error, Path: bag.CasepackManifestPath, Message: msg, Algorithm: alg, Expected: want, Actual: got})
}

// item checks one evidence item as it is read.
func (c *casepackCheck) item(it bag.EvidenceItem) {
	v := c.v
	h := maphash.String(c.seed, it.ID)
	if _, dup := c.ids[h]; dup {
		c.mismatch(fmt.Sprintf("evidence %s is listed twice", it.ID), "", "", "")
	}
	c.ids[h] = struct{}{}
	for _, f := range it.Files {
		fst, exists := v.files[f.Path]
		if exists {
			// The record keeps the strings it holds already, not the
			// scan's (see keep).
			f.Path = fst.path
		}
		known := exists || inAny(c.pay, f.Path)
		if c.seen(fst, f.Path) {
			c.mismatch(fmt.Sprintf("evidence %s: %q is listed twice", it.ID, f.Path), "", "", "")
			continue
		}
		if f.Withheld {
			if known {
				c.decided(finding.Finding{Code: finding.CasepackWithheld, Severity: finding.Error, Path: f.Path, Message: fmt.Sprintf("evidence %s: file is marked withheld but is in the package", it.ID)})
			}
			if len(f.SHA256) != 64 || len(f.SHA512) != 128 {
				c.mismatch(fmt.Sprintf("evidence %s: withheld %q has no valid digests", it.ID, f.Path), "", "", "")
			}
			continue
		}
		if anyPresent(c.pay) && !inAny(c.pay, f.Path) {
			c.mismatch(fmt.Sprintf("evidence %s: %q is not in the payload manifests", it.ID, f.Path), "", "", "")
			continue
		}
		if exists {
			st := casepackStep{fst: fst, id: it.ID, size: f.Size, own: -1}
			if !c.isLine(fst, bag.SHA256, f.SHA256) || !c.isLine(fst, bag.SHA512, f.SHA512) {
				st.own = int32(len(c.own))
				c.own = append(c.own, fst.keep(bag.SHA256, f.SHA256), fst.keep(bag.SHA512, f.SHA512))
			}
			c.steps = append(c.steps, st)
		}
	}
}

// seen says whether casepack/manifest.json listed path p before (fst is
// its file, nil when the package does not hold it), and records that it
// has now.
func (c *casepackCheck) seen(fst *fileState, p string) bool {
	if fst != nil {
		seen := fst.inCasepack
		fst.inCasepack = true
		return seen
	}
	h := maphash.String(c.seed, p)
	_, seen := c.paths[h]
	c.paths[h] = struct{}{}
	return seen
}

// isLine says whether d, the digest of the file fst that
// casepack/manifest.json gives, is the payload manifest's line for it.
func (c *casepackCheck) isLine(fst *fileState, alg, d string) bool {
	s := manifestOf(c.pay, alg)
	return s != nil && s.lineIs(fst.path, d)
}

// entry returns the digest of alg (SHA-256 or SHA-512) that the entry of
// step st gives.
func (c *casepackCheck) entry(st casepackStep, alg string) string {
	switch {
	case st.own < 0:
		return manifestOf(c.pay, alg).line(st.fst.path)
	case alg == bag.SHA512:
		return c.own[st.own+1]
	}
	return c.own[st.own]
}

// entryIs says whether the digest of alg that the entry of step st gives
// is d, without spelling out a line in hex.
func (c *casepackCheck) entryIs(st casepackStep, alg, d string) bool {
	if st.own < 0 {
		return manifestOf(c.pay, alg).lineIs(st.fst.path, d)
	}
	return c.entry(st, alg) == d
}

// finish adds the findings, comparing each file the package holds with its
// entry now that it is hashed, then reports evidence in the payload that
// the manifest does not list.
func (c *casepackCheck) finish() {
	v := c.v
	for _, st := range c.steps {
		if st.fst == nil {
			v.add(c.found[st.f])
			continue
		}
		c.compare(st)
	}
	for code, n := range c.over {
		v.over[code] += n
	}
	for _, s := range c.pay {
		for p := range s.entries {
			if fst, exists := v.files[p]; exists && strings.HasPrefix(p, "data/evidence/") && !fst.inCasepack {
				fst.inCasepack = true
				v.add(finding.Finding{Code: finding.CasepackMismatch, Path: bag.CasepackManifestPath, Message: fmt.Sprintf("%q is evidence in the payload but not in the casepack manifest", p)})
			}
		}
	}
}

// compare compares a hashed file with its entry.
func (c *casepackCheck) compare(st casepackStep) {
	v, id, fst, p := c.v, st.id, st.fst, st.fst.path
	mismatch := func(msg, alg, want, got string) {
		v.add(finding.Finding{Code: finding.CasepackMismatch, Path: bag.CasepackManifestPath, Message: msg, Algorithm: alg, Expected: want, Actual: got})
	}
	if !fst.hashed || v.modified[p] {
		return
	}
	if st.size != fst.size {
		mismatch(fmt.Sprintf("evidence %s: size of %q", id, p), "", fmt.Sprint(st.size), fmt.Sprint(fst.size))
	}
	for _, alg := range bag.Algorithms {
		if got := fst.digest(alg); got != "" && !c.entryIs(st, alg, got) {
			mismatch(fmt.Sprintf("evidence %s: %s of %q disagrees with the file and the BagIt manifests", id, algName(alg), p), alg, c.entry(st, alg), got)
		} else if s := manifestOf(c.pay, alg); got == "" && s != nil && s.present && !v.modified[s.name] {
			// Not recomputed: the file matched the other manifest,
			// and this one's line (the manifest matched the tag
			// manifests) stands for its digest. An entry that is
			// that line agrees with it.
			if _, ok := s.entries[p]; ok && st.own >= 0 && !s.lineIs(p, c.entry(st, alg)) {
				mismatch(fmt.Sprintf("evidence %s: %s of %q disagrees with %s", id, algName(alg), p, s.name), alg, c.entry(st, alg), s.line(p))
			}
		}
	}
}

// algName spells an algorithm as people read it: "SHA-256".
func algName(alg string) string {
	return strings.ToUpper(strings.Replace(alg, "sha", "sha-", 1))
}
