package schema

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/finding"
)

// Validating a large case.json item by item. Parsing the whole file into
// a generic tree, validating the tree and then decoding the typed model
// from the bytes holds the tree (several times the file) in memory and
// walks every value three times, each walk waiting for the one before.
// validateByItem instead skims the case object (skimCase) and hands each
// item of its arrays to a core that parses it, validates it against its
// item schema, decodes it into the typed model from its bytes and lets
// its tree go: one pass per item, on every core, with only the items in
// hand alive. The case object itself is then validated with each array cut
// to its first item, as schema does, and the rest of Validate follows.
//
// It reports exactly what parseGeneric and Validate report: the same
// item schemas, the same messages (collect), the same decode. Whatever the
// skim or an item's parse does not accept — a syntax error, a duplicate
// key, invalid UTF-8 — makes it give up, and LoadAndValidate reads the file
// the one-pass way, which finds and locates the problem as it always has
// (TestValidateByItem compares the two on valid and invalid cases).

// validateByItem is LoadAndValidate for the bytes of a case.json; ok is
// false when the file must be read the one-pass way instead (it is small,
// or not plain valid JSON).
func validateByItem(ctx context.Context, file string, data []byte, opt Options) (doc *Document, fs []finding.Finding, ok bool, err error) {
	if len(data) < splitMin {
		return nil, nil, false, nil
	}
	off := 0
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		off = 3
	}
	// The UTF-8 check and the skim each need a core for a moment before
	// the items can be shared out: they run side by side. The skim reads
	// bytes whatever they are; what it found is used only if all are text.
	valid := make(chan bool, 1)
	go func() { valid <- utf8.Valid(data) }()
	sk, ok := skimCase(data, off)
	if !<-valid || !ok {
		return nil, nil, false, nil
	}
	sch, err := Compiled()
	if err != nil {
		return nil, nil, true, err
	}
	schemas, quicks := collectionSchemas(), quickCollections()
	doc = &Document{Path: file, Dir: filepath.Dir(file), Data: data}

	// Where each member goes in the typed model, as decodeTyped decides:
	// the items of a collection one by one (itemAt: where item i of the
	// member goes, nil for another member; not a job for each item, which
	// at 20,000 photos held 1.7 MB through the whole validation), any
	// other member whole.
	var c Case
	var topDecode []decodeJob
	itemAt := make([]func(i int) any, len(sk.members))
	for i, m := range sk.members {
		if m.array && collectionKeys[m.key] {
			itemAt[i] = c.items(m.key, m.n)
			continue
		}
		if dst := c.member(m.key); dst != nil {
			topDecode = append(topDecode, decodeJob{dst: dst, r: [2]int{m.start, m.end}, ptr: "/" + escapeToken(m.key)})
		}
	}

	// Each run of items on a core: parse, validate (all but the first
	// item of a collection, which the case object's validation covers),
	// decode, and keep the tree only where it is still needed.
	type runState struct {
		v       vctx
		numbers []badNumber
	}
	runs := make([]runState, itemRuns())
	err = parseItems(ctx, data, sk.items, func(r int, it splitItem, v any) error {
		st := &runs[r]
		m := sk.members[it.member]
		kept := true
		if s := schemas[m.key]; s != nil && it.idx > 0 {
			// The library only for an item not surely valid: it says
			// what is wrong, and where.
			if !surelyValid(quicks[m.key], v) {
				st.v.doc = doc
				if err := st.v.collect(s.Validate(v), []string{m.key, strconv.Itoa(it.idx)}, v); err != nil {
					return err
				}
			}
			kept = opt.KeepTree
		}
		if at := itemAt[it.member]; at != nil {
			// From the tree just parsed (treedecode.go).
			st.numbers = append(st.numbers, decodeItem(v, data[it.start:it.end], at(it.idx), itemPointer(m.key, it.idx))...)
		}
		if kept {
			*it.dst = v
		}
		return nil
	})
	if errors.Is(err, errGiveUp) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, true, err
	}

	// The case object, each collection cut to its first item.
	var vc vctx
	vc.doc = doc
	cut := make(map[string]any, len(sk.root))
	for k, val := range sk.root {
		cut[k] = val
		if arr, isArr := val.([]any); isArr && schemas[k] != nil && len(arr) > 1 {
			cut[k] = arr[:1]
		}
	}
	if err := vc.collect(sch.Validate(cut), nil, cut); err != nil {
		return nil, nil, true, err
	}
	if err := doc.runDecode(ctx, &c, topDecode); err != nil {
		return nil, nil, true, err
	}
	for i := range runs {
		vc.absorb(&runs[i].v)
		doc.numbers = append(doc.numbers, runs[i].numbers...)
	}
	if opt.KeepTree {
		doc.Value = sk.root
	}
	fs, err = vc.rules(ctx, opt)
	return doc, fs, true, err
}
