package verify

import (
	"hash/maphash"

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
	hash  func(seed maphash.Seed, key string) uint64 // maphash.String; a test makes keys share a hash
	first map[uint64]string                          // hash of a key -> the first path with that key
	other map[string]string                          // key -> the first path, for keys whose hash a different key had first
}

// newCollisions returns an empty record with room for size paths.
func newCollisions(size int) *collisions {
	return &collisions{seed: maphash.MakeSeed(), hash: maphash.String, first: make(map[uint64]string, size)}
}

// add records path p and returns the path recorded first with its key,
// if one was (dup); p is then not recorded.
func (c *collisions) add(p string) (first string, dup bool) {
	k := bag.CollisionKey(p)
	h := c.hash(c.seed, k)
	f, ok := c.first[h]
	switch {
	case !ok:
		c.first[h] = p
		return "", false
	case bag.CollisionKey(f) == k:
		return f, true
	}
	if f, ok := c.other[k]; ok {
		return f, true
	}
	if c.other == nil {
		c.other = map[string]string{}
	}
	c.other[k] = p
	return "", false
}
