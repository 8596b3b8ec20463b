package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"math/big"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/casepack/casepack/internal/digest"
)

// Options tune Validate.
type Options struct {
	// SkipFiles leaves out every check that reads the case folder (file
	// existence, paths, declared digests): for a case.json alone.
	SkipFiles bool
	// SkipHashes checks that evidence files exist but does not read them to
	// compare declared SHA-256 digests (build compares them while copying).
	SkipHashes bool
	// Workers bounds concurrent hashing; 0 means one per CPU.
	Workers int
	// Printable, when set, is asked about every text the narrative may
	// print (all but a person's protected details): for text that cannot
	// be printed (a character no font has, right-to-left script) it returns
	// the character, a finding code, message and hint; else an empty code.
	// The narrative package provides it (narrative.Printable), with the
	// user's fonts.
	Printable func(s string) (bad rune, code finding.Code, msg, hint string)
	// KeepTree leaves the generic tree in the Document's Value when
	// Validate builds the typed model (Case nil); by default the tree, the
	// largest thing in memory, is let go (convert keeps it to write
	// another form from it).
	KeepTree bool
	// Checklist adds a warning for every unmet line of the checklist
	// (NewChecklist) to a case without errors: what validate tells a
	// lawyer before filing. Other readers of a case leave it out.
	Checklist bool
	// NoCanonical leaves the Document's Data nil for a case read from a
	// form other than JSON, whose Data would be its Canonical bytes: for a
	// caller that writes them itself (WriteCanonical), so that a large
	// case is never held whole as bytes as well as typed.
	NoCanonical bool
}

