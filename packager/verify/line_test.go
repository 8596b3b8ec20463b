package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// TestLineKeptAsBytes: a line's digest is kept as its bytes and read back
// as the line spells it; one in upper case (another tool's bag keeps its
// lines' text) is kept as it is.
func TestLineKeptAsBytes(t *testing.T) {
	d := digests([]byte("x")).SHA512
	s := &side{alg: bag.SHA512, entries: map[string]string{}}
	s.entries["data/a"] = packLine(nil, bag.SHA512, d)
	s.entries["data/b"] = packLine(nil, bag.SHA512, strings.ToUpper(d))
	if n := len(s.entries["data/a"]); n != 64 {
		t.Errorf("a SHA-512 line is kept in %d bytes, want 64", n)
	}
	for p, want := range map[string]string{"data/a": d, "data/b": strings.ToUpper(d), "data/none": ""} {
		if got := s.line(p); got != want {
			t.Errorf("line(%s) = %q, want %q", p, got, want)
		}
		if want != "" && !s.lineIs(p, want) {
			t.Errorf("lineIs(%s, its own digest) = false", p)
		}
	}
	for _, other := range []string{strings.ToUpper(d), d[:126] + "00", d[:64], d + "0", ""} {
		if s.lineIs("data/a", other) {
			t.Errorf("lineIs(data/a, %q) = true", other)
		}
	}
}

// TestFindingsSpellLines: the digests a finding quotes from a manifest
// line are spelled as the line spells them, lower-case hex.
func TestFindingsSpellLines(t *testing.T) {
	const a = "data/evidence/EV-0001/a.txt"
	files := smallBag(t)
	was := digests(files[a])
	files[a] = []byte("changed\n")
	rep := run(t, writeBag(t, files))
	now := digests(files[a])
	for _, f := range rep.Findings {
		if f.Code == finding.BagModified && f.Path == a {
			if f.Expected != was.SHA256 || f.Actual != now.SHA256 || !bytes.Contains(smallBag(t)["manifest-sha256.txt"], []byte(f.Expected+"  "+a)) {
				t.Errorf("expected %q, actual %q; want %q (the line) and %q", f.Expected, f.Actual, was.SHA256, now.SHA256)
			}
			return
		}
	}
	t.Fatalf("no %s finding for %s: %+v", finding.BagModified, a, rep.Findings)
}
