package assemble

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casepack/casepack/packager/fault"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/verify"
)

// EvidenceFile is one evidence file to put in the package.
type EvidenceFile struct {
	ID             string // evidence ID, e.g. "EV-0001"
	Src            string // the file in the case folder (read only)
	Dst            string // bag path, e.g. "data/evidence/EV-0001/video.mp4"
	DeclaredSHA256 string // digest declared at acquisition (hex); "" = none
	MediaType      string // e.g. "video/mp4"; recorded in casepack/manifest.json
	Withhold       bool   // public edition: hash it, list it as withheld, do not copy it
	// OriginalName is the file's name in the case when Dst gives it another
	// (build --rename-unsafe); recorded in casepack/manifest.json.
	OriginalName string
}

// GeneratedFile is a file Build generates: the narrative PDF, the
// annexes, the case data. A path under data/ is payload; any other path is
// a tag file (listed in the tag manifests).
//
// Build generates the files side by side, at most two at once (two
// generators' memory at a time, whatever the number of cores), each as
// soon as the files of its After are written: a generator that reads what
// another one makes names it in After. A file with NoEvidence is generated
// while the evidence is copied, the others once it is copied and hashed.
// The package's bytes do not depend on the order: each file is its
// generator's bytes, and the manifests are sorted.
type GeneratedFile struct {
	Path string
	// Generate writes the file's bytes to w. ev holds every evidence
	// result (withheld ones too), looked up by its bag path (Result.Dst);
	// it is nil for a file with NoEvidence.
	Generate func(ctx context.Context, w io.Writer, ev *Evidence) error
	// After lists the generated files (their Path, each listed earlier in
	// Spec.Files) whose Generate must have returned before this one's
	// starts.
	After []string
	// NoEvidence says Generate does not need the evidence results: it
	// runs while the evidence is copied (the case data, the schema), and
	// may be named in After by any file. It may not itself have an After.
	NoEvidence bool
	// Also lists further files of the package that Generate writes in the
	// same pass, each through w's CreateAlso (AlsoWriter): the annexes' CSV twins,
	// written row by row with the workbook instead of held in memory
	// until their turn (two of them are megabytes for 20,000 files). Each
	// must be created and closed before Generate returns.
	Also []string
}

// Evidence is what the evidence pass learnt, as each generator is handed
// it: the result of every evidence file, withheld ones too, in
// Spec.Evidence order, each looked up by its bag path, and the SHA-256 of
// casepack/manifest.json, which lists them and is written before the
// generated files (the covering letter quotes it). The lookup is a list
// of indexes sorted by path, 4 bytes a file: a map of paths to results
// held 3.75 MB at 20,000 photos while the annexes and narratives were
// made, the build's peak of live memory.
type Evidence struct {
	results  []evidence.Result
	byDst    []int32 // indexes of results, sorted by Dst
	manifest string  // SHA-256 of casepack/manifest.json, lowercase hex
	// build is set in the Evidence Build hands the generators: it hands
	// each the digests of the files of its After (Generated).
	build bool
	// after are the digests of the generated files the generator handed
	// this Evidence names in its After, and of their Also files, as
	// written into the package (generate).
	after map[string]digest.Digests
}

// NewEvidence is the Evidence of results (each Dst a bag path): what
// Build hands the generators, and what a caller running a generator on
// its own hands it.
func NewEvidence(results []evidence.Result) *Evidence {
	e := &Evidence{results: results, byDst: make([]int32, len(results))}
	for i := range e.byDst {
		e.byDst[i] = int32(i)
	}
	slices.SortStableFunc(e.byDst, func(a, b int32) int { return strings.Compare(results[a].Dst, results[b].Dst) })
	return e
}

// Lookup returns the result of the evidence file at bag path dst (the
// first, were two at one path); false when there is none or e is nil.
func (e *Evidence) Lookup(dst string) (evidence.Result, bool) {
	if e == nil {
		return evidence.Result{}, false
	}
	k, ok := slices.BinarySearchFunc(e.byDst, dst, func(i int32, dst string) int { return strings.Compare(e.results[i].Dst, dst) })
	if !ok {
		return evidence.Result{}, false
	}
	return e.results[e.byDst[k]], true
}

// CasepackManifestSHA256 is the SHA-256 (lowercase hex) of the
// casepack/manifest.json Build wrote ("" outside a build, or for a nil e).
func (e *Evidence) CasepackManifestSHA256() string {
	if e == nil {
		return ""
	}
	return e.manifest
}

// Generated returns the size and digests of the generated file rel as
// Build wrote it into the package, for a file the asking generator's
// GeneratedFile.After names or one of such a file's Also files: they were
// written before it started, and hashed as they were written, the bytes
// the manifests list. false for any other file, and outside a build (an
// Evidence of NewEvidence, a nil one).
func (e *Evidence) Generated(rel string) (digest.Digests, bool) {
	if e == nil {
		return digest.Digests{}, false
	}
	d, ok := e.after[rel]
	return d, ok
}

// HandsOnDigests reports whether e is one Build hands a generator: the
// digests of each generated file are then handed to every generator that
// names it in After (Generated), so a file that others quote need not be
// hashed by its own generator too (the annexes' workbook and CSV twins,
// which the narrative quotes: 16 MB at 20,000 photos).
func (e *Evidence) HandsOnDigests() bool { return e != nil && e.build }

// All returns every result, in Spec.Evidence order (nil for a nil e). The
// caller must not change them.
func (e *Evidence) All() []evidence.Result {
	if e == nil {
		return nil
	}
	return e.results
}

// Signer signs the exact bytes of tagmanifest-sha256.txt and returns the
// files to place under signatures/ (file name -> bytes). seq is the 1-based
// number of the signer in Spec.Signers.
type Signer interface {
	SignTagManifest(ctx context.Context, tagManifest []byte, seq int) (map[string][]byte, error)
}

// VerifyInstructor may be implemented by a Signer to add its own checking
// instructions (e.g. an openssl command) to VERIFY.txt. The text cannot
// contain the signature itself: VERIFY.txt is covered by the tag manifest the
// signature signs.
type VerifyInstructor interface {
	VerifyInstructions(seq int) string
}

// Beside is a file that goes beside the package folder, named after it
// (the covering letter): written once the package is written, so it can
// describe it (its tag manifest's digest), before it is verified, and put
// in place with the folder and the ZIP as one unit, once both are
// verified, so that neither a crash nor a failure leaves it beside
// another version of the package. Build lets Write go once it has run.
type Beside struct {
	// Suffix follows the package's name in the file's name
	// (".covering-letter.pdf").
	Suffix string
	// Write writes the file's bytes to w. pkg is the package folder as
	// written (not yet in place) and res describes it; its Dir and Zip are
	// not set yet.
	Write func(ctx context.Context, w io.Writer, pkg string, res *Result) error
}

