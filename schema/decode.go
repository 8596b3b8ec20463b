package schema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/casepack/casepack/internal/digest"
)

// decodeTyped fills doc.Case from the bytes. The generic parse is the judge
// of syntax; this decode fills the typed model as far as the types allow
// (type mismatches are the schema's to report, located).
//
// encoding/json decodes about 70 MB/s on one core; a large case is mostly
// its collections, so their items are decoded on every core, each from its
// own byte range, found by a skim over the already-checked bytes.
//
// No value is dropped silently: a number the schema accepts but Go's types
// reject is read by value (30.0 and 3e1 are the whole number 30, as JSON
// Schema says) or, when it is too large to hold, left in doc.numbers for
// Validate to report where it stands.
func (doc *Document) decodeTyped(ctx context.Context) error {
	var c Case
	var jobs []decodeJob
	top, items, ok := topLevelRanges(doc.Data)
	if !ok {
		jobs = append(jobs, decodeJob{dst: &c, r: [2]int{0, len(doc.Data)}})
	}
	for key, r := range top {
		if dst := c.member(key); dst != nil {
			jobs = append(jobs, decodeJob{dst: dst, r: r, ptr: "/" + escapeToken(key)})
		}
	}
	for key, rs := range items {
		jobs = c.itemJobs(jobs, key, len(rs), func(i int) decodeJob { return decodeJob{r: rs[i]} })
	}
	return doc.runDecode(ctx, &c, jobs)
}

// decodeTree fills doc.Case from the generic tree of a case read from
// another form: each top-level member, and each item of the collections,
// is encoded as JSON on its own and decoded as decodeTyped decodes its
// bytes, on every core. With release, the tree is taken apart as it is
// decoded (its caller has let it go): each item is garbage once decoded, so
// a large case never holds its whole tree and its whole typed model at
// once.
func (doc *Document) decodeTree(ctx context.Context, tree any, release bool) error {
	var c Case
	var jobs []decodeJob
	root, ok := tree.(map[string]any)
	if !ok {
		jobs = append(jobs, decodeJob{dst: &c, fromTree: true, tree: tree})
	}
	for key, v := range root {
		if list, isList := v.([]any); isList && collectionKeys[key] {
			jobs = c.itemJobs(jobs, key, len(list), func(i int) decodeJob {
				j := decodeJob{fromTree: true, tree: list[i]}
				if release {
					list[i] = nil
				}
				return j
			})
			continue
		}
		if dst := c.member(key); dst != nil {
			jobs = append(jobs, decodeJob{dst: dst, fromTree: true, tree: v, ptr: "/" + escapeToken(key)})
			if release {
				root[key] = nil
			}
		}
	}
	return doc.runDecode(ctx, &c, jobs)
}

// member returns where the top-level member key of a case goes, or nil for
// a member the model does not have (the schema reports it).
func (c *Case) member(key string) any {
	switch key {
	case "$schema":
		return &c.Schema
	case "schema_version":
		return &c.SchemaVersion
	case "submission":
		return &c.Submission
	case "analysis":
		return &c.Analysis
	case "incidents":
		return &c.Incidents
	case "persons":
		return &c.Persons
	case "units":
		return &c.Units
	case "evidence":
		return &c.Evidence
	case "consents":
		return &c.Consents
	case "authorities":
		return &c.Authorities
	case "potential_cases":
		return &c.PotentialCases
	case "translations":
		return &c.Translations
	}
	return nil
}

// itemJobs adds a job for each of the n items of the collection key (one
// of collectionKeys), job(i) giving the item's source.
func (c *Case) itemJobs(jobs []decodeJob, key string, n int, job func(i int) decodeJob) []decodeJob {
	at := c.items(key, n)
	if at == nil {
		return jobs
	}
	jobs = slices.Grow(jobs, n) // one allocation, not a copy at every doubling
	for i := range n {
		j := job(i)
		j.dst, j.ptr = at(i), itemPointer(key, i)
		jobs = append(jobs, j)
	}
	return jobs
}

