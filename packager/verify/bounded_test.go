package verify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// addBogusLines appends n well-formed lines naming files the package does
// not hold to its manifest-sha256.txt, as the hardening review's hostile
// package did (3.3 M lines made verify take 4.1 GB and print 3.27 M lines).
func addBogusLines(t testing.TB, dir string, n int) {
	t.Helper()
	appendLines(t, filepath.Join(dir, "manifest-sha256.txt"), "%064x  data/bogus/file-%07d.bin\n", n)
}

// appendLines appends n lines to file, line i being format applied to i
// and i.
func appendLines(t testing.TB, file, format string, n int) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, format, i, i)
	}
	must(t, w.Flush())
	must(t, f.Close())
}

// Findings are listed up to MaxFindingsPerCode per code; the rest are
// counted, and one finding says how many.
func TestVerifyBoundsFindings(t *testing.T) {
	dir := writeBag(t, bagWith(t, nil))
	const n = maxGhosts + 2500
	addBogusLines(t, dir, n)
	pkg, err := Open(dir)
	must(t, err)
	defer pkg.Close()
	rep, err := Verify(context.Background(), pkg, Options{})
	must(t, err)
	if rep.Intact() {
		t.Fatal("a manifest of bogus lines verified intact")
	}
	per := map[finding.Code]int{}
	var notes []string
	for _, f := range rep.Findings {
		per[f.Code]++
		if strings.Contains(f.Message, "more") {
			notes = append(notes, f.Message)
		}
	}
	for c, k := range per {
		if k > MaxFindingsPerCode+2 {
			t.Errorf("%d findings of %s, more than %d listed", k, c, MaxFindingsPerCode)
		}
	}
	want := []string{
		"and 2500 more lines name files that are not in the package",
		fmt.Sprintf("and %d more findings of this kind, not listed (the first %d are)", maxGhosts-MaxFindingsPerCode, MaxFindingsPerCode),
	}
	for _, w := range want {
		found := false
		for _, m := range notes {
			found = found || strings.Contains(m, w)
		}
		if !found {
			t.Errorf("no finding says %q; notes: %q", w, notes)
		}
	}
}

// The payload manifests are read side by side (readManifests), but their
// findings are added as reading them in turn adds them: past
// MaxFindingsPerCode, those listed are manifest-sha256.txt's, then the
// first of manifest-sha512.txt's.
func TestManifestFindingsInOrder(t *testing.T) {
	const n256, n512 = 800, 700
	dir := writeBag(t, bagWith(t, nil))
	appendLines(t, filepath.Join(dir, "manifest-sha256.txt"), "bogus-%d-%d\n", n256)
	appendLines(t, filepath.Join(dir, "manifest-sha512.txt"), "bogus-%d-%d\n", n512)
	rep := run(t, dir)
	per := map[string][]string{}
	more := ""
	for _, f := range rep.Findings {
		switch {
		case f.Code != finding.BagManifestSyntax:
		case f.Path == "":
			more = f.Message
		default:
			per[f.Path] = append(per[f.Path], f.Message)
		}
	}
	s256, s512 := per["manifest-sha256.txt"], per["manifest-sha512.txt"]
	if len(s256) != n256 || len(s512) != MaxFindingsPerCode-n256 {
		t.Fatalf("%d findings of manifest-sha256.txt and %d of manifest-sha512.txt listed, want %d and %d", len(s256), len(s512), n256, MaxFindingsPerCode-n256)
	}
	// The manifest's own lines come first: its bogus lines are those after.
	var lines []int
	for _, m := range s512 {
		var n int
		if _, err := fmt.Sscanf(m, "line %d:", &n); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
		lines = append(lines, n)
	}
	slices.Sort(lines)
	if first := lines[0]; lines[len(lines)-1] != first+len(lines)-1 {
		t.Errorf("manifest-sha512.txt's findings listed are of lines %d to %d, not its first %d bogus lines", first, lines[len(lines)-1], len(lines))
	}
	if want := fmt.Sprintf("and %d more findings of this kind, not listed (the first %d are)", n256+n512-MaxFindingsPerCode, MaxFindingsPerCode); more != want {
		t.Errorf("summary %q, want %q", more, want)
	}
}

// TestManifestsFindingsInTurn: past MaxFindingsPerCode, the findings
// listed are those of the manifests read in turn, as before they were
// read side by side: manifest-sha256.txt, tagmanifest-sha256.txt,
// manifest-sha512.txt, tagmanifest-sha512.txt.
func TestManifestsFindingsInTurn(t *testing.T) {
	const n1, n2 = 800, 700
	for _, tt := range []struct{ first, second string }{
		{"manifest-sha256.txt", "tagmanifest-sha256.txt"},
		{"tagmanifest-sha256.txt", "manifest-sha512.txt"},
		{"manifest-sha512.txt", "tagmanifest-sha512.txt"},
		{"manifest-sha256.txt", "tagmanifest-sha512.txt"},
	} {
		t.Run(tt.first+" then "+tt.second, func(t *testing.T) {
			dir := writeBag(t, bagWith(t, nil))
			appendLines(t, filepath.Join(dir, tt.first), "bogus-%d-%d\n", n1)
			appendLines(t, filepath.Join(dir, tt.second), "bogus-%d-%d\n", n2)
			per := map[string]int{}
			for _, f := range run(t, dir).Findings {
				if f.Code == finding.BagManifestSyntax && f.Path != "" {
					per[f.Path]++
				}
			}
			if per[tt.first] != n1 || per[tt.second] != MaxFindingsPerCode-n1 {
				t.Errorf("%d findings of %s and %d of %s listed, want %d and %d", per[tt.first], tt.first, per[tt.second], tt.second, n1, MaxFindingsPerCode-n1)
			}
		})
	}
}