// Spec is everything Build needs to know about one package.
type Spec struct {
	Name       string               // package folder name, a single safe path element
	Date       time.Time            // every timestamp in the package
	BagInfo    []bag.Field          // bag-info.txt fields; Build adds Bagging-Date and Payload-Oxum
	Evidence   []EvidenceFile       // in any order
	Files      []GeneratedFile      // generated in this order
	Manifest   bag.CasepackManifest // Build fills each evidence item's Files and Created
	VerifyText string               // appended to the generated VERIFY.txt
	// Check, when set, inspects the complete package folder dir before it
	// is verified and put in place; an error stops the build and removes
	// everything written.
	Check   func(ctx context.Context, dir string) error
	Signers []Signer
	// Beside lists the files that go beside the package folder.
	Beside []Beside
	// BesideEarlier lists the suffixes of files an earlier build of the
	// package may have put beside it that this one need not write (a
	// covering letter in a language no longer asked for). Left there they
	// would describe another package than the new folder, so they count as
	// the package's, like its ZIP: refused without Force, removed with it,
	// in the same unit.
	BesideEarlier []string
}

// targets are the entries of the output folder a build of the package
// puts in place: the folder, the ZIP (a ZIP left beside a new folder would
// disagree with it, so it counts even without Zip), the files beside.
func (s *Spec) targets() []string {
	t := []string{s.Name, s.Name + ".zip"}
	for _, b := range s.Beside {
		t = append(t, s.Name+b.Suffix)
	}
	for _, suffix := range s.BesideEarlier {
		if !slices.Contains(t, s.Name+suffix) {
			t = append(t, s.Name+suffix)
		}
	}
	return t
}

// Options tune Build.
type Options struct {
	OutDir   string                // where the package folder (and .zip) go; created if needed
	Zip      bool                  // also write <OutDir>/<Name>.zip
	Force    bool                  // replace an existing package (atomically)
	Workers  int                   // evidence files hashed at once; default one per core
	Progress func(digest.Progress) // evidence copy progress events (serialised)
	// VerifyProgress receives the progress of the verify-after-write pass
	// (and of the ZIP's, when Zip is set), which re-reads every payload byte.
	VerifyProgress func(digest.Progress)
	Checks         []verify.Check // extra checks for the verify-after-write (signatures)
	// Warn, when set, is told what an earlier build that was stopped
	// outright left in OutDir and what Build did about it.
	Warn func(msg string)
	// EvidenceDone, when set, is called once, when the evidence pass
	// ends, with its error (nil when every file was copied), before Build
	// returns that error: the caller turns the mismatches with declared
	// digests into findings while it still holds the case data, and need
	// not hold it for the rest of the build (packager.Build). Build lets
	// it go then, with what it holds.
	EvidenceDone func(err error)
	// Verifying, when set, is called once, when the files beside are
	// written, before the verify-after-write: the build then holds less
	// than while it made the generated files (packager.Build lowers the
	// memory limit for the rest of it).
	Verifying func()

	// fault injects failures into the file-system steps (tests only).
	fault func(op atomicfs.Op, from, to string) error
	// beforeReread is called with the bag path of each evidence copy,
	// once, before its bytes are first read back: before the evidence
	// pass reads back its first chunk as it is written, or, for a copy
	// not read back so, before it is re-read once complete (tests only).
	beforeReread func(dir, p string)
	// perFileSync syncs the package file by file even where one syncfs
	// would do (tests only: both ways must keep the same order).
	perFileSync bool
	// writeback is atomicfs.TreeOptions.Writeback (tests only).
	writeback func(name string, off, n int64)
}

// Result describes the package Build wrote.
type Result struct {
	Dir               string            `json:"dir"`
	Zip               string            `json:"zip,omitempty"`
	PayloadFiles      int               `json:"payload_files"`
	PayloadBytes      int64             `json:"payload_bytes"`
	EvidenceFiles     int               `json:"evidence_files"` // copied into the package
	WithheldFiles     int               `json:"withheld_files"` // hashed, listed, not copied
	TagManifestSHA256 string            `json:"tag_manifest_sha256"`
	Evidence          []evidence.Result `json:"evidence"`         // in Spec.Evidence order; Dst is the bag path
	Beside            []string          `json:"beside,omitempty"` // the Spec.Beside files, in order
	// Timings is the wall time of each phase, in order.
	Timings []Phase `json:"-"`
}

// Errors callers branch on.
var (
	ErrTargetExists = errors.New("package already exists")
	ErrInvalidSpec  = errors.New("invalid package spec")
)

// VerifyError is returned when the package Build wrote does not verify.
type VerifyError struct {
	Path   string
	Report *verify.Report
}

func (e *VerifyError) Error() string {
	n := len(e.Report.Errors())
	first := ""
	if n > 0 {
		f := e.Report.Errors()[0]
		first = fmt.Sprintf(": %s %s: %s", f.Code, f.Path, f.Message)
	}
	return fmt.Sprintf("the package written to %s failed verification (%d errors)%s", e.Path, n, first)
}

func specErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidSpec, fmt.Sprintf(format, args...))
}

// reserved reports whether a generated file may not use path p: Build writes
// these itself.
func reserved(p string) bool {
	switch {
	case p == "bagit.txt", p == "bag-info.txt", p == "fetch.txt", p == "VERIFY.txt", p == bag.CasepackManifestPath:
		return true
	case strings.HasPrefix(p, "signatures/"):
		return true
	case !strings.Contains(p, "/") && (strings.HasPrefix(p, "manifest-") || strings.HasPrefix(p, "tagmanifest-")):
		return true
	}
	return false
}

