package schema

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/finding"
)

// Locating findings: the validator works on values, users work on lines. We
// do not keep an offset for every value while parsing (a 100,000-person case
// holds millions); instead all pointers that need a position are collected
// and found in one pass over the bytes, descending only along their paths.

type locNode struct {
	children map[string]*locNode
	off      int // offset of the value
	keyOff   int // offset of the member name, when the value is an object member
	found    bool
}

// locate fills in Line and Column of every finding from its pointer (or,
// for a case read from another form, where its Form places them).
// Findings whose pointer does not resolve (it should not happen) point at
// the start of the file.
func (d *Document) locate(fs []finding.Finding, keyPos []bool, subs, members []string) {
	if d.Form != nil {
		for i := range fs {
			var member string
			if members != nil {
				member = members[i]
			}
			d.Form.Place(&fs[i], keyPos != nil && keyPos[i], member)
		}
		return
	}
	root := &locNode{}
	for _, f := range fs {
		n := root
		for _, tok := range splitPointer(f.Pointer) {
			if n.children == nil {
				n.children = map[string]*locNode{}
			}
			c := n.children[tok]
			if c == nil {
				c = &locNode{}
				n.children[tok] = c
			}
			n = c
		}
	}
	w := walker{data: d.Data}
	w.ws()
	w.walk(root)
	offs := make([]int, len(fs))
	for i := range fs {
		n := root
		for _, tok := range splitPointer(fs[i].Pointer) {
			n = n.children[tok]
		}
		off := 0
		if n.found {
			off = n.off
			if keyPos != nil && keyPos[i] && n.keyOff > 0 {
				off = n.keyOff
			}
			if subs != nil && subs[i] != "" {
				if j := bytes.Index(w.data[off:w.end(off)], []byte(subs[i])); j >= 0 {
					off += j
				}
			}
		}
		offs[i] = off
	}
	d.positions(offs, func(i, line, col int) { fs[i].Line, fs[i].Column = line, col })
}

// positions is position for many offsets at once: one pass over the data
// in order of offset, counting lines as it goes, with no table of line
// starts (for a 100,000-person case that table alone is millions of
// entries, and building it cost more than the validation it served).
// set is called once for each offset, with its index.
func (d *Document) positions(offs []int, set func(i, line, col int)) {
	order := make([]int, len(offs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(offs[a], offs[b]) })
	line, lineStart, at := 1, 0, 0
	for _, i := range order {
		off := min(max(offs[i], 0), len(d.Data))
		if seg := d.Data[at:off]; len(seg) > 0 {
			if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
				line += n
				lineStart = at + bytes.LastIndexByte(seg, '\n') + 1
			}
			at = off
		}
		set(i, line, utf8.RuneCount(d.Data[lineStart:off])+1)
	}
}

// splitPointer splits an RFC 6901 pointer into its (still escaped) tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	var out []string
	start := 1
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}

// walker skims JSON that the parser has already accepted.
type walker struct {
	data []byte
	pos  int
}

func (w *walker) ws() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

func (w *walker) walk(n *locNode) {
	n.off, n.found = w.pos, true
	if n.children == nil || w.pos >= len(w.data) {
		w.skip()
		return
	}
	switch w.data[w.pos] {
	case '{':
		w.pos++
		for {
			w.ws()
			if w.pos >= len(w.data) || w.data[w.pos] == '}' {
				w.pos++
				return
			}
			keyOff := w.pos
			key := w.key()
			w.ws()
			w.pos++ // ':'
			w.ws()
			if c := n.children[escapeToken(key)]; c != nil {
				c.keyOff = keyOff
				w.walk(c)
			} else {
				w.skip()
			}
			w.ws()
			if w.pos < len(w.data) && w.data[w.pos] == ',' {
				w.pos++
			}
		}
	case '[':
		w.pos++
		for i := 0; ; i++ {
			w.ws()
			if w.pos >= len(w.data) || w.data[w.pos] == ']' {
				w.pos++
				return
			}
			if c := n.children[strconv.Itoa(i)]; c != nil {
				w.walk(c)
			} else {
				w.skip()
			}
			w.ws()
			if w.pos < len(w.data) && w.data[w.pos] == ',' {
				w.pos++
			}
		}
	default:
		w.skip()
	}
}

// key reads a member name, decoding escapes only when there are any.
func (w *walker) key() string {
	start := w.pos
	end := w.end(start)
	w.pos = end
	raw := w.data[start:end]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	p := parser{data: w.data, pos: start, doc: &Document{}}
	s, err := p.text()
	if err != nil {
		return ""
	}
	return s
}

// end returns the offset just past the value starting at off.
func (w *walker) end(off int) int {
	save := w.pos
	w.pos = off
	w.skip()
	e := w.pos
	w.pos = save
	return e
}

// skip moves past one value.
func (w *walker) skip() {
	d := w.data
	if w.pos >= len(d) {
		return
	}
	switch d[w.pos] {
	case '"':
		w.pos++
		for w.pos < len(d) {
			switch d[w.pos] {
			case '\\':
				w.pos += 2
			case '"':
				w.pos++
				return
			default:
				w.pos++
			}
		}
	case '{', '[':
		depth := 0
		for w.pos < len(d) {
			switch d[w.pos] {
			case '"':
				w.skip()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					w.pos++
					return
				}
			}
			w.pos++
		}
	default:
		for w.pos < len(d) {
			switch d[w.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			w.pos++
		}
	}
}
