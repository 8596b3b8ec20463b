package submission

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/schema"
)

// TestAnnexesHoldNoListOfFiles: the build's workbook is made from its
// results an item at a time (generator.builtFiles): while it is written,
// the live heap holds about what the registers' indexes need beyond the
// case and the results, not also a list of every evidence file's
// annex.FileInfo and an index of it by item (112 and about 75 bytes a
// file: 3.7 MB of the workbook's live heap at 20,000 photos, the build's
// peak; packager/memlimit_test.go pins the limit that counts on it).
// Measured as each CSV twin is opened, its sheet about to be made: 315
// bytes a file, 499 with the list (the registers' indexes are most of
// the rest).
func TestAnnexesHoldNoListOfFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("makes the workbook of 20,000 photos")
	}
	const n = 20000
	doc, gen, ev := annexesOfPhotos(t, n)
	results := ev.All()
	before := liveHeap()
	w := &heapAtOpen{}
	if err := gen(context.Background(), w, ev); err != nil {
		t.Fatal(err)
	}
	if w.opened == 0 {
		t.Fatal("no CSV twin was opened")
	}
	perFile := float64(w.most-before) / n
	t.Logf("live heap while the workbook of %d photos is written: %.1f MB more than before (%.0f bytes a file)", n, float64(w.most-before)/1e6, perFile)
	if perFile > 400 {
		t.Errorf("the workbook holds %.0f bytes a file beyond the case and the results, want at most 400 (with a list of every file: 500)", perFile)
	}
	runtime.KeepAlive(results)
	runtime.KeepAlive(doc)
}

