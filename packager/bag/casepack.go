package bag

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// CasepackManifestPath is where the casepack manifest lives in a package.
const CasepackManifestPath = "casepack/manifest.json"

// CasepackFormat identifies version 1 of casepack/manifest.json.
const CasepackFormat = "casepack-manifest/1"

// CasepackManifest is casepack/manifest.json: what BagIt cannot say. It maps
// evidence IDs to their files with both digests (including files withheld
// from a public edition), keeps each item's chain of custody, and records
// how the package was built.
type CasepackManifest struct {
	Format          string            `json:"format"`
	CasepackVersion string            `json:"casepack_version,omitempty"`
	SubmissionID    string            `json:"submission_id,omitempty"`
	Edition         string            `json:"edition,omitempty"`
	Created         string            `json:"created,omitempty"` // RFC 3339 UTC, from the build date
	Build           map[string]string `json:"build,omitempty"`   // build parameters (keys sorted by encoding/json)
	Evidence        []EvidenceItem    `json:"evidence"`
}

// EvidenceItem is one evidence item and its files.
type EvidenceItem struct {
	ID      string          `json:"id"`
	Title   string          `json:"title,omitempty"`
	Files   []ManifestFile  `json:"files"`
	Custody json.RawMessage `json:"custody,omitempty"` // the case data's custody events, verbatim
}

// ManifestFile is one evidence file. Path is the bag path the file has (or
// would have had, when withheld). OriginalName is the file's name in the
// case when the package stores it under another (PlainName, for
// `build --rename-unsafe`), and empty otherwise.
type ManifestFile struct {
	Path         string `json:"path"`
	OriginalName string `json:"original_name,omitempty"`
	Size         int64  `json:"size"`
	MediaType    string `json:"media_type,omitempty"`
	SHA256       string `json:"sha256"`
	SHA512       string `json:"sha512"`
	Withheld     bool   `json:"withheld,omitempty"`
}

