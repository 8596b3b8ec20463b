package verify

import (
	"encoding/hex"

	"github.com/casepack/casepack/packager/bag"
)

// A manifest line's digest is kept (side.entries) as its bytes, half the
// hex the line spells it in: for the verify-after-write of 20,000 files
// the SHA-512 lines were 2.5 MB of its live heap, for `casepack verify`
// both digests' lines 3.8 MB beside the 1.3 MB of SHA-256 it computes. A
// line whose digest is the one the caller handed for the file
// (Options.Hashed) shares that string instead (fileState.keep). A line is
// read (bag.ScanManifestLine) only with a digest of its algorithm's length
// in hex, lower-cased, so nothing of it is lost; what a line of another
// tool's bag gives (readForeignManifest) is kept as it is. Which one a
// kept digest is, its length says: the hex is twice the bytes.

// packLine returns how side.entries keeps digest d of a line of a manifest
// of alg for the file fst (nil when the package does not hold it). d is
// bag.HexLen(alg) hex digits, as a line is read with no other: a string,
// or the bytes of the line (canonicalLine), which no string is made of
// unless kept as they are.
func packLine[T string | []byte](fst *fileState, alg string, d T) string {
	if fst != nil && fst.given && fst.digest(alg) == string(d) {
		return fst.digest(alg)
	}
	if len(d) != bag.HexLen(alg) || len(d) > 2*maxDigestBytes {
		return string(d)
	}
	var b [maxDigestBytes]byte
	for i := range len(d) / 2 {
		hi, ok1 := lowerHex(d[2*i])
		lo, ok2 := lowerHex(d[2*i+1])
		if !ok1 || !ok2 {
			return string(d)
		}
		b[i] = hi<<4 | lo
	}
	return string(b[:len(d)/2])
}

// maxDigestBytes is the longest digest packLine keeps as bytes (SHA-512).
const maxDigestBytes = 64

// lowerHex is the value of the lower-case hex digit c.
func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// packed says whether kept, a digest side.entries keeps, is its bytes.
func (s *side) packed(kept string) bool {
	return 2*len(kept) == bag.HexLen(s.alg)
}

// line returns the digest of s's line for path p as the line spells it
// (lower-case hex), "" when s has none.
func (s *side) line(p string) string {
	kept := s.entries[p]
	if s.packed(kept) {
		return hex.EncodeToString([]byte(kept))
	}
	return kept
}

// lineIs says whether s has a line for path p with digest d (as a line
// spells it), without spelling the line out.
func (s *side) lineIs(p, d string) bool {
	kept, ok := s.entries[p]
	switch {
	case !ok:
		return false
	case !s.packed(kept):
		return kept == d
	case len(d) != 2*len(kept):
		return false
	}
	const digits = "0123456789abcdef"
	for i := range len(kept) {
		if d[2*i] != digits[kept[i]>>4] || d[2*i+1] != digits[kept[i]&0xf] {
			return false
		}
	}
	return true
}