func (s *Spec) validate() error {
	if err := bag.CheckName(s.Name); err != nil {
		return specErr("package name: %v", err)
	}
	if s.Date.IsZero() {
		return specErr("no build date (set --date or SOURCE_DATE_EPOCH, or use the current time)")
	}
	if err := bag.CheckDate(s.Date); err != nil {
		return specErr("build date %v", err)
	}
	for _, b := range s.Beside {
		if n := s.Name + b.Suffix; b.Suffix == "" || b.Suffix == ".zip" || bag.CheckName(n) != nil || b.Write == nil {
			return specErr("file beside the package %q: not a name of its own, or no Write function", n)
		}
	}
	for _, suffix := range s.BesideEarlier {
		if n := s.Name + suffix; suffix == "" || suffix == ".zip" || bag.CheckName(n) != nil {
			return specErr("file beside the package %q: not a name of its own", n)
		}
	}
	for _, f := range s.BagInfo {
		if f.Label == bag.LabelBaggingDate || f.Label == bag.LabelPayloadOxum {
			return specErr("bag-info %s is set by Build", f.Label)
		}
	}
	seen := map[string]string{} // collision key -> path
	claim := func(p, what string) error {
		if err := bag.CheckPath(p); err != nil {
			return specErr("%s: %v", what, err)
		}
		k := bag.CollisionKey(p)
		if first, ok := seen[k]; ok {
			return specErr("%s: bag path %q is already used by %q", what, p, first)
		}
		seen[k] = p
		return nil
	}
	for _, e := range s.Evidence {
		what := "evidence " + e.ID
		if e.ID == "" || e.Src == "" {
			return specErr("evidence file %q: ID and source path are required", e.Dst)
		}
		if !strings.HasPrefix(e.Dst, "data/") {
			return specErr("%s: bag path %q must be under data/", what, e.Dst)
		}
		if err := claim(e.Dst, what); err != nil {
			return err
		}
		if d := e.DeclaredSHA256; d != "" {
			if _, err := hex.DecodeString(d); err != nil || len(d) != 64 {
				return specErr("%s: declared SHA-256 %q is not 64 hex digits", what, d)
			}
		}
	}
	for i, f := range s.Files {
		what := "generated file " + f.Path
		if f.Generate == nil {
			return specErr("%s: no Generate function", what)
		}
		if f.NoEvidence && len(f.After) > 0 {
			return specErr("%s: a file generated while the evidence is copied (NoEvidence) cannot wait for another (After)", what)
		}
		for _, a := range f.After {
			if !slices.ContainsFunc(s.Files[:i], func(g GeneratedFile) bool { return g.Path == a }) {
				return specErr("%s: it is to follow %q, which is not a generated file listed before it", what, a)
			}
		}
		for _, p := range append([]string{f.Path}, f.Also...) {
			if reserved(p) {
				return specErr("%s: the path %s is reserved for a file Build writes itself", what, p)
			}
			if err := claim(p, what); err != nil {
				return err
			}
		}
	}
	// A path cannot be both a file and a folder.
	for _, p := range seen {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if other, ok := seen[bag.CollisionKey(d)]; ok {
				return specErr("%q is a file but %q needs it to be a folder", other, p)
			}
		}
	}
	return nil
}

