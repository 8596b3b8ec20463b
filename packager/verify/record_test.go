package verify

import (
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
		d, ok := l.s.entries[l.e.Path]
		if !ok || d != l.e.Digest {
			t.Fatalf("%s line for %s: kept %q, %v", l.s.alg, l.e.Path, d, ok)
		}
		for k := range l.s.entries {
			same(l.s.alg+" line's path", k, v.files[k].path)
		}
		if l.s.alg == bag.SHA256 && l.e.Path == p {
			same("sha256 line's digest", d, given.SHA256)
		} else if unsafe.StringData(d) == unsafe.StringData(l.e.Digest) {
			// A digest nobody handed is kept alone, not as part of its line.
			t.Errorf("%s line for %s: its digest is kept within the line", l.s.alg, l.e.Path)
		}
	}

	c := v.newCasepackCheck(pay)
	c.item(bag.EvidenceItem{ID: "EV-0001", Files: []bag.ManifestFile{{Path: strings.Clone(p), Size: sum.Size,
		SHA256: strings.Clone(sum.SHA256), SHA512: strings.Clone(sum.SHA512)}}})
	if len(c.steps) != 1 {
		t.Fatalf("%d steps, want 1", len(c.steps))
	}
	st := c.steps[0]
	same("entry's path", st.path, fst.path)
	same("entry's sha256", st.sha256, given.SHA256)
	same("entry's sha512", st.sha512, pay[1].entries[p])
}
