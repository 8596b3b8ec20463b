package verify

import (
	"hash/maphash"
	"io/fs"
	"testing"
	"unsafe"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// TestCollisionsExact: the record of collision keys is held as 64-bit
// hashes, but its answers are the keys': paths whose keys share a hash
// (here every key has one) are still told apart, and a path collides
// with the first path of its own key only.
func TestCollisionsExact(t *testing.T) {
	for _, name := range []string{"maphash", "one hash for every key"} {
		c := newCollisions(0)
		if name != "maphash" {
			c.hash = func(maphash.Seed, string) uint64 { return 7 }
		}
		for _, step := range []struct{ p, first string }{
			{"data/A.txt", ""},
			{"data/b.txt", ""},
			{"data/a.txt", "data/A.txt"},
			{"data/B.TXT", "data/b.txt"},
			{"data/caf\u00e9", ""},
			{"data/cafe\u0301", "data/caf\u00e9"}, // the same name in NFD
			{"data/A.txt", "data/A.txt"},
			{"data/c.txt", ""},
		} {
			first, dup := c.add(step.p)
			if first != step.first || dup != (step.first != "") {
				t.Errorf("%s: add(%q) = %q, %v; want %q", name, step.p, first, dup, step.first)
			}
		}
	}
}

// TestWalkRecordCompact: the walk's tree of listings is 40 bytes an
// entry (it was 88 with the listing's own record and name), and each
// listing is let go once visited.
func TestWalkRecordCompact(t *testing.T) {
	if n := unsafe.Sizeof(dirEnt{}); n > 40 {
		t.Errorf("a listed entry takes %d bytes, want at most 40", n)
	}
	sub := &dirNode{path: "data", ents: []dirEnt{{p: "data/x", typ: 0, fst: &fileState{path: "data/x", size: 1}}}}
	top := &dirNode{path: ".", ents: []dirEnt{{p: "data", typ: fs.ModeDir, sub: sub}}}
	v := &verifier{files: map[string]*fileState{}, perCode: map[finding.Code]int{}, over: map[finding.Code]int{}}
	if err := v.visitTree(top, newCollisions(2), func(*fileState) {}); err != nil {
		t.Fatal(err)
	}
	if top.ents != nil || sub.ents != nil {
		t.Error("a listing is held after it was visited")
	}
	if v.files["data/x"] == nil {
		t.Error("the visit did not record data/x")
	}
}

// FuzzCollisionKey: the key collisionKey makes of a path, into an empty
// buffer or after what a buffer holds, is bag.CollisionKey's.
func FuzzCollisionKey(f *testing.F) {
	for _, s := range []string{"data/A.txt", "data/caf\u00e9", "data/cafe\u0301", "data/\u212a", "DATA/\xff", "data/\u0130"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		var buf [8]byte
		if got, want := string(collisionKey(buf[:0], p)), bag.CollisionKey(p); got != want {
			t.Errorf("collisionKey(%q) = %q, bag.CollisionKey %q", p, got, want)
		}
		if got, want := string(collisionKey([]byte("pre/"), p)), "pre/"+bag.CollisionKey(p); got != want {
			t.Errorf("collisionKey after %q of %q = %q, want %q", "pre/", p, got, want)
		}
	})
}

// TestCollisionKeyASCII: collisionKey lowers exactly the letters
// bag.CollisionKey lowers, for every byte, the bounds of "A"-"Z" among
// them, and leaves to it every path that is not ASCII.
func TestCollisionKeyASCII(t *testing.T) {
	for c := range 256 {
		p := "data/" + string([]byte{byte(c)}) + "Z@[`{"
		for _, p := range []string{p, p + "\u00c5", p + "A\u030a"} {
			var buf [4]byte
			if got, want := string(collisionKey(buf[:0], p)), bag.CollisionKey(p); got != want {
				t.Errorf("collisionKey(%q) = %q, want %q", p, got, want)
			}
		}
	}
}