// items sizes the collection key (one of collectionKeys) for n items and
// returns where item i goes (a pointer to it); nil for another key.
func (c *Case) items(key string, n int) func(i int) any {
	switch key {
	case "incidents":
		return sized(&c.Incidents, n)
	case "persons":
		return sized(&c.Persons, n)
	case "units":
		return sized(&c.Units, n)
	case "evidence":
		return sized(&c.Evidence, n)
	case "consents":
		return sized(&c.Consents, n)
	}
	return nil
}

// sized makes *dst n zero items and returns where item i is.
func sized[T any](dst *[]T, n int) func(i int) any {
	*dst = make([]T, n)
	s := *dst
	return func(i int) any { return &s[i] }
}

// itemPointer is the JSON pointer of item i of the collection key.
func itemPointer(key string, i int) string { return "/" + key + "/" + strconv.Itoa(i) }

// runDecode runs the jobs on every core and makes c the document's case.
func (doc *Document) runDecode(ctx context.Context, c *Case, jobs []decodeJob) error {
	doc.Case = c
	doc.numbers = nil
	found := make([][]badNumber, len(jobs))
	err := digest.Each(ctx, len(jobs), 0, func(_ context.Context, i int) error {
		j := &jobs[i]
		var data []byte
		if j.fromTree {
			b, err := json.Marshal(j.tree)
			if err != nil {
				return fmt.Errorf("encode %s: %w", j.ptr, err)
			}
			data, j.tree = b, nil // the item's tree is garbage now
		} else {
			data = doc.Data[j.r[0]:j.r[1]]
		}
		found[i] = decodeValue(data, j.dst, j.ptr)
		return nil
	})
	for _, f := range found {
		doc.numbers = append(doc.numbers, f...)
	}
	dropEmptyGroups(c)
	return err
}

// decodeJob is one value to decode: from its bytes in doc.Data (r), or
// from its generic tree (a case read from another form).
type decodeJob struct {
	dst any
	r   [2]int
	ptr string // where the value is, e.g. /persons/3
	// fromTree: the value is tree, not bytes.
	fromTree bool
	tree     any
}

// badNumber is a number the typed model cannot hold.
type badNumber struct {
	ptr     string
	literal string
	integer bool // the model wanted a whole number
}

// finding says what is wrong with the number, in the schema's words.
func (b badNumber) finding() (msg, hint string) {
	hint = "a number this large is almost certainly a typing error: check the value"
	if !b.integer {
		return "is too large a number to hold, got " + b.literal, hint
	}
	if strings.HasPrefix(b.literal, "-") {
		return fmt.Sprintf("must be at least %d, got %s", int64(-1<<63), b.literal), hint
	}
	return fmt.Sprintf("must be at most %d, got %s", int64(1<<63-1), b.literal), hint
}

// maxNumberFixes bounds the re-decodes of one value, so that an item full
// of unusual numbers costs a bounded multiple of its decode, never more.
const maxNumberFixes = 32

// decodeValue decodes data into dst. encoding/json rejects a number its
// target type cannot hold and leaves the target zero, although the schema
// may accept it: 30.0 is a valid integer in JSON Schema but not in Go. Such
// a number is rewritten in a copy of data (as 30 when it is a whole number
// within range, as 0 otherwise) and the value decoded again; what could not
// be held is returned. Other decode errors are type mismatches the schema
// reports, located.
func decodeValue(data []byte, dst any, ptr string) []badNumber {
	err := json.Unmarshal(data, dst)
	var out []badNumber
	b := data
	for range maxNumberFixes {
		var te *json.UnmarshalTypeError
		if err == nil || !errors.As(err, &te) {
			break
		}
		lit, ok := strings.CutPrefix(te.Value, "number ")
		end := int(te.Offset)
		start := end - len(lit)
		if !ok || start < 0 || end > len(b) || string(b[start:end]) != lit {
			break
		}
		k := te.Type.Kind()
		isInt := reflect.Int <= k && k <= reflect.Uint64
		repl, whole := plainInteger(lit)
		if !whole || !isInt {
			out = append(out, badNumber{ptr: ptr + pointerAt(b, start), literal: lit, integer: isInt})
			repl = "0"
		}
		b = append(append(append(make([]byte, 0, len(b)-len(lit)+len(repl)), b[:start]...), repl...), b[end:]...)
		reflect.ValueOf(dst).Elem().SetZero()
		err = json.Unmarshal(b, dst)
	}
	return out
}