// Build writes the package described by spec into opt.OutDir. See the
// package documentation for the guarantees. Errors callers branch on:
// ErrInvalidSpec, ErrTargetExists, *evidence.DigestMismatch (an evidence
// file is not the one declared), *VerifyError, and the context's error when
// cancelled.
func Build(ctx context.Context, spec Spec, opt Options) (res *Result, err error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	outDir := opt.OutDir
	if outDir == "" {
		outDir = "."
	}
	out, err := openOut(outDir, &spec, &opt)
	if err != nil {
		return nil, err
	}
	defer func() { out.close(err) }()
	defer func() { err = out.notReplaced(err) }()
	tmp, err := out.mkdirTemp(spec.Name)
	if err != nil {
		return nil, err
	}

	// Every byte starts for the disk as it is written; the tree is synced
	// once, when complete, before it is verified and renamed into place.
	tree, err := atomicfs.OpenTree(tmp, atomicfs.TreeOptions{Fault: opt.fault, PerFile: opt.perFileSync, Writeback: opt.writeback})
	if err != nil {
		return nil, fault.IO(out.errPath(spec.Name), err)
	}
	defer tree.Close()
	b := &builder{spec: &spec, opt: &opt, dir: tmp, clock: newClock(), tree: tree,
		name: func(rel string) string { return out.errPath(path.Join(spec.Name, rel)) }}
	defer func() { b.reread.stop() }()
	res, err = b.write(ctx)
	if err != nil {
		return nil, err
	}
	// The files beside the package are written before the
	// verify-after-write, which needs nothing they need: what they hold
	// (through their Write functions, the case data: 12 MB for 20,000
	// photos) then goes before the verifier's own record of every file
	// comes on top, the build's peak. They are put in place only with the
	// package, once it is synced and verified; a failure removes them with
	// it. They are written while the package's last folders are dated
	// (finish; the evidence items' own folders were dated during the
	// evidence pass, itemFolders), which they do not touch: they go in
	// the output folder, and read of the package only what finish does
	// not change (casepack/manifest.json's bytes, res).
	bctx, cancelBeside := context.WithCancel(ctx)
	var besideErr error
	var beside []atomicfs.Change
	besideDone := make(chan struct{})
	besideStart := time.Now()
	// res is handed over, not read from the goroutine: a return below
	// sets it (Build's named result) while the goroutine may not have
	// started yet.
	go func(res *Result) {
		defer close(besideDone)
		beside, besideErr = out.writeBesides(bctx, tmp, tree, &spec, res, opt.Force)
	}(res)
	// Every return from here waits for them first: a failure removes what
	// they wrote (out.close, deferred above, reads out.temps).
	defer func() { cancelBeside(); <-besideDone }()
	if err := b.finish(ctx); err != nil {
		return nil, err
	}
	b.clock.mark("times and folders")
	if spec.Check != nil {
		// The caller's own check of what was written (the public
		// edition's leak check); a failure leaves nothing behind.
		if err := spec.Check(ctx, tmp); err != nil {
			return nil, err
		}
		spec.Check = nil // and what it holds (the case)
		b.clock.mark("caller's check")
	}
	<-besideDone
	if besideErr != nil {
		return nil, besideErr
	}
	written := len(beside)
	for _, t := range spec.targets()[2:] {
		if !slices.ContainsFunc(beside, func(c atomicfs.Change) bool { return c.Target == t }) {
			beside = append(beside, atomicfs.Change{Target: t, Replace: opt.Force}) // an earlier one: removed
		}
	}
	if written > 0 {
		// What is left of their time once the folders are dated; their
		// own, beside.
		b.clock.mark("files beside")
		b.clock.beside("write the files beside", time.Since(besideStart))
	}
	if v := opt.Verifying; v != nil {
		v()
	}
	if err := b.syncAndCheck(ctx); err != nil {
		return nil, err
	}
	b.clock.mark("sync to disk and verify after write")
	var tmpZip string
	if opt.Zip {
		if tmpZip, err = out.writeZip(ctx, tmp, &spec, opt); err != nil {
			return nil, err
		}
		b.clock.mark("zip, written and verified")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := out.publish(spec.Name, tmp, tmpZip, opt.Force, beside...); err != nil {
		return nil, err
	}
	b.clock.mark("publish")
	res.Dir = out.d.Join(spec.Name)
	if opt.Zip {
		res.Zip = out.d.Join(spec.Name + ".zip")
	}
	for _, c := range beside[:written] {
		res.Beside = append(res.Beside, out.d.Join(c.Target))
	}
	res.Timings = b.clock.phases
	return res, nil
}

// Phase is the wall time one step of a build took: where the time goes
// (`casepack build --timings`, the benchmarks).
type Phase struct {
	Name    string  `json:"phase"`
	Seconds float64 `json:"seconds"`
	// Beside marks the time of one task that ran beside others within
	// the phase before it (a generated file): it is part of that phase's
	// wall time, not added to it.
	Beside bool `json:"beside,omitempty"`
}

// clock cuts a build's wall time into phases.
type clock struct {
	phases []Phase
	last   time.Time
}

func newClock() *clock { return &clock{last: time.Now()} }

// beside records a task that took d within the phase marked last.
func (c *clock) beside(name string, d time.Duration) {
	c.phases = append(c.phases, Phase{Name: name, Seconds: d.Seconds(), Beside: true})
}

// mark ends the current phase under name and starts the next.
func (c *clock) mark(name string) {
	now := time.Now()
	c.phases = append(c.phases, Phase{Name: name, Seconds: now.Sub(c.last).Seconds()})
	c.last = now
}

type builder struct {
	spec *Spec
	opt  *Options
	dir  string
	// name is how errors name rel, a file of the package (see
	// outFolder.errPath); never by its place in dir, a temporary folder.
	name  func(rel string) string
	clock *clock
	tree  *atomicfs.Tree
	// reread proves the evidence copies hold the bytes hashed (read back
	// as written, or re-read) while the rest is generated.
	reread *reread
	// results are the evidence pass's, by job index (Result.Evidence).
	results []evidence.Result
	// written lists every file written, relative to dir (finish dates
	// their folders); mu guards it.
	mu      sync.Mutex
	written []string
	pay     [2]bag.Manifest // sha256, sha512
	tag     [2]bag.Manifest
	oxum    bag.Oxum
}

func (b *builder) addPayload(p string, d digest.Digests) {
	b.pay[0].Entries = append(b.pay[0].Entries, bag.Entry{Path: p, Digest: d.SHA256})
	b.pay[1].Entries = append(b.pay[1].Entries, bag.Entry{Path: p, Digest: d.SHA512})
	b.oxum.Bytes += d.Size
	b.oxum.Files++
}

// addGenerated lists the generated file p: payload under data/, else a
// tag file.
func (b *builder) addGenerated(p string, d digest.Digests) {
	if strings.HasPrefix(p, "data/") {
		b.addPayload(p, d)
	} else {
		b.addTag(p, d)
	}
}

func (b *builder) addTag(p string, d digest.Digests) {
	b.tag[0].Entries = append(b.tag[0].Entries, bag.Entry{Path: p, Digest: d.SHA256})
	b.tag[1].Entries = append(b.tag[1].Entries, bag.Entry{Path: p, Digest: d.SHA512})
}

func (b *builder) write(ctx context.Context) (*Result, error) {
	spec := b.spec
	b.pay = [2]bag.Manifest{{Alg: bag.SHA256}, {Alg: bag.SHA512}}
	b.tag = [2]bag.Manifest{{Alg: bag.SHA256}, {Alg: bag.SHA512}}

	// 1. Evidence: one streaming pass, copied and hashed. Each job is made
	// from the plan when the pass needs it, its copy's path the bag path
	// within the temporary folder (evidence.Options.Dir): neither a list
	// of jobs nor a full path for each copy is held through the pass.
	job := func(i int) evidence.Job {
		e := &spec.Evidence[i]
		j := evidence.Job{ID: e.ID, Src: e.Src, DeclaredSHA256: e.DeclaredSHA256}
		if !e.Withhold {
			j.Dst = e.Dst
		}
		return j
	}
	copies := 0
	for _, e := range spec.Evidence {
		if !e.Withhold {
			copies++
		}
	}
	folders := newItemFolders(spec, b.dir)
	// The files that do not need the evidence results (the case data) are
	// generated meanwhile, one at a time, on a core the evidence pass
	// leaves idle while it waits on the file system.
	gen := make([]generated, len(spec.Files))
	var early, late []int
	for i, f := range spec.Files {
		if f.NoEvidence {
			early = append(early, i)
		} else {
			late = append(late, i)
		}
	}
	ectx, cancelEarly := context.WithCancel(ctx)
	defer cancelEarly()
	earlyDone := make(chan error, 1)
	go func() { earlyDone <- b.generate(ectx, early, 1, nil, gen) }()
	// Each copy is read back as it is written (or, if that did not find
	// it equal, re-read as soon as it is complete).
	b.reread = startReread(ctx, b.dir, copies, len(spec.Evidence), b.opt.beforeReread)
	results, err := evidence.Copy(ctx, len(spec.Evidence), job, evidence.Options{Dir: b.dir, Workers: b.opt.Workers, Progress: b.opt.Progress,
		Flush: b.tree, ModTime: spec.Date, Copied: func(i int, r evidence.Result) {
			folders.copied(i, spec.Evidence[i].Dst)
			b.reread.add(copied{i: i, path: spec.Evidence[i].Dst, size: r.Size, sha256: r.Sum256, readBack: r.ReadBack})
		}, ReadBack: true, BeforeReadBack: b.reread.beforeReadBack(func(i int) string { return spec.Evidence[i].Dst })})
	b.reread.finish()
	if done := b.opt.EvidenceDone; done != nil {
		b.opt.EvidenceDone = nil
		done(err)
	}
	if err != nil {
		// The evidence's failure is the build's, as when nothing was
		// generated before it; nothing may still be writing into the
		// folder when it is removed.
		cancelEarly()
		<-earlyDone
		return nil, err
	}
	if err := <-earlyDone; err != nil {
		return nil, err
	}
	if err := folders.failed(); err != nil {
		return nil, fault.IO(b.name(""), err)
	}
	b.wrote(folders.written(spec)...)
	folders = nil
	// The disk writes the copies while the rest is generated and checked
	// (atomicfs.Tree.Flush); the sync before the rename waits only for
	// what is left.
	b.tree.Flush()
	b.clock.mark("evidence")
	b.besidePhases(early, gen)
	res := &Result{Evidence: results}
	b.results = results
	for i := range results {
		results[i].Dst = spec.Evidence[i].Dst
		if results[i].Withheld {
			res.WithheldFiles++
			continue
		}
		res.EvidenceFiles++
		// Counted now; listed in the payload manifests when they are
		// written (step 3), so that their lines are not held while the
		// rest is generated.
		b.oxum.Bytes += results[i].Size
		b.oxum.Files++
	}

	// 2. casepack/manifest.json lists the evidence alone: it is written
	// now, so that the plan's lists of evidence files (each file's entry,
	// the manifest's items: megabytes for 20,000 files) go before the
	// generated files, the build's peak, and the covering letter is
	// handed its digest. Build was handed its own copy of the Spec, so
	// only that copy lets them go; the results keep what the manifests
	// and the report need.
	d, err := b.stream(bag.CasepackManifestPath, func(w io.Writer) error {
		if err := WriteCasepackManifest(w, *spec, func(i int) evidence.Result { return results[i] }); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidSpec, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.addTag(bag.CasepackManifestPath, d)
	spec.Evidence, spec.Manifest.Evidence = nil, nil
	ev := NewEvidence(results)
	ev.manifest, ev.build = d.SHA256, true

	// 3. The other generated files, side by side; each may use the
	// evidence digests. They are listed in Spec order.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := b.generate(ctx, late, generators, ev, gen); err != nil {
		return nil, err
	}
	if len(late) > 0 {
		b.clock.mark("generate")
		b.besidePhases(late, gen)
	}
	for i, g := range spec.Files {
		b.addGenerated(g.Path, gen[i].d)
		for j, p := range g.Also {
			b.addGenerated(p, gen[i].also[j])
		}
	}
	ev, gen = nil, nil
	// The generators are done: what they hold (through their closures,
	// the case as the edition shows it, the annexes' digests) goes before
	// the manifests and the verify-after-write, the build's peak.
	spec.Files = nil
	res.PayloadFiles, res.PayloadBytes = int(b.oxum.Files), b.oxum.Bytes

	// 4. BagIt files, each written as it is made: the
	// manifests of tens of thousands of files are never held as bytes.
	info, err := bag.MarshalBagInfo(b.bagInfo())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSpec, err)
	}
	for i := range b.pay {
		b.pay[i].Entries = slices.Grow(b.pay[i].Entries, res.EvidenceFiles)
	}
	for i := range results {
		if r := &results[i]; !r.Withheld {
			sha256, sha512 := hexSums(r)
			b.pay[0].Entries = append(b.pay[0].Entries, bag.Entry{Path: r.Dst, Digest: sha256})
			b.pay[1].Entries = append(b.pay[1].Entries, bag.Entry{Path: r.Dst, Digest: sha512})
		}
	}
	tagFiles := []struct {
		path  string
		write func(w io.Writer) error
	}{
		{"bagit.txt", bytesTo([]byte(bag.BagitTxt))},
		{"bag-info.txt", bytesTo(info)},
		{bag.ManifestName(b.pay[0].Alg), b.pay[0].Write},
		{bag.ManifestName(b.pay[1].Alg), b.pay[1].Write},
		{"VERIFY.txt", bytesTo(b.verifyText())},
	}
	for _, t := range tagFiles {
		d, err := b.stream(t.path, t.write)
		if err != nil {
			return nil, err
		}
		b.addTag(t.path, d)
	}
	b.pay = [2]bag.Manifest{}
	// Nothing after this reads bag-info's fields or the manifest's
	// header, which are the case's strings: they would keep the case
	// data's bytes through the verify-after-write.
	spec.BagInfo, spec.Manifest = nil, bag.CasepackManifest{}
	var tm256 []byte
	for i := range b.tag {
		data, err := b.tag[i].Marshal()
		if err != nil {
			return nil, err
		}
		if err := b.writeFile(bag.TagManifestName(b.tag[i].Alg), data); err != nil {
			return nil, err
		}
		if i == 0 {
			tm256 = data
		}
	}
	res.TagManifestSHA256 = digest.SHA256(tm256)
	b.clock.mark("manifests and tag files")

	// 5. Signatures over the exact bytes of tagmanifest-sha256.txt.
	written := map[string]bool{}
	for i, s := range spec.Signers {
		files, err := s.SignTagManifest(ctx, tm256, i+1)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %w", i+1, err)
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if err := bag.CheckName(n); err != nil || written[n] {
				return nil, fmt.Errorf("signer %d: signature file name %q is unsafe or already used", i+1, n)
			}
			written[n] = true
			if err := b.writeFile("signatures/"+n, files[n]); err != nil {
				return nil, err
			}
		}
	}
	if len(spec.Signers) > 0 {
		b.clock.mark("signatures")
	}
	return res, nil
}

