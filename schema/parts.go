package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/casepack/casepack/internal/digest"
)

// Parts is the generic tree of a case read from another form (a workbook)
// held in pieces: the case without its large lists, and each item of those
// lists built on demand. Validate (Document.Parts) checks each item against
// its schema and decodes it into the typed model as soon as it is built,
// then lets it go, so that a large case never holds its whole generic tree —
// several times the size of the typed model — at once. The findings, the
// typed model and the Canonical bytes are those Validate gives for the
// whole tree.
type Parts interface {
	// Root is the case without the top-level lists Lists names.
	Root() map[string]any
	// Lists names the top-level lists held apart, each with its number of
	// items (at least one).
	Lists() map[string]int
	// Item builds item i of the top-level list key, anew at each call. It
	// is called once per item, from several goroutines at once.
	Item(key string, i int) any
}

// partItem is the outcome of one item of a streamed list.
type partItem struct {
	err     error // the schema's verdict on the item
	value   any   // the item's tree, kept only when the schema found a problem
	numbers []badNumber
}

// parts validates and decodes a case held as Parts: the root, with each
// streamed list cut to its first item (so that the root's own rules, such
// as minItems, hold), then every other item against the schema of its list,
// each decoded as soon as it is checked. It leaves doc.Case and doc.Data
// set (Data nil with Options.NoCanonical), doc.Value nil and doc.Parts nil.
func (v *vctx) parts(ctx context.Context) error {
	doc := v.doc
	p := doc.Parts
	doc.Parts = nil
	sch, err := Compiled()
	if err != nil {
		return fmt.Errorf("compile the embedded schema: %w", err)
	}
	schemas, quicks := collectionSchemas(), quickCollections()
	root := p.Root()
	trimmed := maps.Clone(root)
	type stream struct {
		key    string
		n      int
		schema *jsonschema.Schema
		first  any
	}
	var streams []stream
	lists := p.Lists()
	keys := make([]string, 0, len(lists))
	for key := range lists {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		n := lists[key]
		if s := schemas[key]; s != nil && collectionKeys[key] {
			first := p.Item(key, 0)
			trimmed[key] = []any{first}
			streams = append(streams, stream{key: key, n: n, schema: s, first: first})
			continue
		}
		// A list the model does not decode item by item: whole, as the
		// tree would hold it.
		items := make([]any, n)
		for i := range items {
			items[i] = p.Item(key, i)
		}
		root[key], trimmed[key] = items, items
	}
	if err := v.collect(sch.Validate(trimmed), nil, trimmed); err != nil {
		return err
	}
	// The root's members are decoded as from the whole tree; the streamed
	// lists are left out of it and decoded below, item by item.
	if err := doc.decodeTree(ctx, root, true); err != nil {
		return err
	}
	c := doc.Case
	var jobs []decodeJob
	starts := make([]int, len(streams))
	for k, s := range streams {
		starts[k] = len(jobs)
		jobs = c.itemJobs(jobs, s.key, s.n, func(int) decodeJob { return decodeJob{} })
	}
	results := make([]partItem, len(jobs))
	err = digest.Each(ctx, len(jobs), 0, func(_ context.Context, i int) error {
		k := sort.Search(len(starts), func(k int) bool { return starts[k] > i }) - 1
		s, idx := streams[k], i-starts[k]
		var item any
		if idx == 0 {
			item = s.first // checked with the root
		} else {
			item = p.Item(s.key, idx)
			// The library only for an item not surely valid (fastvalid.go).
			if !surelyValid(quicks[s.key], item) {
				if err := s.schema.Validate(item); err != nil {
					results[i] = partItem{err: err, value: item}
				}
			}
		}
		data, ok := appendTree(nil, item)
		if !ok {
			var err error
			if data, err = json.Marshal(item); err != nil {
				return fmt.Errorf("encode %s: %w", jobs[i].ptr, err)
			}
		}
		results[i].numbers = decodeValue(data, jobs[i].dst, jobs[i].ptr)
		return nil
	})
	if err != nil {
		return err
	}
	for k, s := range streams {
		for idx := 1; idx < s.n; idx++ {
			r := &results[starts[k]+idx]
			if r.err == nil {
				continue
			}
			if err := v.collect(r.err, []string{s.key, strconv.Itoa(idx)}, r.value); err != nil {
				return err
			}
		}
	}
	for i := range results {
		doc.numbers = append(doc.numbers, results[i].numbers...)
	}
	dropEmptyGroups(c)
	if !v.noCanonical {
		doc.Data, err = Canonical(c)
	}
	return err
}

// appendTree appends the JSON of a generic tree as json.Marshal writes it
// for decoding — keys sorted (encoding/json matches keys to fields without
// regard to case, so with two such keys the order decides), texts escaped
// where JSON requires it — at a fraction of its cost. ok is false for a
// tree it leaves to json.Marshal: a kind other than a JSON parser's, text
// that is not valid UTF-8 (which json.Marshal replaces), a json.Number
// json.Marshal would refuse.
func appendTree(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case string:
		return appendText(b, v)
	case json.Number:
		if !isJSONNumber(string(v)) {
			return b, false
		}
		return append(b, v...), true
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendTree(b, x); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		var small [16]string
		keys := small[:0]
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendText(b, k); !ok {
				return b, false
			}
			b = append(b, ':')
			if b, ok = appendTree(b, v[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// appendText appends s as a JSON string; false if s is not valid UTF-8.
func appendText(b []byte, s string) ([]byte, bool) {
	if !utf8.ValidString(s) {
		return b, false
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), true
}

// isJSONNumber reports whether s is a number as JSON writes it.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
