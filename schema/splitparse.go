package schema

import (
	"bytes"
	"context"
	"errors"

	"github.com/casepack/casepack/internal/digest"
)

// Parsing a large case on every core. A case is one object whose bulk is a
// few arrays (persons, evidence, …) of small objects; parsing it is most of
// what validate waits for before it can check anything. parseSplit parses
// the case object's own members in one pass but only skims over the items
// of its arrays, noting where each begins and ends; the items are then
// parsed by the same parser on every core, in runs of neighbours.
//
// It is an optimisation, never a second judge: it gives up (ok false) at
// the first thing that is not plain valid JSON — a syntax error anywhere, a
// duplicate key, a case that is not an object, too deep a nesting — and
// the one-pass parser then reads the file again and reports what it finds,
// exactly as it always has. What parseSplit accepts, the one-pass parser
// accepts too, as the same tree (FuzzParseSplit checks both).

// splitMin is the smallest case parsed on every core: below it, one pass is
// quicker than starting the workers (lowered by tests).
var splitMin = 1 << 20

// splitItem is one array item still to parse: its bytes, where its value
// goes, and which item of which member of the case object it is.
type splitItem struct {
	start, end int
	dst        *any
	member     int // index in skimmed.members
	idx        int // index in its array
}

// skimmed is the case object after the skim: its members, the arrays
// among them still empty, and the items to parse.
type skimmed struct {
	root    map[string]any
	members []skimMember
	items   []splitItem
}

// skimMember is one member of the case object: its value's bytes and, for
// an array, which items are its own.
type skimMember struct {
	key        string
	start, end int
	array      bool
	first, n   int // its items: items[first : first+n]
}

// parseSplit parses data (from off, past a BOM) as parser.value(0) does,
// on every core; ok is false when the one-pass parser must read it
// instead. data must be valid UTF-8 (parseGeneric checks it first).
func parseSplit(ctx context.Context, data []byte, off int) (v any, ok bool) {
	sk, ok := skimCase(data, off)
	if !ok {
		return nil, false
	}
	err := parseItems(ctx, data, sk.items, func(_ int, it splitItem, v any) error {
		*it.dst = v
		return nil
	})
	if err != nil {
		return nil, false
	}
	return sk.root, true
}