// stream writes the package file rel with write, hashing it as it goes.
func (b *builder) stream(rel string, write func(w io.Writer) error) (d digest.Digests, err error) {
	f, err := b.create(rel)
	if err != nil {
		return d, err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	h := digest.New()
	ew := &errWriter{w: io.MultiWriter(bw, h)}
	gerr := write(ew)
	if ew.err != nil {
		// The write failed (a full disk), whatever the generator made of it.
		f.Close()
		return d, b.ioErr(rel, ew.err)
	}
	if gerr != nil {
		f.Close()
		return d, fmt.Errorf("%s: %w", rel, gerr)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return d, b.ioErr(rel, err)
	}
	d = h.Sum()
	return d, b.done(rel, f, d.Size)
}

// alsoFiles is the writer a Generate with GeneratedFile.Also is handed:
// its own file's bytes go to w, and CreateAlso opens the others.
type alsoFiles struct {
	w     io.Writer
	b     *builder
	paths []string
	open  []*alsoFile // by index in paths; nil until created
	sums  []digest.Digests
}

func (a *alsoFiles) Write(p []byte) (int, error) { return a.w.Write(p) }

// alsoFile is one file of GeneratedFile.Also being written.
type alsoFile struct {
	rel    string
	f      *os.File
	bw     *bufio.Writer
	h      *digest.Hasher
	err    error // the first write error
	closed bool
	sum    digest.Digests
}

// AlsoWriter is the writer Build hands a Generate that has
// GeneratedFile.Also: it takes the file's own bytes, and creates each of
// the others.
type AlsoWriter interface {
	io.Writer
	// CreateAlso creates the package file rel, one of GeneratedFile.Also.
	// Closing it finishes the file: its bytes are hashed as written and
	// listed in the manifests like any generated file's. Each may be
	// created once.
	CreateAlso(rel string) (io.WriteCloser, error)
}

func (a *alsoFiles) CreateAlso(rel string) (io.WriteCloser, error) {
	i := slices.Index(a.paths, rel)
	if i < 0 {
		return nil, fmt.Errorf("%s: not one of the files this generator declared (GeneratedFile.Also)", rel)
	}
	if a.open == nil {
		a.open = make([]*alsoFile, len(a.paths))
	}
	if a.open[i] != nil {
		return nil, fmt.Errorf("%s: created twice", rel)
	}
	f, err := a.b.create(rel)
	if err != nil {
		return nil, err
	}
	af := &alsoFile{rel: rel, f: f, bw: bufio.NewWriterSize(f, 64<<10), h: digest.New()}
	a.open[i] = af
	return af, nil
}

func (f *alsoFile) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.closed {
		return 0, fmt.Errorf("%s: written after it was closed", f.rel)
	}
	n, err := f.bw.Write(p)
	f.h.Write(p[:n])
	if err != nil {
		f.err = err
	}
	return n, err
}

