package schema

import (
	"math/rand/v2"
	"testing"
)

// TestPositionsMatchPosition: the one-pass positions of many offsets, in
// any order and repeated, are what position says of each alone (lines
// from 1, columns in characters from 1), including offsets on a line
// break, past the end and in multi-byte text.
func TestPositionsMatchPosition(t *testing.T) {
	data := []byte("{\n  \"a\": \"Víctima ñ\",\r\n\n  \"b\": [1,\n 2]\n}")
	d := &Document{Data: data}
	var offs []int
	for off := 0; off <= len(data)+2; off++ {
		offs = append(offs, off)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(offs), func(i, j int) { offs[i], offs[j] = offs[j], offs[i] })
	offs = append(offs, offs[:5]...)
	seen := 0
	d.positions(offs, func(i, line, col int) {
		seen++
		wl, wc := d.position(offs[i])
		if line != wl || col != wc {
			t.Errorf("offset %d: positions says %d:%d, position %d:%d", offs[i], line, col, wl, wc)
		}
	})
	if seen != len(offs) {
		t.Errorf("set called %d times for %d offsets", seen, len(offs))
	}
}