// annexesOfPhotos is the workbook's Generate for photos(t, n), and the
// results a build hands it: in the spec's order, each file's own digests.
func annexesOfPhotos(t *testing.T, n int) (*schema.Document, func(context.Context, io.Writer, *assemble.Evidence) error, *assemble.Evidence) {
	t.Helper()
	doc := photos(t, n)
	spec, err := Spec(doc, Options{Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	results := make([]evidence.Result, len(spec.Evidence))
	for i, e := range spec.Evidence {
		results[i] = evidence.Result{ID: e.ID, Src: e.Src, Dst: e.Dst, Size: int64(4096 + i)}
		binary.BigEndian.PutUint32(results[i].Sum256[:], uint32(i))
		binary.BigEndian.PutUint32(results[i].Sum512[:], uint32(i))
	}
	for _, f := range spec.Files {
		if f.Path == AnnexPath {
			return doc, f.Generate, assemble.NewEvidence(results)
		}
	}
	t.Fatal("no workbook among the generated files")
	return nil, nil, nil
}

// TestAnnexesAllocateLittlePerFile: making the workbook and its CSV twins
// of a build allocates about 1,460 bytes a photo, not 1,840 nor 2,620
// (under the race detector, which allocates besides: 1,970, 2,365 and
// 3,297): each file's two digests, written twice (the Evidence and the
// Files registers), are put in hex in one string each time, and not at
// all where the registers are sized (annex.FileInfo.Sum256; 1,840: in hex
// for the sizing too; 2,620: two allocations a digest). The workbook is
// made where a build's memory limit binds, so what it allocates is what
// the collector runs for.
func TestAnnexesAllocateLittlePerFile(t *testing.T) {
	if testing.Short() {
		t.Skip("makes the workbook of 20,000 photos")
	}
	const n = 20000
	most, was := 1650, 1840
	// The race detector makes sync.Pool drop a random quarter of what
	// it is handed (sync/pool.go), so each of the flate writers and
	// readers archive/zip pools for the workbook's parts may be made
	// anew: the same workbook allocated 1,834 to 2,166 bytes a file in
	// six runs at c19e12c, and 1,963 to 2,251 with each CSV twin written
	// on a goroutine of its own (packager/annex's pipe), which allocates
	// no more without the race detector (1,463-1,472 against
	// 1,458-1,467). Under it the least of three makings is taken: what
	// the code allocates with the fewest of those drops.
	runs := 1
	if raceOn {
		most, was, runs = 2200, 2365, 3
	}
	perFile := math.Inf(1)
	for range runs {
		doc, gen, ev := annexesOfPhotos(t, n)
		w := &heapAtOpen{}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		if err := gen(context.Background(), w, ev); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		t.Logf("making the workbook of %d photos allocated %.1f MB (%.0f bytes a file)", n, float64(m1.TotalAlloc-m0.TotalAlloc)/1e6, float64(m1.TotalAlloc-m0.TotalAlloc)/n)
		perFile = min(perFile, float64(m1.TotalAlloc-m0.TotalAlloc)/n)
		runtime.KeepAlive(doc)
	}
	if perFile > float64(most) {
		t.Errorf("the workbook allocates %.0f bytes a file, want at most %d (with the digests in hex for the sizing too: %d)", perFile, most, was)
	}
}

// photos is samples/minimal with n photographs of one file each before its
// own evidence, all listed by its incident, as scripts/bench-package.sh
// makes its case of many small files.
func photos(t *testing.T, n int) *schema.Document {
	t.Helper()
	doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "minimal"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := make([]schema.Evidence, 0, n+len(doc.Case.Evidence))
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("EV-%06d", i)
		ev = append(ev, schema.Evidence{ID: id, Title: "Photograph " + id, Type: "photo", Classification: "confidential",
			Files: []schema.File{{Path: "evidence/photos/img-" + id[3:] + ".jpg", Role: "original", MediaType: "image/jpeg"}}})
		doc.Case.Incidents[0].EvidenceIDs = append(doc.Case.Incidents[0].EvidenceIDs, id)
	}
	doc.Case.Evidence = append(ev, doc.Case.Evidence...)
	return doc
}

// liveHeap is the heap's live bytes, once collected.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapAtOpen discards what is written to it and keeps the most live heap
// it saw as each CSV twin was opened (assemble.AlsoWriter).
type heapAtOpen struct {
	opened int
	most   uint64
}

func (w *heapAtOpen) Write(p []byte) (int, error) { return len(p), nil }

func (w *heapAtOpen) CreateAlso(string) (io.WriteCloser, error) {
	w.opened++
	w.most = max(w.most, liveHeap())
	return nopCloser{io.Discard}, nil
}

// TestBuiltFilesAsLookedUp: what the annexes are told of each item's files
// from the build's results, a window on them per item, is what looking
// each file up by its bag path gives (how the list of every file was
// made), in either edition, with --rename-unsafe (looked up), and for a
// narrative made on its own (no results: bag paths, no digests).
func TestBuiltFilesAsLookedUp(t *testing.T) {
	for _, tc := range lookedUpCases {
		t.Run(tc.name, func(t *testing.T) {
			doc, g, ev := lookedUpGenerator(t, tc)
			plan := g.plan
			// The annexes' own view of the case, as annex.Write makes it.
			view, err := edition.NewIn(doc.Case, tc.ed, locale.Must(g.opt.Langs[0]))
			if err != nil {
				t.Fatal(err)
			}
			files := g.builtFiles(ev)
			multi := false
			for i := range view.Case().Evidence {
				e := &view.Case().Evidence[i]
				multi = multi || len(e.Files) > 1
				got := files(nil, i, e)
				var want []annex.FileInfo
				for _, f := range e.Files {
					dst := g.dst(e.ID, f.Path)
					r, ok := ev.Lookup(dst)
					if ok {
						dst = r.Dst
					}
					want = append(want, annex.FileInfo{ID: e.ID, Source: f.Path, Path: dst, MediaType: MediaType(f),
						Size: r.Size, Withheld: plan.Withheld(e.ID)})
					if ok {
						// As bytes: the annexes put them in hex (annex.FileInfo.Sum256).
						want[len(want)-1].Sum256, want[len(want)-1].Sum512 = r.Sum256[:], r.Sum512[:]
					}
				}
				if !slices.EqualFunc(got, want, sameFileInfo) {
					t.Errorf("%s: told %+v, looked up %+v", e.ID, got, want)
				}
			}
			if !multi {
				t.Error("no item of several files: the test shows little")
			}
		})
	}
}

// lookedUpCase is a case of the tests that compare what a generator is
// told of each file from the build's results with looking it up by its
// bag path: the edition, --rename-unsafe, and whether there are results.
type lookedUpCase struct {
	name    string
	ed      edition.Edition
	rename  bool
	results bool
}

// TestDigestsHoldNoText: the evidence files the narrative is told of hold
// each digest as bytes, so that telling it of them costs the same few
// allocations (the list of all files and the map) however many files the
// case has; each digest in hex cost one allocation more for every file (a
// 64-byte string, 20,000 of them at 20,000 photos).
func TestDigestsHoldNoText(t *testing.T) {
	if testing.Short() {
		t.Skip("counts allocations")
	}
	for _, tc := range lookedUpCases[:2] {
		t.Run(tc.name, func(t *testing.T) {
			_, g, ev := lookedUpGenerator(t, tc)
			files := 0
			for _, e := range g.out.Evidence {
				files += len(e.Files)
			}
			allocs := testing.AllocsPerRun(20, func() { g.digests(ev) })
			if limit := float64(files) / 2; allocs > limit {
				t.Errorf("%v allocations for %d files, want at most %v", allocs, files, limit)
			}
		})
	}
}

var lookedUpCases = []lookedUpCase{
	{"confidential", edition.Confidential, false, true},
	{"public", edition.Public, false, true},
	{"rename unsafe", edition.Confidential, true, true},
	{"no results", edition.Confidential, false, false},
}

// lookedUpGenerator is La Vega's generator for tc, and the build's
// results for its plan when tc has results: file i of the plan is i + 1
// bytes long, with both digests numbered i + 1.
func lookedUpGenerator(t *testing.T, tc lookedUpCase) (*schema.Document, *generator, *assemble.Evidence) {
	t.Helper()
	doc := loadLaVega(t)
	opt := Options{Edition: tc.ed, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), RenameUnsafe: tc.rename}
	spec, err := Spec(doc, opt)
	if err != nil {
		t.Fatal(err)
	}
	var ev *assemble.Evidence
	if tc.results {
		results := make([]evidence.Result, len(spec.Evidence))
		for i, e := range spec.Evidence {
			results[i] = evidence.Result{ID: e.ID, Src: e.Src, Dst: e.Dst, Size: int64(i + 1), Withheld: e.Withhold}
			binary.BigEndian.PutUint32(results[i].Sum256[:], uint32(i+1))
			binary.BigEndian.PutUint32(results[i].Sum512[:], uint32(i+1))
		}
		ev = assemble.NewEvidence(results)
	}
	plan, err := edition.New(doc.Case, tc.ed)
	if err != nil {
		t.Fatal(err)
	}
	return doc, &generator{doc: doc, opt: opt.withDefaults(doc.Case), plan: plan, out: plan.Case()}, ev
}