// Marshal writes the manifest as indented JSON with a final newline, items
// sorted by ID and files by path, so the same content always gives the same
// bytes.
func (m *CasepackManifest) Marshal() ([]byte, error) {
	c := *m
	c.Evidence = slices.Clone(m.Evidence)
	for i := range c.Evidence {
		c.Evidence[i].Files = slices.Clone(c.Evidence[i].Files)
	}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the bytes Marshal returns to w, item by item, sorting
// m.Evidence and each item's Files in place: a build writes the manifest
// of 100,000 files into its file (and the covering letter hashes it)
// without holding its bytes, which encoding/json would build twice over
// (once encoded, once indented). Every item is checked before the first
// byte is written.
func (m *CasepackManifest) Write(w io.Writer) error {
	items := m.Evidence
	slices.SortStableFunc(items, func(a, b EvidenceItem) int { return strings.Compare(a.ID, b.ID) })
	for i := range items {
		it := &items[i]
		slices.SortStableFunc(it.Files, func(a, b ManifestFile) int { return strings.Compare(a.Path, b.Path) })
		var prev *string
		if i > 0 {
			prev = &items[i-1].ID
		}
		if err := checkItem(it, prev); err != nil {
			return err
		}
	}
	return m.WriteItems(w, len(items), func(i int) *EvidenceItem { return &items[i] })
}

// checkItem checks item it of a manifest's list, which follows the item
// of ID *prev (nil for the first): a unique ID, every path a bag path.
func checkItem(it *EvidenceItem, prev *string) error {
	if prev != nil && *prev == it.ID {
		return fmt.Errorf("casepack manifest: duplicate evidence ID %q", it.ID)
	}
	for _, f := range it.Files {
		if err := CheckPath(f.Path); err != nil {
			return fmt.Errorf("casepack manifest: %s: %w", it.ID, err)
		}
	}
	return nil
}

// WriteItems writes the manifest as Write does, with the n items item(0)
// to item(n-1) in place of m.Evidence, in that order: sorted by ID, each
// item's files sorted by path. Each item is asked for only when it is
// written, and not used after the next call, so that a caller can make
// each one as it goes: a build never holds every file's entry with both
// its digests in hex (7.5 MB at 20,000 photos, on top of the plan, was the
// build's most live heap). Each item is checked as Write checks them
// (checkItem) before it is written; one found wrong stops the writing
// with that error, and what was written is to be thrown away.
func (m *CasepackManifest) WriteItems(w io.Writer, n int, item func(i int) *EvidenceItem) error {
	// The members before "evidence", as encoding/json indents them, then
	// the items one by one at the depth they have in the list.
	head := *m
	if head.Format == "" {
		head.Format = CasepackFormat
	}
	head.Evidence = []EvidenceItem{}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&head); err != nil {
		return fmt.Errorf("casepack manifest: %w", err)
	}
	const empty = "[]\n}\n"
	if n == 0 || !bytes.HasSuffix(buf.Bytes(), []byte(empty)) {
		_, err := w.Write(buf.Bytes())
		return err
	}
	if _, err := w.Write(buf.Bytes()[:buf.Len()-len(empty)]); err != nil {
		return err
	}
	enc.SetIndent("    ", "  ")
	sep := "[\n    "
	var prev *string
	var prevID string // the ID of the item before (item may reuse its item)
	for i := range n {
		it := item(i)
		if err := checkItem(it, prev); err != nil {
			return err
		}
		prevID, prev = it.ID, &prevID
		if it.Files == nil {
			it.Files = []ManifestFile{}
		}
		buf.Reset()
		buf.WriteString(sep)
		if !appendItem(&buf, it) {
			if err := enc.Encode(it); err != nil {
				return fmt.Errorf("casepack manifest: %s: %w", it.ID, err)
			}
			buf.Truncate(buf.Len() - 1) // Encode's newline
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
		sep = ",\n    "
	}
	_, err := io.WriteString(w, "\n  ]\n}\n")
	return err
}

// appendItem writes item it to buf as the encoder of Write does (indented
// at the depth of the list's items, without the final newline) when that
// is a matter of copying: no custody (encoding/json re-indents it) and
// every string plain (see plainJSON), as a build's items are; else it
// writes nothing and returns false. encoding/json took 71 ms for the
// 20,000 items of the package bench's photos (this takes 12 ms,
// BenchmarkCasepackManifestWrite), on the build's path between the
// evidence pass and the generated files. TestCasepackManifestWrite and
// FuzzCasepackManifestWrite hold the bytes to encoding/json's.
func appendItem(buf *bytes.Buffer, it *EvidenceItem) bool {
	if len(it.Custody) > 0 || !plainJSON(it.ID) || !plainJSON(it.Title) {
		return false
	}
	for i := range it.Files {
		f := &it.Files[i]
		if !plainJSON(f.Path) || !plainJSON(f.OriginalName) || !plainJSON(f.MediaType) || !plainJSON(f.SHA256) || !plainJSON(f.SHA512) {
			return false
		}
	}
	str := func(indent, key, v string) {
		buf.WriteString(indent)
		buf.WriteByte('"')
		buf.WriteString(key)
		buf.WriteString(`": "`)
		buf.WriteString(v)
		buf.WriteByte('"')
	}
	const (
		member     = ",\n      "
		fileMember = ",\n          "
	)
	str("{\n      ", "id", it.ID)
	if it.Title != "" {
		str(member, "title", it.Title)
	}
	if len(it.Files) == 0 {
		buf.WriteString(member + `"files": []` + "\n    }")
		return true
	}
	buf.WriteString(member + `"files": [`)
	var num [20]byte
	for i := range it.Files {
		f := &it.Files[i]
		if i > 0 {
			buf.WriteByte(',')
		}
		str("\n        {\n          ", "path", f.Path)
		if f.OriginalName != "" {
			str(fileMember, "original_name", f.OriginalName)
		}
		buf.WriteString(fileMember + `"size": `)
		buf.Write(strconv.AppendInt(num[:0], f.Size, 10))
		if f.MediaType != "" {
			str(fileMember, "media_type", f.MediaType)
		}
		str(fileMember, "sha256", f.SHA256)
		str(fileMember, "sha512", f.SHA512)
		if f.Withheld {
			buf.WriteString(fileMember + `"withheld": true`)
		}
		buf.WriteString("\n        }")
	}
	buf.WriteString("\n      ]\n    }")
	return true
}

// plainJSON reports whether encoding/json writes s (HTML characters not
// escaped) as its bytes between quotes: printable ASCII but '"' and '\\'.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ParseCasepackManifest reads casepack/manifest.json. Unknown fields are
// allowed (a newer casepack may add some); an unknown format is not.
func ParseCasepackManifest(b []byte) (*CasepackManifest, error) {
	var items []EvidenceItem
	m, err := ScanCasepackManifest(bytes.NewReader(b), func(it EvidenceItem) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.Evidence = items
	return m, nil
}

// ScanCasepackManifest reads casepack/manifest.json from r as
// ParseCasepackManifest does, but hands each evidence item to each as it is
// read instead of keeping it, so that memory stays flat however many items
// a manifest lists (a verifier must read one an adversary wrote). The
// manifest returned has no Evidence. An error from each stops the scan and
// is returned.
func ScanCasepackManifest(r io.Reader, each func(EvidenceItem) error) (*CasepackManifest, error) {
	dec := json.NewDecoder(r)
	var m CasepackManifest
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonProblem(err)
		}
		key, _ := tok.(string)
		if !strings.EqualFold(key, "evidence") {
			// Any other field: decoded into m as json.Unmarshal would.
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonProblem(err)
			}
			one, _ := json.Marshal(map[string]json.RawMessage{key: raw})
			if err := json.Unmarshal(one, &m); err != nil {
				return nil, jsonProblem(err)
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, jsonProblem(err)
		}
		if tok == nil { // "evidence": null
			continue
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return nil, fmt.Errorf("%q holds a %s, which is not the kind of value it must be", "evidence", jsonKind(tok))
		}
		for dec.More() {
			var it EvidenceItem
			if err := dec.Decode(&itemJSON{&it}); err != nil {
				return nil, jsonProblem(err)
			}
			for _, f := range it.Files {
				if err := CheckPath(f.Path); err != nil {
					return nil, fmt.Errorf("%s: %w", it.ID, err)
				}
			}
			if err := each(it); err != nil {
				return nil, err
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON (there is data after the end of the object)")
	}
	if m.Format != CasepackFormat {
		return nil, fmt.Errorf("format %q, want %q", m.Format, CasepackFormat)
	}
	return &m, nil
}

// expectDelim reads the next token, which must be the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonProblem(err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		if d == '{' {
			return fmt.Errorf("not a JSON object, but a %s", jsonKind(tok))
		}
		return fmt.Errorf("not valid JSON (expected %q)", string(d))
	}
	return nil
}

// jsonKind names the kind of a JSON token in words.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	case json.Delim:
		if tok == json.Delim('{') {
			return "object"
		}
		return "list"
	}
	return "value"
}

// jsonProblem says in plain words why JSON could not be read (Go's own
// messages name Go types).
func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("%q holds a %s, which is not the kind of value it must be", te.Field, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON (it ends too early)")
	}
	return err
}