// peakHeap samples the heap in use while f runs and returns the highest
// value seen.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// BenchmarkVerifyHugeManifest verifies a package whose manifest-sha256.txt
// has 1,000,000 lines naming files it does not hold (94 MB). Memory must
// stay flat: the benchmark fails if the heap in use ever exceeds
// hugeCeiling, and reports the peak.
func BenchmarkVerifyHugeManifest(b *testing.B) {
	dir := writeBag(b, bagWith(b, nil))
	addBogusLines(b, dir, 1_000_000)
	verifyUnderCeiling(b, dir, func(rep *Report) {
		if rep.Intact() {
			b.Fatal("a manifest of bogus lines verified intact")
		}
		if len(rep.Findings) > 10*MaxFindingsPerCode {
			b.Fatalf("%d findings kept", len(rep.Findings))
		}
	})
}

// BenchmarkVerifyHugeCasepackManifest verifies a package whose
// casepack/manifest.json lists 300,000 evidence items it does not hold
// (about 120 MB). It is read an item at a time; the heap must stay under
// the same ceiling.
func BenchmarkVerifyHugeCasepackManifest(b *testing.B) {
	files := bagWith(b, nil)
	dir := writeBag(b, files)
	p := filepath.Join(dir, "casepack", "manifest.json")
	f, err := os.Create(p)
	must(b, err)
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"format":"casepack-manifest/1","evidence":[`)
	for i := range 300_000 {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"id":"EV-%06d","files":[{"path":"data/evidence/X/f%07d.bin","size":1,"sha256":"%064d","sha512":"%0128d","withheld":true}]}`, i, i, 0, 0)
	}
	fmt.Fprint(w, "]}\n")
	must(b, w.Flush())
	must(b, f.Close())
	verifyUnderCeiling(b, dir, func(*Report) {})
}

// hugeCeiling is the most heap verify may use on the huge packages above.
const hugeCeiling = 64 << 20

// verifyUnderCeiling verifies the package at dir in each iteration, hands
// the report to check, reports the peak heap and fails above hugeCeiling.
func verifyUnderCeiling(b *testing.B, dir string, check func(*Report)) {
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			pkg, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			defer pkg.Close()
			rep, err := Verify(context.Background(), pkg, Options{})
			if err != nil {
				b.Fatal(err)
			}
			check(rep)
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if peak > hugeCeiling {
		b.Fatalf("peak heap %d MiB, ceiling %d MiB", peak>>20, hugeCeiling>>20)
	}
}

// addBogusPlainLines appends n md5sum-style lines ("<md5> *path", each a
// deviation noted by line) naming files a plain bag does not hold to its
// manifest-md5.txt.
func addBogusPlainLines(t testing.TB, dir string, n int) {
	t.Helper()
	appendLines(t, filepath.Join(dir, "manifest-md5.txt"), "%032x *data/bogus/file-%07d.bin\n", n)
}

// A bag another tool made is read as a package is: a line at a time, the
// lines naming absent files kept up to maxGhosts, the deviations counted
// rather than listed line by line.
func TestVerifyBoundsPlainFindings(t *testing.T) {
	dir := writeBag(t, plainBag{version: "0.97", payload: plainPayload, algs: []string{"md5"}}.files())
	const n = maxGhosts + 2500
	addBogusPlainLines(t, dir, n)
	pkg, err := Open(dir)
	must(t, err)
	defer pkg.Close()
	rep, err := Verify(context.Background(), pkg, Options{})
	must(t, err)
	if rep.Intact() || !rep.PlainBag() {
		t.Fatalf("a plain bag's manifest of bogus lines: intact %v, plain %v", rep.Intact(), rep.PlainBag())
	}
	per := map[finding.Code]int{}
	var msgs []string
	for _, f := range rep.Findings {
		per[f.Code]++
		msgs = append(msgs, f.Message)
	}
	for c, k := range per {
		if k > MaxFindingsPerCode+2 {
			t.Errorf("%d findings of %s, more than %d listed", k, c, MaxFindingsPerCode)
		}
	}
	for _, w := range []string{
		"and 2500 more lines name files that are not in the bag",
		fmt.Sprintf(`"*" before the path (md5sum's binary mode) ignored (lines 3, 4, 5, 6, 7 and %d more)`, n-5),
	} {
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, w) }) {
			t.Errorf("no finding says %q", w)
		}
	}
}