// Close flushes the file; finish hands it to the tree.
func (f *alsoFile) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	if f.err == nil {
		f.err = f.bw.Flush()
	}
	f.sum = f.h.Sum()
	return f.err
}

// finish ends the generation with gerr, Generate's own error: every file
// of Also must have been written and closed. A write error names its file
// (a full disk), whatever the generator made of it. The files of a failed
// generation are closed, not finished: the build is failing.
func (a *alsoFiles) finish(gerr error) error {
	for i, f := range a.open {
		if f != nil && f.err != nil {
			gerr = a.b.ioErr(a.paths[i], f.err)
			break
		}
	}
	for i, p := range a.paths {
		if gerr != nil {
			break
		}
		if a.open == nil || a.open[i] == nil {
			gerr = fmt.Errorf("%s was not written", p)
		} else if !a.open[i].closed {
			gerr = fmt.Errorf("%s was not closed", p)
		}
	}
	for i, f := range a.open {
		if f == nil {
			continue
		}
		if gerr != nil {
			f.f.Close()
			continue
		}
		if err := a.b.done(a.paths[i], f.f, f.sum.Size); err != nil {
			gerr = err // the rest are closed, not finished
			continue
		}
		a.sums = append(a.sums, f.sum)
	}
	return gerr
}

// bytesTo writes data.
func bytesTo(data []byte) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// errWriter remembers a write error a generator might drop.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// bagInfoRank orders bag-info.txt as packager/FORMAT.md §3 lists it; other labels
// follow in the order given.
var bagInfoRank = []string{
	"Source-Organization", "Contact-Name", "Contact-Email", "External-Identifier",
	"External-Description", bag.LabelBaggingDate, "Bag-Group-Identifier", bag.LabelPayloadOxum,
}

func (b *builder) bagInfo() []bag.Field {
	fields := slices.Clone(b.spec.BagInfo)
	fields = append(fields,
		bag.Field{Label: bag.LabelBaggingDate, Value: b.spec.Date.UTC().Format(time.DateOnly)},
		bag.Field{Label: bag.LabelPayloadOxum, Value: b.oxum.String()})
	rank := func(f bag.Field) int {
		if i := slices.Index(bagInfoRank, f.Label); i >= 0 {
			return i
		}
		return len(bagInfoRank)
	}
	slices.SortStableFunc(fields, func(x, y bag.Field) int { return rank(x) - rank(y) })
	return fields
}

// WriteCasepackManifest writes casepack/manifest.json for spec to w, given
// the result of copying each of spec.Evidence (by index), item by item
// (bag.CasepackManifest.Write). A generated file may quote its digest —
// the covering letter does — since the manifest lists evidence only: Build
// writes exactly these bytes.
func WriteCasepackManifest(w io.Writer, spec Spec, result func(i int) evidence.Result) error {
	m := spec.Manifest
	if m.Created == "" {
		m.Created = spec.Date.UTC().Format(time.RFC3339)
	}
	// The manifest's items in order of ID (indexes in m.Evidence), and the
	// files in order of ID and bag path (indexes in spec.Evidence): each
	// item, its files' entries and their digests in hex are made only as
	// it is written (bag.CasepackManifest.WriteItems), not for every file
	// at once (7.5 MB at 20,000 photos on top of the plan: the build's most
	// live heap).
	items := make([]int32, len(m.Evidence))
	for i := range items {
		items[i] = int32(i)
	}
	slices.SortStableFunc(items, func(a, b int32) int { return strings.Compare(m.Evidence[a].ID, m.Evidence[b].ID) })
	files := make([]int32, len(spec.Evidence))
	for i := range files {
		files[i] = int32(i)
	}
	slices.SortStableFunc(files, func(a, b int32) int {
		x, y := &spec.Evidence[a], &spec.Evidence[b]
		return cmp.Or(strings.Compare(x.ID, y.ID), strings.Compare(x.Dst, y.Dst))
	})
	// What is written: each item with the run of its files, and an item
	// of its ID alone for files whose ID has none. Of items of one ID
	// (which the writing refuses) the last has the files.
	type entry struct {
		item      int32 // in m.Evidence; -1: none
		from, end int32 // its run in files
	}
	list := make([]entry, 0, len(items))
	for k, f := 0, 0; k < len(items) || f < len(files); {
		run := f
		if f < len(files) {
			id := spec.Evidence[files[f]].ID
			for run = f; run < len(files) && spec.Evidence[files[run]].ID == id; run++ {
			}
			if k == len(items) || id < m.Evidence[items[k]].ID {
				list = append(list, entry{item: -1, from: int32(f), end: int32(run)})
				f = run
				continue
			}
			if id != m.Evidence[items[k]].ID || k+1 < len(items) && m.Evidence[items[k+1]].ID == id {
				run = f // not this item's files, or not its last of the ID
			}
		}
		list = append(list, entry{item: items[k], from: int32(f), end: int32(run)})
		f = max(f, run)
		k++
	}
	var it bag.EvidenceItem
	var entries []bag.ManifestFile
	return m.WriteItems(w, len(list), func(i int) *bag.EvidenceItem {
		e := list[i]
		if e.item >= 0 {
			it = m.Evidence[e.item]
		} else {
			it = bag.EvidenceItem{ID: spec.Evidence[files[e.from]].ID}
		}
		entries = entries[:0]
		for _, j := range files[e.from:e.end] {
			f, r := &spec.Evidence[j], result(int(j))
			sha256, sha512 := hexSums(&r)
			entries = append(entries, bag.ManifestFile{
				Path: f.Dst, OriginalName: f.OriginalName, Size: r.Size, MediaType: f.MediaType, SHA256: sha256, SHA512: sha512, Withheld: f.Withhold,
			})
		}
		it.Files = entries
		return &it
	})
}