// sameFileInfo says whether a and b are the same, digests compared by
// value.
func sameFileInfo(a, b annex.FileInfo) bool { return reflect.DeepEqual(a, b) }

// TestSpecSharesIDs: the plan's evidence files and manifest items hold
// each item's ID as the model's own string, not a copy (the build's
// results keep it to the end): a build gives the model's texts their own
// bytes before it plans (schema.Document.OwnTexts).
func TestSpecSharesIDs(t *testing.T) {
	doc := photos(t, 3)
	doc.OwnTexts()
	spec, err := Spec(doc, Options{Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*schema.Evidence{}
	for i := range doc.Case.Evidence {
		byID[doc.Case.Evidence[i].ID] = &doc.Case.Evidence[i]
	}
	for _, f := range spec.Evidence {
		if e := byID[f.ID]; e == nil || unsafe.StringData(e.ID) != unsafe.StringData(f.ID) {
			t.Errorf("evidence file %s: its ID is not the model's string", f.Dst)
		}
	}
	for _, it := range spec.Manifest.Evidence {
		if e := byID[it.ID]; e == nil || unsafe.StringData(e.ID) != unsafe.StringData(it.ID) {
			t.Errorf("manifest item %s: its ID is not the model's string", it.ID)
		}
	}
	if len(spec.Evidence) < 3 {
		t.Fatalf("%d evidence files planned", len(spec.Evidence))
	}
}

// TestDigestsAsLookedUp: the evidence files the narrative is told of (each
// result found in its item's window of the build's results) are what
// looking each file up by its bag path gives, as the digests were made
// before, in either edition, with --rename-unsafe (looked up), and with
// no results (bag paths, no digests).
func TestDigestsAsLookedUp(t *testing.T) {
	for _, tc := range lookedUpCases {
		t.Run(tc.name, func(t *testing.T) {
			_, g, ev := lookedUpGenerator(t, tc)
			want := narrative.EvidenceDigests{}
			digested := 0
			for _, e := range g.out.Evidence {
				for _, f := range e.Files {
					dst := g.dst(e.ID, f.Path)
					r, ok := ev.Lookup(dst)
					if ok {
						dst = r.Dst
						digested++
					}
					want[e.ID] = append(want[e.ID], narrative.FileDigest{Path: dst, Role: f.Role, Sum256: r.Sum256, Hashed: ok, Size: r.Size, MediaType: MediaType(f)})
				}
			}
			if got := g.digests(ev); !reflect.DeepEqual(got, want) {
				t.Errorf("told\n%+v\nlooked up\n%+v", got, want)
			}
			if tc.results && digested == 0 {
				t.Error("no file looked up: the test shows little")
			}
		})
	}
}

// TestNarrativeDigestsAsMadeBeforehand: what a narrative made in a build
// is told of an item's files, made when it asks (narrativeDigests.Of), is
// what the lists of every item made beforehand (digests) hold for it, in
// either edition, with --rename-unsafe, with no results, and with items
// out of the order of their IDs or two items of one ID; All is those
// lists, and Any whether there are any.
func TestNarrativeDigestsAsMadeBeforehand(t *testing.T) {
	type variant struct {
		name  string
		tc    lookedUpCase
		shake func(c *schema.Case)
	}
	var variants []variant
	for _, tc := range lookedUpCases {
		variants = append(variants, variant{tc.name, tc, nil})
	}
	variants = append(variants,
		variant{"items out of order", lookedUpCases[0], func(c *schema.Case) { slices.Reverse(c.Evidence) }},
		variant{"two items of one ID, one item without files", lookedUpCases[0], func(c *schema.Case) {
			c.Evidence[2].ID = c.Evidence[0].ID
			c.Evidence[3].Files = nil
		}},
		variant{"no files", lookedUpCases[3], func(c *schema.Case) {
			for i := range c.Evidence {
				c.Evidence[i].Files = nil
			}
		}})
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			_, g, ev := lookedUpGenerator(t, v.tc)
			if v.shake != nil {
				v.shake(g.out)
			}
			want := g.digests(ev)
			got := g.narrativeDigests(ev)
			ids := []string{"EV-NONE"}
			for _, e := range g.out.Evidence {
				ids = append(ids, e.ID)
			}
			for _, id := range ids {
				if a, b := got.Of(id), want[id]; !reflect.DeepEqual(a, b) {
					t.Errorf("%s: told\n%+v\nmade beforehand\n%+v", id, a, b)
				}
			}
			if got.Any() != (len(want) > 0) {
				t.Errorf("Any() = %v with %d items listed beforehand", got.Any(), len(want))
			}
			if all := got.All(); !reflect.DeepEqual(all, want) {
				t.Errorf("All() differs from the lists made beforehand")
			}
			if v.tc.results && len(want) == 0 && v.name != "no files" {
				t.Error("no item listed: the test shows little")
			}
		})
	}
}

