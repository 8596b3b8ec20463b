package verify

import (
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// TestRecordKeepsNoText: what the verifier remembers of a file's manifest
// lines and of its casepack/manifest.json entry shares the strings it
// holds already (the file's path, the digest the caller handed, the first
// line's copy of a digest) instead of keeping the text it read them from:
// a line of manifest-sha512.txt is 176 bytes of heap, its digest 128, and
// for the verify-after-write of 20,000 files those texts were 9.7 MB of
// 33 MB live.
func TestRecordKeepsNoText(t *testing.T) {
	const p = "data/evidence/EV-0001/a.txt"
	sum := digest.Sum([]byte("first evidence file\n"))
	given := digest.Digests{Size: sum.Size, SHA256: strings.Clone(sum.SHA256)}
	fst := &fileState{path: strings.Clone(p), size: sum.Size, d: given, hashed: true, given: true}
	other := &fileState{path: "data/evidence/EV-0002/b.bin", size: 3} // hashed by the verifier, not given
	v := &verifier{files: map[string]*fileState{fst.path: fst, other.path: other}, perCode: map[finding.Code]int{}, over: map[finding.Code]int{}}
	pay := []*side{{alg: bag.SHA256, present: true, entries: map[string]string{}}, {alg: bag.SHA512, present: true, entries: map[string]string{}}}
	// Each line is read into a string of its own, as bag.ScanManifestLine does.
	line := func(alg, d, path string) bag.Entry {
		e, le := bag.ScanManifestLine(alg, []byte(d+"  "+path))
		if le != nil {
			t.Fatal(le)
		}
		return e
	}
	otherSHA256 := strings.Repeat("ab", 32)
	lines := []struct {
		s *side
		e bag.Entry
	}{
		{pay[0], line(bag.SHA256, sum.SHA256, p)},
		{pay[0], line(bag.SHA256, otherSHA256, other.path)},
		{pay[1], line(bag.SHA512, sum.SHA512, p)},
	}
	for _, l := range lines {
		v.keepEntry(l.s, l.e, false, newCollisions(0))
	}

	same := func(what, got, want string) {
		t.Helper()
		if got != want || unsafe.StringData(got) != unsafe.StringData(want) {
			t.Errorf("%s: %q is not the string held already (%q)", what, got, want)
		}
	}
	for _, l := range lines {
		if !l.s.lineIs(l.e.Path, l.e.Digest) || l.s.line(l.e.Path) != l.e.Digest {
			t.Fatalf("%s line for %s: kept %q, read back as %q", l.s.alg, l.e.Path, l.s.entries[l.e.Path], l.s.line(l.e.Path))
		}
		for k := range l.s.entries {
			same(l.s.alg+" line's path", k, v.files[k].path)
		}
		d := l.s.entries[l.e.Path]
		if l.s.alg == bag.SHA256 && l.e.Path == p {
			same("sha256 line's digest", d, given.SHA256)
		} else if len(d) != len(l.e.Digest)/2 {
			// A digest nobody handed is kept as its bytes, alone.
			t.Errorf("%s line for %s: its digest is kept in %d bytes, want %d", l.s.alg, l.e.Path, len(d), len(l.e.Digest)/2)
		}
	}

	c := v.newCasepackCheck(pay)
	c.item(bag.EvidenceItem{ID: "EV-0001", Files: []bag.ManifestFile{{Path: strings.Clone(p), Size: sum.Size,
		SHA256: strings.Clone(sum.SHA256), SHA512: strings.Clone(sum.SHA512)}}})
	if len(c.steps) != 1 {
		t.Fatalf("%d steps, want 1", len(c.steps))
	}
	st := c.steps[0]
	if st.fst != fst || st.own >= 0 || len(c.own) != 0 {
		t.Fatalf("step %+v, own %q: want the file's state, and no digests of its own", st, c.own)
	}
	if !c.entryIs(st, bag.SHA256, sum.SHA256) || !c.entryIs(st, bag.SHA512, sum.SHA512) || c.entry(st, bag.SHA512) != sum.SHA512 {
		t.Errorf("the entry's digests read back as %q and %q", c.entry(st, bag.SHA256), c.entry(st, bag.SHA512))
	}
}

// TestCasepackRecordCompact: what the check of casepack/manifest.json
// remembers of a file the package holds is 40 bytes (it was 80, with the
// file's path and digests, plus entries in a map of listed paths and one
// of path hashes): a mark on the file's state says it is listed, and its
// entry's digests are the payload manifests' lines unless they differ.
// Paths listed twice are found whether or not the package holds them.
func TestCasepackRecordCompact(t *testing.T) {
	if n := unsafe.Sizeof(casepackStep{}); n > 40 {
		t.Errorf("a step takes %d bytes, want at most 40", n)
	}
	const a, b, gone = "data/evidence/EV-0001/a.txt", "data/evidence/EV-0002/b.txt", "data/evidence/EV-0003/gone.txt"
	sa, sb := digest.Sum([]byte("a\n")), digest.Sum([]byte("b\n"))
	fa, fb := &fileState{path: a, size: sa.Size}, &fileState{path: b, size: sb.Size}
	v := &verifier{files: map[string]*fileState{a: fa, b: fb}, perCode: map[finding.Code]int{}, over: map[finding.Code]int{}}
	pay := []*side{
		{alg: bag.SHA256, present: true, entries: map[string]string{a: sa.SHA256, b: sb.SHA256, gone: sb.SHA256}},
		{alg: bag.SHA512, present: true, entries: map[string]string{a: sa.SHA512, b: sb.SHA512, gone: sb.SHA512}},
	}
	c := v.newCasepackCheck(pay)
	other := strings.Repeat("0", 64)
	entry := func(p string, d digest.Digests) bag.ManifestFile {
		return bag.ManifestFile{Path: strings.Clone(p), Size: d.Size, SHA256: strings.Clone(d.SHA256), SHA512: strings.Clone(d.SHA512)}
	}
	c.item(bag.EvidenceItem{ID: "EV-0001", Files: []bag.ManifestFile{entry(a, sa)}})
	c.item(bag.EvidenceItem{ID: "EV-0002", Files: []bag.ManifestFile{entry(b, digest.Digests{Size: sb.Size, SHA256: other, SHA512: sb.SHA512}), entry(a, sa)}})
	c.item(bag.EvidenceItem{ID: "EV-0003", Files: []bag.ManifestFile{entry(gone, sb), entry(gone, sb)}})

	var msgs []string
	for _, f := range c.found {
		msgs = append(msgs, f.Message)
	}
	want := []string{`evidence EV-0002: "` + a + `" is listed twice`, `evidence EV-0003: "` + gone + `" is listed twice`}
	if !slices.Equal(msgs, want) {
		t.Errorf("findings %q, want %q", msgs, want)
	}
	if len(c.steps) != 4 || c.steps[0].fst != fa || c.steps[1].fst != fb || c.steps[2].fst != nil || c.steps[3].fst != nil {
		t.Fatalf("steps %+v: want a's, b's and the two findings", c.steps)
	}
	if !fa.inCasepack || !fb.inCasepack || len(c.paths) != 1 {
		t.Errorf("listed: a %v, b %v, %d other paths; want both marked and one other", fa.inCasepack, fb.inCasepack, len(c.paths))
	}
	if c.steps[0].own >= 0 {
		t.Errorf("a's entry keeps digests of its own: %q", c.own)
	}
	if s256, s512 := c.entry(c.steps[1], bag.SHA256), c.entry(c.steps[1], bag.SHA512); s256 != other || s512 != sb.SHA512 {
		t.Errorf("b's entry: %q %q, want the manifest's own SHA-256 and the SHA-512 line", s256, s512)
	}
}
