package packager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
)

// loadCase loads and validates the case at path, with the errors of finding
// a case file classed and worded for the user.
func loadCase(ctx context.Context, path string, opt schema.Options) (*schema.Document, []finding.Finding, error) {
	doc, findings, err := caseform.LoadAndValidate(ctx, path, opt)
	if err != nil {
		return nil, nil, caseError(path, err)
	}
	return doc, findings, nil
}

// caseError gives the errors of finding a case file their class and hint.
func caseError(path string, err error) error {
	var two *caseform.TwoFilesError
	var unknown *caseform.UnknownFormError
	switch {
	case errors.Is(err, schema.ErrNotFound):
		return fault.New(fault.Operational, fmt.Errorf("%s: no such case folder or case file", path),
			"give the folder that holds case.xlsx, case.yaml or case.json, e.g. casepack validate samples/la-vega")
	case errors.As(err, &two):
		return fault.New(fault.Usage, err, two.Hint())
	case errors.As(err, &unknown):
		return fault.New(fault.Usage, err, "give a case folder, or a file named case.json, case.yaml or case.xlsx")
	}
	return err
}

func validate(ctx context.Context, casePath string, opt ValidateOptions) (*ValidateReport, error) {
	_, printable, err := fonts(opt.Fonts)
	if err != nil {
		return nil, err
	}
	doc, findings, err := loadCase(ctx, casePath, schema.Options{SkipHashes: opt.SkipHashes, Workers: opt.Workers, Printable: printable, Checklist: true})
	if err != nil {
		return nil, err
	}
	nerr, nwarn := finding.Count(findings)
	if findings == nil {
		findings = []finding.Finding{}
	}
	rep := &ValidateReport{File: doc.Path, Valid: nerr == 0, Errors: nerr, Warnings: nwarn, Findings: findings}
	if opt.Checklist && doc.Case != nil {
		rep.Checklist = schema.NewChecklist(doc.Case)
	}
	if nerr > 0 {
		return rep, invalidCase("")
	}
	return rep, nil
}

// Work is what a process is about to do with a case, for SetMemoryLimit.
type Work int

const (
	// Validating holds the file, its generic tree and the typed model:
	// 7 bytes per byte of case.json (measured on a 79 MB case: 888 MB
	// peak without a limit, 623 MB with, for about 10% more CPU).
	Validating Work = 7
	// Building also holds what the build learnt of every evidence file
	// and writes the generated files, each streamed: buildPerByte (6) per
	// byte, over buildBase rather than 32 MiB (its value only tells it
	// from Validating). A build of 20,000 photos (5.5 MB of
	// case.json, scripts/bench-package.sh) peaks at 31-34 MB live
	// (gctrace: the generated files; 35-37 MB before it let go of the
	// case's bytes and the verifier of the manifests' text, 48-51 MB
	// before it let go of the case data, the plan and the re-read's map
	// first; 26-27 MB mean while the generated files are made, forced GC
	// every 25 ms, since the workbook is told its files a window at a
	// time and the results hold their digests as bytes: see buildBase),
	// 100,000 photos (27.6 MB) at 121-144 MB before those two. The limit
	// (then 51.5 and 178 MiB) held them at 72-73 and about 210 MiB of RSS for 10-12 more
	// collections (43-46 and 37 against 33-35 and 28-31 at 7 per byte,
	// user CPU within the noise at 20,000); 10 per byte over 24 MiB let
	// them reach 98 and 308 MiB; 5 per byte held the 100,000 at 197 MiB
	// for three times the user CPU (1,367 collections against 42).
	Building Work = 10
)

// buildPerByte is a build's bytes per byte of case.json, over buildBase.
const buildPerByte = 6