// TestNarrativeDigestsHoldLittle: told of the evidence files of 20,000
// photos, of which it asks for two (as the narrative of a build quotes
// them), a narrative holds a few bytes a file (the results' window of
// each item: 6), not a list of every item's files and a map of them (96
// bytes a file and about 75: 3.4 MB at 20,000 photos, held while the
// narrative was written beside the covering letter, the build's peak).
// The lists made beforehand are measured too, to show the measure sees
// them.
func TestNarrativeDigestsHoldLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the package of 20,000 photos")
	}
	const n = 20000
	doc, _, ev := annexesOfPhotos(t, n)
	plan, err := edition.New(doc.Case, edition.Confidential)
	if err != nil {
		t.Fatal(err)
	}
	g := &generator{doc: doc, opt: Options{Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)}.withDefaults(doc.Case), plan: plan, out: plan.Case()}
	for _, tt := range []struct {
		name        string
		make        func() narrative.Digests
		least, most float64 // bytes a file
	}{
		{"made when asked", func() narrative.Digests { return g.narrativeDigests(ev) }, 0, 16},
		{"made beforehand", func() narrative.Digests { return g.digests(ev) }, 96, math.Inf(1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := liveHeap()
			d := tt.make()
			first, last := g.out.Evidence[0].ID, g.out.Evidence[n-1].ID
			if len(d.Of(first)) != 1 || len(d.Of(last)) != 1 || !d.Of(last)[0].Hashed {
				t.Fatalf("%s and %s: told of %v and %v", first, last, d.Of(first), d.Of(last))
			}
			perFile := float64(liveHeap()-before) / n
			runtime.KeepAlive(d)
			t.Logf("%s: %.0f bytes a file", tt.name, perFile)
			if perFile > tt.most || perFile < tt.least {
				t.Errorf("the narrative is told of %d files with %.0f bytes of live heap a file, want %.0f to %.0f", n, perFile, tt.least, tt.most)
			}
		})
	}
}