// Validate checks a loaded case against the schema and the consistency
// rules, and its evidence files against the case folder. It returns every
// finding, sorted by position in case.json.
func Validate(ctx context.Context, doc *Document, opt Options) ([]finding.Finding, error) {
	if doc.Value == nil && doc.Parts == nil {
		return nil, fmt.Errorf("validate %s: the case could not be parsed", doc.Path)
	}
	var v vctx
	v.doc = doc
	v.noCanonical = opt.NoCanonical
	if doc.Parts != nil {
		// Checked and decoded item by item (parts.go).
		if err := v.parts(ctx); err != nil {
			return nil, err
		}
	} else if err := v.schema(ctx); err != nil {
		return nil, err
	}
	if doc.Case == nil {
		// The generic tree is the largest thing in memory; let it go
		// as the typed model is built (LoadAndValidate), unless asked.
		tree := doc.Value
		if !opt.KeepTree {
			doc.Value = nil
		}
		var err error
		if doc.Form != nil {
			err = doc.decodeTree(ctx, tree, !opt.KeepTree)
			if err == nil && !opt.NoCanonical {
				doc.Data, err = Canonical(doc.Case)
			}
		} else {
			err = doc.decodeTyped(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	return v.rules(ctx, opt)
}

// rules runs what follows the schema check, on the typed model: the
// numbers the model could not hold, the consistency rules, the printable
// check, the evidence files and the checklist; then it locates and sorts
// every finding.
func (v *vctx) rules(ctx context.Context, opt Options) ([]finding.Finding, error) {
	doc := v.doc
	v.flagged = map[string]bool{}
	for _, f := range v.out {
		v.flagged[f.Pointer] = true
	}
	// A number the schema accepts but the model cannot hold; where the
	// schema already said what is wrong with it, that is enough.
	for _, n := range doc.numbers {
		if !v.flagged[n.ptr] {
			msg, hint := n.finding()
			v.add(finding.SchemaRange, n.ptr, msg, hint)
			v.flagged[n.ptr] = true
		}
	}
	// The passes over the model are independent of each other: each
	// collects its own findings on a core of its own (the evidence files'
	// digests are read meanwhile), and they are joined in the order below,
	// as if they had run one after another. The checklist is kept only if
	// the case has no errors: until then its errors come first, alone.
	c := doc.Case
	// The rules and the checklist read the same look-ups by ID, and the
	// rules the same texts: the first to need them builds them.
	index := sync.OnceValue(func() *Index { return newLookup(c) })
	texts := sync.OnceValue(func() []textField { return textFields(c) })
	passes := []func(w *vctx) error{
		func(w *vctx) error { w.texts = texts(); w.consistencyLinks(c, index()); return nil },
		func(w *vctx) error { w.texts = texts(); w.consistencyFacts(c, index()); return nil },
		func(w *vctx) error { w.nonsense(c); return nil },
		func(w *vctx) error {
			// Whether the narrative can print every text.
			if opt.Printable != nil {
				w.printable(c, opt.Printable)
			}
			return nil
		},
		func(w *vctx) error {
			if opt.SkipFiles {
				return nil
			}
			return w.files(ctx, c, opt)
		},
		func(w *vctx) error {
			if opt.Checklist {
				w.checklist(c, index())
			}
			return nil
		},
	}
	found := make([]vctx, len(passes))
	errs := make([]error, len(passes))
	var wg sync.WaitGroup
	for i, pass := range passes {
		found[i] = vctx{doc: doc, flagged: v.flagged}
		wg.Go(func() { errs[i] = pass(&found[i]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	checklist := &found[len(found)-1]
	more := len(checklist.out)
	for i := range found[:len(found)-1] {
		more += len(found[i].out)
	}
	v.grow(more)
	for i := range found[:len(found)-1] {
		v.absorb(&found[i])
	}
	if !finding.HasErrors(v.out) {
		v.absorb(checklist)
	}
	doc.locate(v.out, v.keyPos, v.subs, v.members)
	finding.Sort(v.out)
	return v.out, nil
}

// LoadAndValidate is Load followed by Validate: what `casepack validate`
// does. Findings from a case that cannot be parsed are returned alone.
func LoadAndValidate(ctx context.Context, path string, opt Options) (*Document, []finding.Finding, error) {
	file, data, err := readCase(path)
	if errors.Is(err, errTooBig) {
		doc, fs := tooBig(file)
		return doc, fs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if doc, fs, ok, err := validateByItem(ctx, file, data, opt); ok {
		return doc, fs, err
	}
	doc, fs := parseGeneric(file, data)
	doc.Dir = filepath.Dir(file)
	if doc.Value == nil {
		finding.Sort(fs)
		return doc, fs, nil
	}
	more, err := Validate(ctx, doc, opt)
	if err != nil {
		return doc, nil, err
	}
	fs = append(fs, more...)
	finding.Sort(fs)
	return doc, fs, nil
}

// vctx collects findings before they are located. keyPos marks findings
// that point at a member name rather than its value; subs holds a literal
// to find inside the value (a citation inside a long text); members names
// the missing member a finding about an object is about (a required field),
// which a workbook shows at that field's cell.
type vctx struct {
	doc     *Document
	flagged map[string]bool // pointers the schema already reported: rules skip them
	texts   []textField     // Markdown fields that cite evidence
	out     []finding.Finding
	keyPos  []bool
	subs    []string
	members []string
	// realDirs remembers where the evidence folders really are.
	realDirs map[string]string
	// listed holds, for each folder listed (listFolders), the names its
	// listing shows as regular files.
	listed map[string]map[string]bool
	// noCanonical: Options.NoCanonical.
	noCanonical bool
}

func (v *vctx) add(code finding.Code, ptr, msg, hint string) {
	v.addAt(code, ptr, false, "", msg, hint)
}

func (v *vctx) addAt(code finding.Code, ptr string, key bool, sub, msg, hint string) {
	v.out = append(v.out, finding.Finding{Code: code, Severity: finding.SeverityOf(code), File: v.doc.Path, Pointer: ptr, Message: msg, Hint: hint})
	v.keyPos = append(v.keyPos, key)
	v.subs = append(v.subs, sub)
	v.members = append(v.members, "")
}

// grow makes room for n more findings.
func (v *vctx) grow(n int) {
	v.out = slices.Grow(v.out, n)
	v.keyPos = slices.Grow(v.keyPos, n)
	v.subs = slices.Grow(v.subs, n)
	v.members = slices.Grow(v.members, n)
}

// absorb appends the findings o collected to v's.
func (v *vctx) absorb(o *vctx) {
	v.out = append(v.out, o.out...)
	v.keyPos = append(v.keyPos, o.keyPos...)
	v.subs = append(v.subs, o.subs...)
	v.members = append(v.members, o.members...)
}

// addMissing reports that the object at ptr lacks its member.
func (v *vctx) addMissing(code finding.Code, ptr, member, msg, hint string) {
	v.add(code, ptr, msg, hint)
	v.members[len(v.members)-1] = member
}

// ---- schema ----

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	schemaDoc   any
	compileErr  error
	// itemSchemas are the items schema of each top-level array, as the
	// root schema names it (properties/<name>/items/$ref): see
	// collectionSchemas.
	itemSchemas map[string]*jsonschema.Schema
)

// Compiled returns the embedded schema, compiled once, with format
// assertions switched on (draft 2020-12 leaves them off by default).
func Compiled() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		schemaDoc, compileErr = jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
		if compileErr != nil {
			return
		}
		var c *jsonschema.Compiler
		if c, compileErr = newCompiler(); compileErr != nil {
			return
		}
		if compiled, compileErr = c.Compile(ID); compileErr != nil {
			return
		}
		itemSchemas = compileItems(c)
	})
	return compiled, compileErr
}

// compileItems compiles, with c, which compiled the root, the items schema
// of each top-level array. The root reaches each through
// properties/<name>/items/$ref, so c hands back the schema it compiled
// for it, where a compiler of their own compiled them all again (14.5 ms
// a process, after the root's 15-19 ms; the same schemas at the same
// locations, so the same findings). c is not kept: it holds 57 KB more.
func compileItems(c *jsonschema.Compiler) map[string]*jsonschema.Schema {
	out := map[string]*jsonschema.Schema{}
	props, _ := schemaDoc.(map[string]any)["properties"].(map[string]any)
	for name, p := range props {
		pm, _ := p.(map[string]any)
		if pm["type"] != "array" {
			continue
		}
		items, _ := pm["items"].(map[string]any)
		ref, _ := items["$ref"].(string)
		if len(items) != 1 || ref == "" {
			continue // only a plain $ref can be checked item by item
		}
		if s, err := c.Compile(ID + ref); err == nil {
			out[name] = s
		}
	}
	return out
}

// newCompiler is set up the one way casepack validates: draft 2020-12,
// format assertions on, the fast pattern engine, the embedded schema loaded.
func newCompiler() (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseRegexpEngine(compilePattern)
	return c, c.AddResource(ID, schemaDoc)
}

func (v *vctx) schema(ctx context.Context) error {
	sch, err := Compiled()
	if err != nil {
		return fmt.Errorf("compile the embedded schema: %w", err)
	}
	// The large collections (persons, evidence, …) are validated item by
	// item on every core; the root is validated with each collection cut to
	// its first item, so its own rules (minItems, the item's position) hold.
	// Top-level collections carry no rule across items (no uniqueItems), so
	// the findings are the same as one pass over the whole document.
	trimmed, jobs := splitCollections(v.doc.Value)
	if err := v.collect(sch.Validate(trimmed), nil, trimmed); err != nil {
		return err
	}
	if len(jobs) == 0 {
		return nil
	}
	type result struct {
		err    error
		prefix []string
		value  any
	}
	results := make([]result, len(jobs))
	err = digest.Each(ctx, len(jobs), 0, func(_ context.Context, i int) error {
		j := jobs[i]
		results[i] = result{err: j.schema.Validate(j.value), prefix: []string{j.collection, strconv.Itoa(j.index)}, value: j.value}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := v.collect(r.err, r.prefix, r.value); err != nil {
			return err
		}
	}
	return nil
}

// itemJob is one collection item to validate on its own.
type itemJob struct {
	collection string
	index      int
	value      any
	schema     *jsonschema.Schema
}

// collectionSchemas is the items schema of each top-level array, as the
// root schema names it (properties/<name>/items/$ref), compiled with the
// root (compileItems); none when the root did not compile.
func collectionSchemas() map[string]*jsonschema.Schema {
	if _, err := Compiled(); err != nil {
		return map[string]*jsonschema.Schema{}
	}
	return itemSchemas
}

// splitCollections returns the document with its large collections cut to
// one item, and the other items as jobs.
func splitCollections(doc any) (trimmed any, jobs []itemJob) {
	root, ok := doc.(map[string]any)
	if !ok {
		return doc, nil
	}
	schemas := collectionSchemas()
	cut := make(map[string]any, len(root))
	for k, val := range root {
		cut[k] = val
		arr, isArr := val.([]any)
		s := schemas[k]
		if !isArr || s == nil || len(arr) < 2 {
			continue
		}
		cut[k] = arr[:1]
		for i := 1; i < len(arr); i++ {
			jobs = append(jobs, itemJob{collection: k, index: i, value: arr[i], schema: s})
		}
	}
	return cut, jobs
}

// collect turns a validation error tree into findings; value is the
// validated value, prefix its location within the document.
func (v *vctx) collect(err error, prefix []string, value any) error {
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return fmt.Errorf("validate: %w", err)
	}
	// Walk to the leaves ourselves: v6's BasicOutput() reports a leaf under
	// a single-cause $ref with the $ref's kind ("…/$ref/required validation
	// failed") instead of the leaf's own ("missing properties …"). Leaves are
	// the nodes without Causes; each has a typed ErrorKind and its instance
	// location.
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			got := walkValue(value, e.InstanceLocation)
			if prefix != nil {
				e.InstanceLocation = append(append([]string(nil), prefix...), e.InstanceLocation...)
			}
			v.schemaLeaf(e, got)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return nil
}

func pointerOf(loc []string) string {
	var b strings.Builder
	for _, t := range loc {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

// schemaLeaf adds the finding of one leaf of a validation error; got is
// the value it is about.
func (v *vctx) schemaLeaf(e *jsonschema.ValidationError, got any) {
	ptr := pointerOf(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			desc := describeProp(e.SchemaURL, m)
			hint := fmt.Sprintf("add %q", m)
			if desc != "" {
				hint += " (" + lowerFirst(strings.TrimSuffix(desc, ".")) + ")"
			}
			v.addMissing(finding.SchemaRequired, ptr, m, fmt.Sprintf("%s is missing the required field %q", where(ptr), m), hint)
		}
	case *kind.AdditionalProperties:
		allowed := propsOf(e.SchemaURL)
		for _, p := range k.Properties {
			hint := "remove it, or check its spelling against `casepack schema`"
			if s := closest(p, allowed); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			v.addAt(finding.SchemaUnknown, ptr+"/"+escapeToken(p), true, "",
				fmt.Sprintf("unknown field %q in %s", p, where(ptr)), hint)
		}
	case *kind.Type:
		v.add(finding.SchemaType, ptr, fmt.Sprintf("must be %s, got %s", kindWords(k.Want), gotWords(got)), "")
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, fmt.Sprint(w))
		}
		hint := "use one of: " + strings.Join(want, ", ")
		if s := closest(fmt.Sprint(k.Got), want); s != "" {
			hint = fmt.Sprintf("did you mean %q? allowed: %s", s, strings.Join(want, ", "))
		}
		v.add(finding.SchemaEnum, ptr, fmt.Sprintf("%s is not an allowed value", gotWords(k.Got)), hint)
	case *kind.Const:
		v.add(finding.SchemaEnum, ptr, fmt.Sprintf("must be %s, got %s", gotWords(k.Want), gotWords(k.Got)), "")
	case *kind.Format:
		v.add(finding.SchemaFormat, ptr, fmt.Sprintf("%s is not a valid %s", gotWords(k.Got), formatWords(k.Want)), formatHint(k.Want))
	case *kind.Pattern:
		desc := schemaDescription(e.SchemaURL)
		msg := fmt.Sprintf("%s is not in the required form", gotWords(k.Got))
		if desc != "" {
			msg += ": " + lowerFirst(strings.TrimSuffix(desc, "."))
		}
		v.add(finding.SchemaPattern, ptr, msg, "")
	case *kind.Minimum:
		v.add(finding.SchemaRange, ptr, fmt.Sprintf("must be at least %s, got %s", ratWords(k.Want), ratWords(k.Got)), "")
	case *kind.Maximum:
		v.add(finding.SchemaRange, ptr, fmt.Sprintf("must be at most %s, got %s", ratWords(k.Want), ratWords(k.Got)), "")
	case *kind.ExclusiveMinimum:
		v.add(finding.SchemaRange, ptr, fmt.Sprintf("must be more than %s, got %s", ratWords(k.Want), ratWords(k.Got)), "")
	case *kind.ExclusiveMaximum:
		v.add(finding.SchemaRange, ptr, fmt.Sprintf("must be less than %s, got %s", ratWords(k.Want), ratWords(k.Got)), "")
	case *kind.MinLength:
		v.add(finding.SchemaLength, ptr, "must not be empty", "write the text, or leave the field out if it is optional")
	case *kind.MaxLength:
		v.add(finding.SchemaLength, ptr, fmt.Sprintf("is too long: at most %d characters, got %d", k.Want, k.Got), "")
	case *kind.MinItems:
		v.add(finding.SchemaLength, ptr, fmt.Sprintf("must list at least %d item(s), got %d", k.Want, k.Got), "")
	case *kind.MaxItems:
		v.add(finding.SchemaLength, ptr, fmt.Sprintf("must list at most %d item(s), got %d", k.Want, k.Got), "")
	case *kind.UniqueItems:
		v.add(finding.SchemaUnique, fmt.Sprintf("%s/%d", ptr, k.Duplicates[1]),
			fmt.Sprintf("repeats item %d of the same list", k.Duplicates[0]), "remove the repeated item")
	case *kind.DependentRequired:
		v.add(finding.SchemaRequired, ptr, fmt.Sprintf("%q is given without %s", k.Prop, quoteJoin(k.Missing)),
			fmt.Sprintf("add %s too, or remove %q", quoteJoin(k.Missing), k.Prop))
	default:
		v.add(finding.SchemaOther, ptr, e.ErrorKind.LocalizedString(nil), "")
	}
}

// walkValue follows unescaped pointer tokens through a generic JSON value.
func walkValue(cur any, tokens []string) any {
	for _, t := range tokens {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func where(ptr string) string {
	if ptr == "" {
		return "the case"
	}
	return ptr
}

func kindWords(want []string) string {
	var w []string
	for _, t := range want {
		w = append(w, typeWord(t))
	}
	return strings.Join(w, " or ")
}

func typeWord(t string) string {
	switch t {
	case "string":
		return "text in quotes"
	case "integer":
		return "a whole number"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "array":
		return "a list [ … ]"
	case "object":
		return "an object { … }"
	case "null":
		return "null"
	}
	return t
}

// gotWords shows a value the way the user wrote it, shortened.
func gotWords(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case string:
		if len([]rune(x)) > 60 {
			x = string([]rune(x)[:57]) + "…"
		}
		return fmt.Sprintf("%q", x)
	case json.Number, bool, int, float64:
		return fmt.Sprint(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(x)
}

func ratWords(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(6)
}

func formatWords(f string) string {
	switch f {
	case "date":
		return "date (YYYY-MM-DD)"
	case "date-time":
		return "date and time with its UTC offset"
	case "email":
		return "e-mail address"
	case "uri":
		return "absolute URL"
	}
	return f
}

func formatHint(f string) string {
	switch f {
	case "date":
		return "write the date as YYYY-MM-DD, e.g. 2021-01-08, and check that the day exists"
	case "date-time":
		return "write e.g. 2021-01-08T07:30:00-04:00, or 2021-01-08T11:30:00Z in UTC"
	case "email":
		return "write an address like name@example.org"
	case "uri":
		return "write the full address, starting with https://"
	}
	return ""
}

func quoteJoin(s []string) string {
	var q []string
	for _, x := range s {
		q = append(q, fmt.Sprintf("%q", x))
	}
	return strings.Join(q, ", ")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Keep acronyms ("SHA-256 …", "ISO …") as they are.
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ---- schema look-ups for messages ----

// schemaAt returns the schema object at an absolute schema URL
// (…case.schema.json#/$defs/person/…), following a $ref at the end.
func schemaAt(url string) map[string]any {
	if _, err := Compiled(); err != nil {
		return nil
	}
	_, frag, _ := strings.Cut(url, "#")
	tokens := splitPointer(frag)
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	m, _ := walkValue(schemaDoc, tokens).(map[string]any)
	return m
}

func deref(m map[string]any) map[string]any {
	for i := 0; m != nil && i < 8; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m = schemaAt(ID + ref)
	}
	return m
}

// schemaDescription is the description of the schema at url, or of the
// schema it refers to.
func schemaDescription(url string) string {
	m := schemaAt(url)
	if d, ok := m["description"].(string); ok {
		return d
	}
	if d, ok := deref(m)["description"].(string); ok {
		return d
	}
	return ""
}

// describeProp is the description of property prop of the object schema at url.
func describeProp(url, prop string) string {
	props, _ := deref(schemaAt(url))["properties"].(map[string]any)
	p, _ := props[prop].(map[string]any)
	if d, ok := p["description"].(string); ok {
		return d
	}
	if d, ok := deref(p)["description"].(string); ok {
		return d
	}
	return ""
}

func propsOf(url string) []string {
	props, _ := deref(schemaAt(url))["properties"].(map[string]any)
	var out []string
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// closest returns the candidate nearest to s by edit distance, if it is
// near enough to be a likely typo.
func closest(s string, cands []string) string {
	best, bestD := "", 1<<30
	for _, c := range cands {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(s) > 8) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