// BenchmarkVerifyHugePlainManifest verifies a bag another tool made whose
// manifest-md5.txt has 1,000,000 md5sum-style lines naming files it does
// not hold; the heap must stay under the same ceiling as a package's.
func BenchmarkVerifyHugePlainManifest(b *testing.B) {
	dir := writeBag(b, plainBag{version: "0.97", payload: plainPayload, algs: []string{"md5"}}.files())
	addBogusPlainLines(b, dir, 1_000_000)
	verifyUnderCeiling(b, dir, func(rep *Report) {
		if rep.Intact() || !rep.PlainBag() {
			b.Fatal("a plain bag's manifest of bogus lines verified intact")
		}
		if len(rep.Findings) > 10*MaxFindingsPerCode {
			b.Fatalf("%d findings kept", len(rep.Findings))
		}
	})
}

// TestCasepackFindingsBounded: casepack/manifest.json is read once, the
// checks that need a file's digest done after hashing, yet its findings
// come in the order of its items, and are bounded as any others: a
// disagreeing digest of the first item is listed, 999 of the 1,500 entries
// no payload manifest lists after it, and one finding counts the other
// 501.
func TestCasepackFindingsBounded(t *testing.T) {
	const a, bogus = "data/evidence/EV-0001/a.txt", 1500
	files := bagWith(t, nil)
	var cm bag.CasepackManifest
	must(t, json.Unmarshal(files[bag.CasepackManifestPath], &cm))
	for i := range cm.Evidence {
		if f := &cm.Evidence[i].Files[0]; f.Path == a {
			f.SHA256 = strings.Repeat("0", 64)
		}
	}
	for i := range bogus {
		cm.Evidence = append(cm.Evidence, bag.EvidenceItem{ID: fmt.Sprintf("EV-9%04d", i), Files: []bag.ManifestFile{{
			Path: fmt.Sprintf("data/evidence/EV-9%04d/x.bin", i), Size: 1, SHA256: strings.Repeat("1", 64), SHA512: strings.Repeat("2", 128)}}})
	}
	var err error
	files[bag.CasepackManifestPath], err = cm.Marshal()
	must(t, err)
	rep := run(t, writeBag(t, retag(t, files)))
	listed, more, first := 0, "", false
	for _, f := range rep.Findings {
		if f.Code != finding.CasepackMismatch {
			continue
		}
		switch {
		case strings.HasPrefix(f.Message, "and "):
			more = f.Message
		case strings.Contains(f.Message, "SHA-256 of \""+a+"\" disagrees"):
			first = true
			fallthrough
		default:
			listed++
		}
	}
	if listed != MaxFindingsPerCode || !first || more != fmt.Sprintf("and %d more findings of this kind, not listed (the first %d are)", bogus+1-MaxFindingsPerCode, MaxFindingsPerCode) {
		t.Errorf("%d listed, the first item's listed: %v, then %q", listed, first, more)
	}
}

// TestCasepackBatchBounded: casepack/manifest.json's items are handed on
// in batches of about casepackBatchBytes at most, however long its items
// are (an item longer than that is a batch of its own): of three batches
// held while the payload manifests are read, each of 128 items of 200
// KiB held 75 MiB.
func TestCasepackBatchBounded(t *testing.T) {
	for _, tt := range []struct {
		name     string
		items    int
		idBytes  int
		maxItems int // most items a batch may have
	}{
		{"short items", 300, 10, casepackBatch},
		{"items of 20 KiB", 300, 20 << 10, casepackBatchBytes/(20<<10) + 1},
		{"items of 300 KiB", 5, 300 << 10, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`{"format":"casepack-manifest/1","evidence":[`)
			for i := range tt.items {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"id":"EV-%06d%s","files":[{"path":"data/evidence/x/%d","size":1,"sha256":"%064d","sha512":"%0128d"}]}`, i, strings.Repeat("x", tt.idBytes), i, 0, 0)
			}
			b.WriteString("]}")
			text := b.String()
			v := &verifier{fsys: fstest.MapFS{bag.CasepackManifestPath: {Data: []byte(text)}}, pkg: &Package{},
				files: map[string]*fileState{bag.CasepackManifestPath: {path: bag.CasepackManifestPath, size: int64(len(text))}}}
			c := v.startCasepackScan()
			n := 0
			for batch := range c.items {
				size := 0
				for _, it := range batch {
					size += len(it.ID)
				}
				if len(batch) > tt.maxItems || len(batch) > 1 && size > casepackBatchBytes+tt.idBytes+16 {
					t.Errorf("a batch of %d items, %d bytes of IDs", len(batch), size)
				}
				n += len(batch)
			}
			if n != tt.items || !c.ok || len(c.found) > 0 {
				t.Errorf("%d items of %d handed on, ok %v, findings %+v", n, tt.items, c.ok, c.found)
			}
		})
	}
}
