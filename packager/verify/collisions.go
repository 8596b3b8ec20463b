package verify

import (
	"hash/maphash"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/bag"
)

// collisions finds the paths that name one file on case-insensitive or
// normalising file systems: those with one bag.CollisionKey. It keeps a
// 64-bit hash of each key with the first path that had it, not the key:
// a key is a string of its own whenever the path has an upper-case
// letter ("data/evidence/EV-0001/…" has), and the walk of a package of
// 20,000 evidence files records 40,000 of them while its listings are
// still held, as each manifest read records its lines'. The answers are
// exact: a path whose hash another key had first is told apart by its
// key.
type collisions struct {
	seed  maphash.Seed
	hash  func(seed maphash.Seed, key string) uint64 // when set, hashes in maphash.Bytes' stead (a test makes keys share a hash)
	first map[uint64]string                          // hash of a key -> the first path with that key
	other map[string]string                          // key -> the first path, for keys whose hash a different key had first
}

// newCollisions returns an empty record with room for size paths.
func newCollisions(size int) *collisions {
	return &collisions{seed: maphash.MakeSeed(), first: make(map[uint64]string, size)}
}

// add records path p and returns the path recorded first with its key,
// if one was (dup); p is then not recorded.
func (c *collisions) add(p string) (first string, dup bool) {
	var buf [256]byte
	k := collisionKey(buf[:0], p)
	var h uint64
	if c.hash != nil {
		h = c.hash(c.seed, string(k))
	} else {
		h = maphash.Bytes(c.seed, k)
	}
	f, ok := c.first[h]
	switch {
	case !ok:
		c.first[h] = p
		return "", false
	case bag.CollisionKey(f) == string(k):
		return f, true
	}
	if f, ok := c.other[string(k)]; ok {
		return f, true
	}
	if c.other == nil {
		c.other = map[string]string{}
	}
	c.other[string(k)] = p
	return "", false
}

// collisionKey appends bag.CollisionKey(p) to b. An ASCII path's key is
// the path with its letters lowered (NFC leaves ASCII as it is), made
// here byte by byte, in b: bag.CollisionKey makes a string of its own
// for every path with an upper-case letter, and a package of 20,000
// evidence files ("data/evidence/EV-…") has its walk and each manifest
// read make one for each of its paths, 60,000 strings (3.4 MB) in the
// verify-after-write.
func collisionKey(b []byte, p string) []byte {
	start := len(b) // what b held: a path that is not ASCII drops only its own bytes
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= utf8.RuneSelf {
			return append(b[:start], bag.CollisionKey(p)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