// buildBase is what a build's limit allows besides what grows with the
// case: the schema, the fonts and templates, the read and write buffers.
// It was 20 MiB until the build stopped holding a list of every file for
// the workbook and each file's digests in hex, then 17.5 MiB (49.0 for
// 20,000 photos). The limit, not the live heap, sets a build's peak: it
// binds in every phase of a build of 20,000 photos, from validation on
// (runtime/metrics: the runtime's mapped and unreleased memory sits at the
// limit and RssAnon 1-4 MiB below it, runtime metadata and the memory
// profiler's table being counted before they are touched), and the
// program's own code adds 19-22 MiB of RssFile. Of that memory at 49.0
// MiB, heap objects were 26-37 MB, free slots in their spans 3-4 MiB (up
// to 9.5 in the verify-after-write, before it held less), free pages 0-10
// MiB, runtime metadata about 4.5 MiB, stacks 0.6 MiB. No transparent
// huge page was resident (the runtime does not ask for them), and the
// scavenger kept the mapped memory at the limit but where the collector
// fell behind a phase's first allocations (by 1-4 MiB). Once the evidence
// pass and the verify-after-write held less (live heap at most 23 and
// 25.5 MB; the generated files up to 31), 12.5 MiB gives 20,000 photos
// 44.0 MiB: peak RSS 62.7-62.9 against 66.6-67.5 MiB (RssAnon 40.9-41.1
// against 45.0-45.9), 47-48 collections against 34-36 and about 4% more
// user CPU (3.93-4.27 s against 3.56-4.10 s), five interleaved pairs
// against main at 8ba94a1, load 2.5-8. At 44-44.5 MiB, before the
// verify-after-write held less, 2 builds in about 20 had one collection
// run 263 ms while the heap grew by 19 MB (peaks of 78 and 88 MiB); none
// in 16 since, nor in about 20 at 49.0 MiB. 100,000 photos (26.3 MiB of case.json)
// get 170.3 MiB, 5 less than before.
const buildBase = 25 << 19 // 12.5 MiB

// buildFloor is the least limit a build gets, however small its case: what
// the generated files hold at once (the workbook's compressors, the PDF
// fonts; 12-16 MB live for the bench set's 2,009 files) does not shrink
// with the case. The bench set's limit was 23.4 MiB (buildBase plus its
// case), which left the collector a heap goal of 11-15 MB: 30-42
// collections while the files were generated, 77-80 in the whole build
// (GODEBUG=gctrace=1). At 32 MiB it runs 27 times in all, 9 of them there,
// for 1.1 s less user CPU and about 7 MiB more peak RSS (44.6 -> 51.8
// MiB; 62 MiB with no limit). A case of 20,000 photos gets more anyway.
const buildFloor = 32 << 20

// buildOtherForm is a build's bytes per byte of a case.yaml (and, six
// times, of a workbook), over 32 MiB.
const buildOtherForm = 12

// SetMemoryLimit sets the process's soft heap limit for work on the case
// at casePath: 32 MiB (buildBase, 12.5 MiB, for a build) plus w bytes per byte of the case file (for a
// workbook, which is zipped XML, six times as much to build it, and 24
// bytes per byte to validate or convert it: validation never holds a
// workbook's whole generic tree, only its rows, the typed model and the
// Canonical bytes — the 10.7 MB workbook of 100,000 persons of
// scripts/bench-forms.sh gets 277 MiB, and peaks at 291–298 MiB of RSS for
// 15–25% more CPU than with 390 MiB), unless GOMEMLIMIT says otherwise (a build
// makes sure of room for each evidence file once it has read the case:
// raiseBuildLimit, and lowers it for its verify-after-write:
// lowerBuildLimit); a build's limit is never below buildFloor in all.
// Without a limit the collector lets the heap grow to
// twice what is live; the limit is soft, and the collector never spends
// more than half the CPU to keep to it. It is for a process doing one
// thing (the command line), not for a server, whose limit is its own to
// set.
func SetMemoryLimit(casePath string, w Work) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	p, form, err := caseform.Find(casePath)
	if err != nil {
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		return
	}
	base, perByte := int64(32<<20), int64(w)
	switch {
	case w == Building && form != caseform.JSON:
		// The rate Building had before a build of case.json was
		// measured down to it: a case.yaml or a workbook builds with the
		// case's JSON bytes made in memory besides, not measured since.
		perByte = buildOtherForm
		if form == caseform.XLSX {
			perByte *= 6
		}
	case w == Building:
		base, perByte = buildBase, buildPerByte
	case form == caseform.XLSX:
		perByte = perByte * 6 * 4 / 7
	}
	limit := base + perByte*fi.Size()
	if w == Building {
		limit = max(limit, buildFloor)
		buildLimit.Store(limit)
	}
	debug.SetMemoryLimit(limit)
}

