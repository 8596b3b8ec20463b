package verify

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// The reader of a package's manifests as it was before canonicalLine and
// collisionKey (commit c19e12c), kept as the oracle the fast paths are
// held to: every line is read with scanLine, every collision key made by
// bag.CollisionKey and held in a map, every digest packed from its
// string. readLines must give what slowReadLines gives, manifest for
// manifest: the entries kept, their counts, and every finding in order.
func slowReadLines(v *verifier, s *side, isTag bool) {
	name, alg := s.name, s.alg
	size := 0
	if !isTag {
		size = v.sizeHint(name, minManifestLine)
	}
	s.entries = make(map[string]string, size)
	var (
		keys       = map[string]string{} // collision key -> the first path
		canonical  = true
		lineErrors = false
		prev       string
	)
	ok := v.eachLine(s, nil, func(n int, text []byte, hasNL bool) {
		e, le := scanLine(alg, text)
		switch {
		case le != nil:
			lineErrors = true
			v.lineError(name, n, le)
		default:
			if canonical && (!hasNL || e.Path <= prev && n > 1 || !isLine(text, e.Digest, bag.EncodePath(e.Path))) {
				canonical = false
			}
			prev = e.Path
			slowKeepEntry(v, s, e, isTag, keys)
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

func slowKeepEntry(v *verifier, s *side, e bag.Entry, isTag bool, keys map[string]string) {
	if msg := wrongScope(e.Path, isTag, false); msg != "" {
		v.add(finding.Finding{Code: finding.BagPathUnsafe, Path: s.name, Message: fmt.Sprintf("lists %q, %s", e.Path, msg)})
		return
	}
	fst, exists := v.files[e.Path]
	if !exists {
		if s.ghosts >= maxGhosts {
			s.dropped++
			return
		}
		s.ghosts++
	} else {
		e.Path = fst.path
	}
	k := bag.CollisionKey(e.Path)
	if first, dup := keys[k]; dup {
		if first == e.Path {
			v.add(finding.Finding{Code: finding.BagPathCollision, Path: s.name, Message: fmt.Sprintf("lists %q twice", e.Path)})
		} else {
			v.add(finding.Finding{Code: finding.BagPathCollision, Path: s.name, Message: fmt.Sprintf("lists %q and %q, the same file on case-insensitive or normalising filesystems", first, e.Path)})
		}
		return
	}
	keys[k] = e.Path
	s.entries[e.Path] = slowPackLine(fst, s.alg, e.Digest)
}

func slowPackLine(fst *fileState, alg, d string) string {
	if fst != nil && fst.given && fst.digest(alg) == d {
		return fst.digest(alg)
	}
	if len(d) != bag.HexLen(alg) || len(d) > 2*maxDigestBytes {
		return d
	}
	var b [maxDigestBytes]byte
	for i := range len(d) / 2 {
		hi, ok1 := lowerHex(d[2*i])
		lo, ok2 := lowerHex(d[2*i+1])
		if !ok1 || !ok2 {
			return d
		}
		b[i] = hi<<4 | lo
	}
	return string(b[:len(d)/2])
}

// heldPaths are the files of the package the fuzzed manifests are read
// against: paths that fold or normalise into one another, a "%" and a
// CR in a name, a space, tag files.
var heldPaths = []string{
	"data/a", "data/A", "data/b c", "data/caf\u00e9", "data/cafe\u0301", "data/x%25y", "data/x%y",
	"data/r\r", "data/\u212a", "data/k", "data/\u00df", "data/ss",
	"bagit.txt", "bag-info.txt", bag.CasepackManifestPath,
}

// expandDigests stands for a digest of alg where the fuzzed text has a
// byte 0x01 (in lower-case hex, the digest Options.Hashed gave data/a)
// or 0x02 (in upper case), so that the fuzzer reaches well-formed lines.
func expandDigests(text []byte, alg string) []byte {
	d := digestOf(alg)
	text = bytes.ReplaceAll(text, []byte{1}, []byte(d))
	return bytes.ReplaceAll(text, []byte{2}, []byte(strings.ToUpper(d)))
}

func digestOf(alg string) string {
	ds := digests([]byte("x"))
	if alg == bag.SHA512 {
		return ds.SHA512
	}
	return ds.SHA256
}

// readBoth reads text as manifest name of alg with readLines and with
// slowReadLines, each against a record of heldPaths of its own, and
// returns what each kept and found.
func readBoth(text []byte, alg string, isTag bool) (fast, slow *side, fastFound, slowFound []finding.Finding) {
	name := bag.ManifestName(alg)
	if isTag {
		name = bag.TagManifestName(alg)
	}
	fsys := fstest.MapFS{name: {Data: text}}
	read := func(f func(v *verifier, s *side)) (*side, []finding.Finding) {
		files := map[string]*fileState{name: {path: name, size: int64(len(text))}}
		for _, p := range heldPaths {
			files[p] = &fileState{path: p, size: 1}
		}
		a := files["data/a"]
		a.given, a.hashed = true, true
		a.d.SHA256, a.d.SHA512 = digestOf(bag.SHA256), digestOf(bag.SHA512)
		var found []finding.Finding
		v := &verifier{fsys: fsys, pkg: &Package{}, files: files, payload: len(heldPaths), record: &found}
		s := &side{name: name, alg: alg}
		f(v, s)
		return s, found
	}
	fast, fastFound = read(func(v *verifier, s *side) { v.readLines(s, isTag) })
	slow, slowFound = read(func(v *verifier, s *side) { slowReadLines(v, s, isTag) })
	return fast, slow, fastFound, slowFound
}

// checkBoth fails t where readLines and slowReadLines read text apart.
func checkBoth(t *testing.T, text []byte) {
	t.Helper()
	for _, alg := range bag.Algorithms {
		for _, isTag := range []bool{false, true} {
			text := expandDigests(text, alg)
			fast, slow, ff, sf := readBoth(text, alg, isTag)
			if !maps.Equal(fast.entries, slow.entries) || fast.ghosts != slow.ghosts || fast.dropped != slow.dropped ||
				fast.longLines != slow.longLines || fast.present != slow.present {
				t.Errorf("%s (tag %v) of %q: readLines kept %q (ghosts %d), the old reader %q (ghosts %d)",
					alg, isTag, text, fast.entries, fast.ghosts, slow.entries, slow.ghosts)
			}
			if !reflect.DeepEqual(ff, sf) {
				t.Errorf("%s (tag %v) of %q: readLines found\n%+v\nthe old reader\n%+v", alg, isTag, text, ff, sf)
			}
		}
	}
}

// TestReadLinesAsBefore: manifests with lines the fast path takes and
// lines it leaves to scanLine, mixed, read as the old reader read them:
// every entry and finding, whether the manifest is canonical included.
func TestReadLinesAsBefore(t *testing.T) {
	for _, text := range []string{
		"\x01  data/a\n",
		"\x01  data/a",                 // no LF: not canonical
		"\x01  data/a\r\n",             // CRLF
		"\x01  data/a\n\x01  data/a\n", // twice
		"\x01  data/A\n\x01  data/a\n", // case-folded, both held
		"\x01  data/B\n\x01  data/b\n", // case-folded, neither held
		"\x01  data/caf\u00e9\n\x01  data/cafe\u0301\n",
		"\x01  data/\u212a\n\x01  data/k\n", // KELVIN SIGN lowers to k
		"\x01  data/\u00df\n\x01  data/ss\n",
		"\x01  data/b c\n\x01  data/x%25y\n\x01  data/x%y\n",
		"\x01  data/r%0D\n\x01  data/r\r\n",
		"\x02  data/a\n",               // upper-case hex: read, not canonical
		"\x01 data/a\n",                // one space
		"\x01\tdata/a\n",               // a tab
		"\x01   data/a\n",              // three spaces
		"\x01  \tdata/a\n",             // spaces and a tab
		"\x01  data/a \n",              // a trailing space is the path's
		"\x01  data/a\v\n",             // so is a vertical tab
		"\x01  \vdata/a\n",             // a leading one too
		"\x01  \u00a0data/a\n",         // NO-BREAK SPACE
		"\ufeff\x01  data/a\n",         // a BOM
		"\x01  data/b\n\x01  data/a\n", // out of order
		"\x01  data/a\n\n\x01  data/b\n",
		"\x01  ../x\n\x01  /x\n\x01  data//x\n\x01  data/./x\n\x01  data/\x00\n\x01  data/\xff\n\x01  data\\x\n\x01  C:/x\n\x01  ~x\n",
		"\x01  bagit.txt\n\x01  tagmanifest-sha256.txt\n\x01  signatures/x.sig\n",
		"\x010  data/a\n" + "0\x01  data/a\n",
		"\x01  data/" + strings.Repeat("\u00c5", 200) + "\n\x01  data/" + strings.Repeat("A\u030a", 200) + "\n", // past collisionKey's stack buffer
		"\x01  data/" + strings.Repeat("Q", 300) + "\n\x01  data/" + strings.Repeat("q", 300) + "\n",
		"\x01  data/" + strings.Repeat("x", maxManifestLine) + "\n\x01  data/a\n", // a line too long
	} {
		checkBoth(t, []byte(text))
	}
}

// FuzzReadLinesAsBefore: whatever a manifest holds, readLines keeps and
// finds what the reader before canonicalLine and collisionKey did. A
// byte 0x01 stands for a lower-case digest, 0x02 for an upper-case one.
func FuzzReadLinesAsBefore(f *testing.F) {
	for _, s := range []string{
		"\x01  data/a\n\x01  data/A\n",
		"\x01  data/caf\u00e9\n\x02  data/cafe\u0301\n",
		"\x01 \tdata/x%25y\r\n\x01  data/b c",
		"\x01  data/\u212a\n\x01  ../x\n\x01  bagit.txt\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 4096 {
			return
		}
		checkBoth(t, text)
	})
}