// skimCase parses the case object's own members, skimming over the items
// of its arrays; ok is false at anything the one-pass parser must report.
func skimCase(data []byte, off int) (sk *skimmed, ok bool) {
	p := parser{data: data, pos: off, doc: &Document{}}
	p.ws()
	if p.pos >= len(data) || data[p.pos] != '{' {
		return nil, false
	}
	p.pos++
	sk = &skimmed{root: map[string]any{}}
	for first := true; ; first = false {
		p.ws()
		if first && p.pos < len(data) && data[p.pos] == '}' {
			p.pos++
			break
		}
		if p.pos >= len(data) || data[p.pos] != '"' {
			return nil, false
		}
		key, err := p.text()
		if err != nil {
			return nil, false
		}
		if _, dup := sk.root[key]; dup {
			return nil, false // the one-pass parser says where
		}
		p.ws()
		if p.pos >= len(data) || data[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		p.ws()
		m := skimMember{key: key, start: p.pos}
		if p.pos < len(data) && data[p.pos] == '[' {
			var arr []any
			m.array, m.first = true, len(sk.items)
			if arr, sk.items, ok = skimArray(&p, sk.items, len(sk.members)); !ok {
				return nil, false
			}
			m.n = len(arr)
			sk.root[key] = arr
		} else {
			v, err := p.value(1)
			if err != nil || len(p.dups) > 0 {
				return nil, false
			}
			sk.root[key] = v
		}
		m.end = p.pos
		sk.members = append(sk.members, m)
		p.ws()
		if p.pos >= len(data) {
			return nil, false
		}
		if data[p.pos] == '}' {
			p.pos++
			break
		}
		if data[p.pos] != ',' {
			return nil, false
		}
		p.pos++
	}
	p.ws()
	if p.pos != len(data) {
		return nil, false // trailing data
	}
	return sk, true
}

// skimArray moves p past the array at p.pos (a member of the case object),
// adding each of its items to items, and returns the array the items will
// fill.
func skimArray(p *parser, items []splitItem, member int) ([]any, []splitItem, bool) {
	d := p.data
	p.pos++ // [
	first := len(items)
	p.ws()
	if p.pos < len(d) && d[p.pos] == ']' {
		p.pos++
		return []any{}, items, true
	}
	for {
		p.ws()
		end, ok := skimValue(d, p.pos)
		if !ok {
			return nil, items, false
		}
		items = append(items, splitItem{start: p.pos, end: end, member: member, idx: len(items) - first})
		p.pos = end
		p.ws()
		if p.pos >= len(d) {
			return nil, items, false
		}
		if d[p.pos] == ']' {
			p.pos++
			break
		}
		if d[p.pos] != ',' {
			return nil, items, false
		}
		p.pos++
	}
	arr := make([]any, len(items)-first)
	for i := range arr {
		items[first+i].dst = &arr[i]
	}
	return arr, items, true
}

// skimValue returns the offset just past the value starting at off,
// checking nothing but where it ends: strings are skipped whole, brackets
// counted. ok is false when the data ends first, or when there is no value
// at off.
func skimValue(d []byte, off int) (end int, ok bool) {
	i := off
	depth := 0
	for i < len(d) {
		switch c := d[i]; c {
		case '"':
			j, ok := skimString(d, i)
			if !ok {
				return 0, false
			}
			i = j
			if depth == 0 {
				return i, true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return 0, false // no value here
			}
			depth--
			if depth == 0 {
				return i + 1, true
			}
		default:
			if depth == 0 {
				// A number or literal: it ends where the next token starts.
				for i < len(d) {
					switch d[i] {
					case ',', '}', ']', ' ', '\t', '\n', '\r', '"', '{', '[':
						return i, i > off
					}
					i++
				}
				return i, i > off
			}
		}
		i++
	}
	return 0, false
}

// skimString returns the offset just past the string whose opening quote
// is at off.
func skimString(d []byte, off int) (int, bool) {
	i := off + 1
	for {
		j := bytes.IndexByte(d[i:], '"')
		if j < 0 {
			return 0, false
		}
		q := i + j
		// The quote closes the string unless an odd run of backslashes
		// escapes it.
		n := 0
		for k := q - 1; k > off && d[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true
		}
		i = q + 1
	}
}

// parseItems parses the skimmed items on every core, in runs of
// neighbours of about equal size, and gives each to fn with the index of
// its run (fn may keep state per run; runs are numbered from 0 to
// itemRuns). It returns errGiveUp when an item is not one valid value
// spanning exactly its bytes, or holds a duplicate key; or fn's error; or
// ctx's cause.
func parseItems(ctx context.Context, data []byte, items []splitItem, fn func(run int, it splitItem, v any) error) error {
	bounds := runBounds(items)
	return digest.Each(ctx, len(bounds)-1, 0, func(ctx context.Context, r int) error {
		p := parser{data: data, doc: &Document{}}
		for _, it := range items[bounds[r]:bounds[r+1]] {
			if ctx.Err() != nil {
				return nil // another run gave up
			}
			p.data, p.pos = data[:it.end], it.start
			v, err := p.value(2) // an item of an array in the case object
			if err != nil || p.pos != it.end || len(p.dups) > 0 {
				return errGiveUp
			}
			if err := fn(r, it, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// itemRuns is the number of runs parseItems cuts items into: several per
// core, so that a core given less time by a busy machine does not hold the
// others up.
func itemRuns() int { return 8 * digest.Workers(0) }

// runBounds cuts items into at most itemRuns runs of neighbours of about
// equal size in bytes: run r is items[bounds[r]:bounds[r+1]].
func runBounds(items []splitItem) []int {
	bounds := []int{0}
	if len(items) == 0 {
		return bounds
	}
	total := items[len(items)-1].end - items[0].start
	per := total/itemRuns() + 1
	for i, at := 1, items[0].start; i < len(items); i++ {
		if items[i].end-at > per && len(bounds) < itemRuns() {
			bounds = append(bounds, i)
			at = items[i].start
		}
	}
	return append(bounds, len(items))
}

// errGiveUp stops the other runs when one finds what only the one-pass
// parser may report.
var errGiveUp = errors.New("not plain valid JSON")