// buildLimit is the limit SetMemoryLimit set for a build (0: none), which
// the build raises once it knows how many evidence files it packages.
var buildLimit atomic.Int64

// perEvidenceFile is the least memory a build needs for each evidence file
// besides buildBase: what it learnt of the file (path, size, both digests),
// its manifest lines and its rows in the generated files, about 1 KB a
// file (31-34 MB live at 20,000 photos, 11-13 MB of it for any case), with
// room to spare.
// case.json's size accounts for it in a case of the usual item size; a
// case of very terse items would otherwise get a limit below what is live,
// which saves nothing and keeps the collector running.
const perEvidenceFile = 6 << 8 // 1.5 KiB

// raiseBuildLimit raises the limit SetMemoryLimit set for this build, if it
// set one, to buildBase plus perEvidenceFile for each of files, when that
// is more.
func raiseBuildLimit(files int) {
	if l := buildLimit.Load(); l > 0 {
		if floor := buildBase + int64(files)*perEvidenceFile; floor > l {
			debug.SetMemoryLimit(floor)
		}
	}
}

// verifyLess is how much lower than the build's limit the limit is for
// the verify-after-write (lowerBuildLimit). The runtime's memory sits at
// the limit from the generated files on (see buildBase), while the
// program's code mapped keeps growing to the end of the build (RssFile
// 19 MiB in the evidence pass, 21.5 while the PDFs are made, 22.2 as
// the report is printed): at 20,000 photos the build's peak RSS came at
// its end, though its live heap is largest while the generated files are
// made (27-32 MB) and 20-25 MB in the verify-after-write, which the
// limit held at 41 MiB of RssAnon. Lowered by 4 MiB there, RssAnon falls
// to 35.5-37 MiB as the verify-after-write starts, and the peak is the
// generate phase's; the verify-after-write collects 2-3 more times
// (at 6 MiB less, 8-9 more).
const verifyLess = 4 << 20 // 4 MiB

// lowerBuildLimit lowers the limit SetMemoryLimit set for this build, if
// it set one, by verifyLess, never below buildFloor, for the
// verify-after-write and what follows it; restore puts it back (a
// further build in the process starts from the build's limit).
func lowerBuildLimit() (restore func()) {
	if buildLimit.Load() > 0 {
		if l := debug.SetMemoryLimit(-1); l > buildFloor {
			debug.SetMemoryLimit(max(l-verifyLess, buildFloor))
			return func() { debug.SetMemoryLimit(l) }
		}
	}
	return func() {}
}

// maxFontFile caps a --font file: a TrueType font with every script is a
// few tens of MiB.
const maxFontFile = 64 << 20

// fonts reads the TrueType files of a --font option and the check that
// says whether the narrative can print a text with them.
func fonts(files []string) ([]narrative.Font, func(string) (rune, finding.Code, string, string), error) {
	var out []narrative.Font
	for _, p := range files {
		b, err := source.ReadFile(p, maxFontFile)
		var notFile *source.NotRegularError
		if errors.As(err, &notFile) {
			return nil, nil, fault.New(fault.Usage, fmt.Errorf("--font %w", notFile), "give the TrueType file itself")
		}
		if err != nil {
			return nil, nil, fault.New(fault.Usage, fmt.Errorf("--font %w", fault.IO(p, err)), "")
		}
		out = append(out, narrative.Font{Name: p, TTF: b})
	}
	check, err := narrative.Printable(out)
	if err != nil {
		return nil, nil, fault.Usagef("%v", err)
	}
	return out, check, nil
}

// evidenceFiles counts the files of every evidence item of c (nil: none).
func evidenceFiles(c *schema.Case) int {
	if c == nil {
		return 0
	}
	n := 0
	for _, e := range c.Evidence {
		n += len(e.Files)
	}
	return n
}