// hexSums is r's SHA-256 and SHA-512 in hex, made in one string: one
// allocation of the two digests' hex, where r.SHA256 and r.SHA512 make
// four, twice as much. The payload manifests and casepack/manifest.json
// each ask for every file's, 40,000 times at 20,000 photos, with the
// build's memory limit binding (packager/case.go): 7.7 MB less to
// collect.
func hexSums(r *evidence.Result) (string, string) {
	var s strings.Builder
	s.Grow(hex.EncodedLen(len(r.Sum256) + len(r.Sum512)))
	var buf [2 * len(r.Sum512)]byte // the hex of a SHA-512, on the stack
	s.Write(hex.AppendEncode(buf[:0], r.Sum256[:]))
	s.Write(hex.AppendEncode(buf[:0], r.Sum512[:]))
	h := s.String()
	return h[:hex.EncodedLen(len(r.Sum256))], h[hex.EncodedLen(len(r.Sum256)):]
}

func (b *builder) verifyText() []byte {
	var w bytes.Buffer
	info := b.bagInfo()
	fmt.Fprintf(&w, "How to check this package without casepack\n")
	fmt.Fprintf(&w, "============================================\n\n")
	fmt.Fprintf(&w, "Package:      %s\n", b.spec.Name)
	for _, l := range []struct{ label, name string }{
		{bag.LabelExternalID, "Submission:   "}, {bag.LabelEdition, "Edition:      "}, {bag.LabelBaggingDate, "Bagging date: "},
	} {
		if v, ok := bag.Lookup(info, l.label); ok {
			fmt.Fprintf(&w, "%s%s\n", l.name, v)
		}
	}
	w.WriteString(strings.ReplaceAll(`
This folder is a BagIt bag (RFC 8493). Every file under data/ (the payload)
is listed with its SHA-256 and SHA-512 digest in manifest-sha256.txt and
manifest-sha512.txt. Every other file except the signatures is listed in
tagmanifest-sha256.txt and tagmanifest-sha512.txt.

Run these commands in bash from the folder that holds this package, with PKG
set to the package folder's name:

     PKG='NAME'

Keep what you add (CA.pem, TSA-CA.pem, an NSS database for pdfsig) beside the
package, not inside it, or work on a copy: casepack verify reports every file
added inside a package as CP-BAG-EXTRA, as it would a planted one. On macOS
use "shasum -a 256 -c" and "shasum -a 512 -c" instead of sha256sum and
sha512sum.

1. The metadata and manifests are unchanged:

     (cd "$PKG" && sha256sum -c tagmanifest-sha256.txt)
     (cd "$PKG" && sha512sum -c tagmanifest-sha512.txt)

2. Every payload file is unchanged:

     (cd "$PKG" && sha256sum -c manifest-sha256.txt)
     (cd "$PKG" && sha512sum -c manifest-sha512.txt)

   Every line must end in "OK"; a "FAILED" line names the changed file.

3. No payload file was added (prints nothing when none was):

     (cd "$PKG" && diff <(find data -type f | LC_ALL=C sort) <(cut -c67- manifest-sha256.txt))

Names containing %, CR or LF are written percent-encoded (%25, %0D, %0A) in
the manifests, as RFC 8493 requires; sha256sum cannot check such a name
directly. casepack/manifest.json lists every evidence file with both digests,
including files withheld from this edition ("withheld": true), so a file
disclosed later can be shown to be the same file with sha256sum.
`, "NAME", b.spec.Name))
	if n := len(b.spec.Signers); n > 0 {
		fmt.Fprintf(&w, "\n4. Signatures: signatures/ holds %d detached signature(s) over the exact\n   bytes of tagmanifest-sha256.txt; checking one proves steps 1 and 2 cover\n   what the signer signed.\n", n)
		for i, s := range b.spec.Signers {
			if vi, ok := s.(VerifyInstructor); ok {
				if t := vi.VerifyInstructions(i + 1); t != "" {
					w.WriteString("\n" + strings.TrimRight(t, "\n") + "\n")
				}
			}
		}
	}
	if t := strings.TrimSpace(b.spec.VerifyText); t != "" {
		w.WriteString("\n" + t + "\n")
	}
	return w.Bytes()
}

// ioErr describes a failure to write rel, a file of the package, naming it
// as outFolder.errPath does (the temporary folder is no name for a user).
func (b *builder) ioErr(rel string, err error) error {
	return fault.IO(b.name(rel), err)
}

// create starts the package file rel.
func (b *builder) create(rel string) (*os.File, error) {
	name := filepath.Join(b.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, b.ioErr(rel, err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, b.ioErr(rel, err)
	}
	return f, nil
}

// done hands the finished package file rel, of size bytes, to the tree,
// which dates it with the build date and makes it durable before the
// package is renamed into place. Its write-back starts now under
// atomicfs.Tree.Wrote's rule for evidence copies: not for a file within
// its first MiB, which the kernel and the final sync write. Asked of
// every file, the hint (sync_file_range) can wait for a disk busy with
// the evidence pass's write-back: on the bench set, whose generated files
// are all under a MiB, 0.24 s of the workbook's 0.53 s (go tool trace),
// and 0.81 s in one build of eleven (strace -T).
func (b *builder) done(rel string, f *os.File, size int64) error {
	b.wrote(rel)
	if size > 0 {
		b.tree.Wrote(f, 0, size)
	}
	if err := b.tree.Done(f, b.spec.Date); err != nil {
		return b.ioErr(rel, err)
	}
	return nil
}

// wrote records files written, for finish; generators call it side by
// side.
func (b *builder) wrote(rel ...string) {
	b.mu.Lock()
	b.written = append(b.written, rel...)
	b.mu.Unlock()
}

// writeFile writes a small file in the package.
func (b *builder) writeFile(rel string, data []byte) error {
	f, err := b.create(rel)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return b.ioErr(rel, err)
	}
	return b.done(rel, f, int64(len(data)))
}

