package verify

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"

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

// TestCanonicalLine: a line as casepack writes it is read without
// scanLine (canonicalLine), its path the record's own string, and what it
// gives is what scanLine gives; any other line is left to scanLine.
func TestCanonicalLine(t *testing.T) {
	d := digests([]byte("x")).SHA256
	const held = "data/evidence/EV-0001/a.txt"
	v := &verifier{files: map[string]*fileState{held: {path: held}}}
	for _, c := range []struct {
		line string
		fast bool
	}{
		{d + "  " + held, true},
		{d + "  data/not/held.bin", true},
		{d + "  data/with space/x", true},
		{d + "  data/caf\u00e9", true},
		{strings.ToUpper(d) + "  " + held, false},
		{d + " " + held, false},
		{d + "\t" + held, false},
		{d + "   " + held, false},
		{d + "  \t" + held, false},
		{d + "  data/a%25b", false},
		{d + "  data/a\r", false},
		{d + "  data/a\rb", false},
		{d + "  ", false},
		{d, false},
		{d[:63] + "  " + held, false},
		{d + "0  " + held, false},
		{d[:63] + "g  " + held, false},
		{d + "  ../x", false},
		{d + "  /data/x", false},
		{d + "  data//x", false},
		{d + "  data/\x00", false},
		{d + "  data/\xff", false},
		{"", false},
	} {
		p, hex, ok := v.canonicalLine(bag.SHA256, []byte(c.line))
		if ok != c.fast {
			t.Errorf("%q: read as canonical %v, want %v", c.line, ok, c.fast)
		}
		if !ok {
			continue
		}
		e, le := scanLine(bag.SHA256, []byte(c.line))
		if le != nil || e.Path != p || e.Digest != string(hex) {
			t.Errorf("%q: canonicalLine gives %q, %q; scanLine %+v, %v", c.line, p, hex, e, le)
		}
		if p == held && unsafe.StringData(p) != unsafe.StringData(held) {
			t.Errorf("%q: the path of a file the package holds is a copy, not the record's string", c.line)
		}
	}
}

// FuzzCanonicalLine: whatever line canonicalLine reads, scanLine reads
// the same.
func FuzzCanonicalLine(f *testing.F) {
	d := digests([]byte("x")).SHA256
	for _, s := range []string{d + "  data/a", d + "  data/a%25", d + " \tdata/a", d + "  data/./a", strings.ToUpper(d) + "  data/a"} {
		f.Add(s)
	}
	v := &verifier{files: map[string]*fileState{"data/a": {path: "data/a"}}}
	f.Fuzz(func(t *testing.T, line string) {
		p, hex, ok := v.canonicalLine(bag.SHA256, []byte(line))
		if !ok {
			return
		}
		e, le := scanLine(bag.SHA256, []byte(line))
		if le != nil || e.Path != p || e.Digest != string(hex) {
			t.Errorf("%q: canonicalLine gives %q, %q; scanLine %+v, %v", line, p, hex, e, le)
		}
	})
}