// plainInteger writes a JSON number as a plain integer (3e1 and 30.0 are
// 30) when it is a whole number within int64; ok is false otherwise. It
// never expands the exponent beyond what int64 can hold, so 1e999999999
// costs no more than 1e3.
func plainInteger(lit string) (string, bool) {
	neg := strings.HasPrefix(lit, "-")
	mant, exp, _ := strings.Cut(strings.TrimPrefix(lit, "-"), "e")
	if exp == "" {
		mant, exp, _ = strings.Cut(mant, "E")
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return "0", true // zero, whatever the exponent
	}
	e := 0
	if exp != "" {
		var err error
		if e, err = strconv.Atoi(strings.TrimPrefix(exp, "+")); err != nil {
			return "", false // too large to hold, or too small to be whole
		}
	}
	e -= len(frac)
	if e < 0 {
		if -e > len(digits) || strings.TrimRight(digits[len(digits)+e:], "0") != "" {
			return "", false // not a whole number
		}
		digits = digits[:len(digits)+e]
	} else {
		if len(digits)+e > 19 {
			return "", false
		}
		digits += strings.Repeat("0", e)
	}
	if neg {
		digits = "-" + digits
	}
	if _, err := strconv.ParseInt(digits, 10, 64); err != nil {
		return "", false
	}
	return digits, true
}

// pointerAt returns the JSON pointer, relative to the value data holds, of
// the innermost value that contains byte off.
func pointerAt(data []byte, off int) string {
	w := walker{data: data}
	w.ws()
	var ptr strings.Builder
	for w.pos < len(data) && (data[w.pos] == '{' || data[w.pos] == '[') {
		obj := data[w.pos] == '{'
		w.pos++
		for i := 0; ; i++ {
			w.ws()
			if w.pos >= len(data) || data[w.pos] == '}' || data[w.pos] == ']' {
				return ptr.String()
			}
			tok := strconv.Itoa(i)
			if obj {
				tok = escapeToken(w.key())
				w.ws()
				w.pos++ // ':'
				w.ws()
			}
			if end := w.end(w.pos); off >= w.pos && off < end {
				ptr.WriteString("/" + tok)
				break // descend into this member
			}
			w.skip()
			w.ws()
			if w.pos < len(data) && data[w.pos] == ',' {
				w.pos++
			}
		}
	}
	return ptr.String()
}

// collectionKeys are the top-level arrays whose items are decoded apart.
var collectionKeys = map[string]bool{"incidents": true, "persons": true, "units": true, "evidence": true, "consents": true}

// topLevelRanges finds the byte range of every top-level member of the case
// object, and of every item of the collections that are arrays. The last of
// duplicate members wins, as in encoding/json (the loader reports them).
func topLevelRanges(data []byte) (top map[string][2]int, items map[string][][2]int, ok bool) {
	w := walker{data: data}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		w.pos = 3
	}
	w.ws()
	if w.pos >= len(data) || data[w.pos] != '{' {
		return nil, nil, false
	}
	top, items = map[string][2]int{}, map[string][][2]int{}
	w.pos++
	for {
		w.ws()
		if w.pos >= len(data) || data[w.pos] == '}' {
			return top, items, true
		}
		key := w.key()
		w.ws()
		w.pos++ // ':'
		w.ws()
		if collectionKeys[key] && w.pos < len(data) && data[w.pos] == '[' {
			delete(top, key)
			var rs [][2]int
			w.pos++
			for {
				w.ws()
				if w.pos >= len(data) || data[w.pos] == ']' {
					w.pos++
					break
				}
				start := w.pos
				w.skip()
				rs = append(rs, [2]int{start, w.pos})
				w.ws()
				if w.pos < len(data) && data[w.pos] == ',' {
					w.pos++
				}
			}
			items[key] = rs
		} else {
			delete(items, key)
			start := w.pos
			w.skip()
			top[key] = [2]int{start, w.pos}
		}
		w.ws()
		if w.pos < len(data) && data[w.pos] == ',' {
			w.pos++
		}
	}
}