// finish dates every folder with the build date (so two builds are
// identical), deepest first, once nothing more is created in it; the files
// were dated as they were handed to the tree, and the folders that hold
// only evidence copies as the evidence pass completed them (itemFolders:
// b.written names such a folder in place of its copies). The folders of
// one depth are dated on every core.
func (b *builder) finish(ctx context.Context) error {
	seen := map[string]bool{".": true}
	for _, p := range b.written {
		for d := path.Dir(p); !seen[d]; d = path.Dir(d) {
			seen[d] = true
		}
	}
	dirs := slices.Collect(maps.Keys(seen))
	slices.SortFunc(dirs, func(x, y string) int { return strings.Count(y, "/") - strings.Count(x, "/") })
	// "." has no slash, like the top folders: it sorts among them; it must
	// be last, after every entry in it.
	dirs = append(slices.DeleteFunc(dirs, func(d string) bool { return d == "." }), ".")
	date := b.spec.Date
	for len(dirs) > 0 {
		// dirs[:n]: one depth, none inside another.
		depth := strings.Count(dirs[0], "/")
		n := 1
		for n < len(dirs) && dirs[n] != "." && strings.Count(dirs[n], "/") == depth {
			n++
		}
		level := dirs[:n]
		err := digest.Each(ctx, len(level), b.opt.Workers, func(_ context.Context, i int) error {
			return os.Chtimes(filepath.Join(b.dir, filepath.FromSlash(level[i])), date, date)
		})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fault.IO(b.name(""), err)
		}
		dirs = dirs[n:]
	}
	return nil
}

// syncAndCheck makes the package durable and verifies it, side by side:
// the sync waits on the disk, the verify-after-write on the CPU, and
// neither needs the other (the verify reads the files as the file system
// holds them, synced or not). Both must succeed before the package may be
// put in place; a sync failure is reported first.
func (b *builder) syncAndCheck(ctx context.Context) error {
	synced := make(chan error, 1)
	go func() { synced <- b.tree.Sync() }()
	cerr := checkWritten(ctx, b.dir, *b.opt, hashedLookup(b.results, b.reread.wait()))
	if err := <-synced; err != nil {
		return fault.IO(b.name(""), err)
	}
	return cerr
}

// checkWritten runs the verifier on what Build wrote. Payload bytes were
// hashed with both algorithms as they were written; reading them back
// equal to those bytes (or re-reading them with SHA-256) proves the stored
// bytes are those bytes, so SHA-512 is not recomputed (it would double the
// cost for no extra assurance here).
func checkWritten(ctx context.Context, p string, opt Options, hashed func(p string) (digest.Digests, bool)) error {
	pkg, err := verify.Open(p)
	if err != nil {
		return fmt.Errorf("checking the package after writing it: %w", err)
	}
	defer pkg.Close()
	rep, err := verify.Verify(ctx, pkg, verify.Options{Workers: opt.Workers, Hashed: hashed, Checks: opt.Checks, Progress: opt.VerifyProgress})
	if err != nil {
		return fmt.Errorf("checking the package after writing it: %w", err)
	}
	if !rep.Intact() {
		return &VerifyError{Path: p, Report: rep}
	}
	return nil
}

// writeZip writes the ZIP of the package folder dir beside it under a
// temporary name, verifies it, and returns that name.
func (o *outFolder) writeZip(ctx context.Context, dir string, spec *Spec, opt Options) (string, error) {
	// Errors name the ZIP the user asked for, not the temporary file.
	zipName := o.errPath(spec.Name + ".zip")
	f, err := o.d.Create(spec.Name+".zip", atomicfs.FileOptions{Perm: 0o644, Replace: true, ModTime: spec.Date})
	if err != nil {
		return "", fault.IO(zipName, err)
	}
	o.temps = append(o.temps, f.TempName())
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fault.IO(zipName, err)
	}
	defer root.Close()
	bw := bufio.NewWriterSize(&ctxWriter{ctx: ctx, w: f}, 1<<20)
	if err := bag.WriteZip(bw, root.FS(), spec.Name, spec.Date); err != nil {
		f.Abort()
		return "", fault.IO(zipName, err)
	}
	if err := bw.Flush(); err != nil {
		f.Abort()
		return "", fault.IO(zipName, err)
	}
	if err := f.Seal(); err != nil {
		return "", fault.IO(zipName, err)
	}
	if err := checkWritten(ctx, f.Name(), opt, nil); err != nil {
		return "", err
	}
	return f.TempName(), nil
}

// writeBesides writes the files beside the package (spec.Beside), each
// under a temporary name, and returns their changes for publish. It lets
// each Write go once it has run (the caller's spec.Beside is its own).
// They are written before the package's tree is synced (tree, which syncs
// the package folder dir) and put in place only after it: where that
// sync is one syncfs of the file system that holds them too, it is
// theirs (atomicfs.File.SealIn), and none waits in an fsync of its own
// for the write-back of the evidence copies.
func (o *outFolder) writeBesides(ctx context.Context, dir string, tree *atomicfs.Tree, spec *Spec, res *Result, force bool) ([]atomicfs.Change, error) {
	var beside []atomicfs.Change
	for i, bs := range spec.Beside {
		t, err := o.writeBeside(ctx, dir, tree, spec, bs, res)
		if err != nil {
			return nil, err
		}
		beside = append(beside, atomicfs.Change{New: t, Target: spec.Name + bs.Suffix, Replace: force})
		if i == 0 {
			spec.Beside = slices.Clone(spec.Beside) // the caller's are its own
		}
		spec.Beside[i].Write = nil
	}
	return beside, nil
}

// writeBeside writes a file beside the package under a temporary name, for
// publish.
func (o *outFolder) writeBeside(ctx context.Context, dir string, tree *atomicfs.Tree, spec *Spec, bs Beside, res *Result) (string, error) {
	name := spec.Name + bs.Suffix
	f, err := o.d.Create(name, atomicfs.FileOptions{Perm: 0o644, Replace: true, ModTime: spec.Date})
	if err != nil {
		return "", fault.IO(o.errPath(name), err)
	}
	o.temps = append(o.temps, f.TempName())
	if err := bs.Write(ctx, f, dir, res); err != nil {
		f.Abort()
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return "", fault.IO(o.errPath(name), err) // not the temporary name
		}
		return "", err
	}
	if err := f.SealIn(tree); err != nil {
		return "", fault.IO(o.errPath(name), err)
	}
	return f.TempName(), nil
}

// ctxWriter stops the ZIP writer when the build is cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
