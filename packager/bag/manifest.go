package bag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Algorithms casepack writes, in the order they are listed in a package.
// RFC 8493 §2.4 requires tools to support both.
const (
	SHA256 = "sha256"
	SHA512 = "sha512"
)

// Algorithms lists the digest algorithms of every casepack manifest pair.
var Algorithms = []string{SHA256, SHA512}

// HexLen returns the length of a hex digest for alg, or 0 for an algorithm
// casepack does not know. casepack writes SHA-256 and SHA-512; it reads the
// others RFC 8493 §2.4 and its implementations use in bags other tools made.
func HexLen(alg string) int {
	switch alg {
	case "md5":
		return 32
	case "sha1":
		return 40
	case "sha224":
		return 56
	case SHA256:
		return 64
	case "sha384":
		return 96
	case SHA512:
		return 128
	}
	return 0
}

// Weak reports whether alg's digests can be forged: two different files
// with one MD5 or SHA-1 digest can be made, so a manifest of those digests
// cannot prove a file was not swapped.
func Weak(alg string) bool { return alg == "md5" || alg == "sha1" }

// ManifestName returns "manifest-<alg>.txt"; TagManifestName "tagmanifest-<alg>.txt".
func ManifestName(alg string) string    { return "manifest-" + alg + ".txt" }
func TagManifestName(alg string) string { return "tagmanifest-" + alg + ".txt" }

// ErrNotCanonical is returned by ParseManifest for input that is a readable
// manifest but not in the one byte form casepack writes.
var ErrNotCanonical = errors.New("manifest not in canonical form")

// Entry is one manifest line: a digest (lowercase hex) and the bag path it
// covers (decoded: a real file name, no percent-encoding).
type Entry struct {
	Path   string
	Digest string
}

// ForeignEntry is a line of a manifest another tool made.
type ForeignEntry struct {
	Entry
	// Literal is the path exactly as the line wrote it, when that differs
	// from Path: a tool that did not percent-encode "%" (bagit-python,
	// BagIt 0.97 tools) meant "%25" literally.
	Literal string
}

// Manifest is a payload or tag manifest for one algorithm.
type Manifest struct {
	Alg     string
	Entries []Entry
}

// LineError is one unreadable manifest line. Path is set when the line
// named a path even though something else about it was wrong.
type LineError struct {
	Line int
	Path string
	Err  error
	// Read is true when the line was still read as an entry: the error
	// only says it is not written as RFC 8493 writes it
	// (ScanForeignManifest only).
	Read bool
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// NeedsEncoding reports whether EncodePath changes name. A manifest line
// for such a file is right by RFC 8493 but unreadable to `sha256sum -c`,
// and bagit-python reports the file missing.
func NeedsEncoding(name string) bool { return strings.ContainsAny(name, "%\r\n") }

// PlainName is name with every character EncodePath would encode replaced
// by "_": a name every manifest reader takes literally. It is how
// `build --rename-unsafe` stores such a file; casepack/manifest.json keeps
// the original (ManifestFile.OriginalName).
func PlainName(name string) string {
	if !NeedsEncoding(name) {
		return name
	}
	return strings.Map(func(r rune) rune {
		if r == '%' || r == '\r' || r == '\n' {
			return '_'
		}
		return r
	}, name)
}

// splitLine splits a manifest line at the first run of spaces or tabs:
// the digest before it, the (encoded) path after it.
func splitLine(line string) (digest, enc string, ok bool) {
	sep := strings.IndexAny(line, " \t")
	if sep < 0 {
		return "", "", false
	}
	return line[:sep], strings.TrimLeft(line[sep:], " \t"), true
}

// EncodePath percent-encodes "%", CR and LF and nothing else (RFC 8493 §2.1.3).
func EncodePath(p string) string {
	if !NeedsEncoding(p) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%':
			b.WriteString("%25")
		case '\r':
			b.WriteString("%0D")
		case '\n':
			b.WriteString("%0A")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// DecodePath reverses EncodePath. Only %25, %0D and %0A are accepted (either
// hex case); any other "%" is an error, since an encoder following the RFC
// never writes one.
func DecodePath(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated percent-encoding in %q", s)
		}
		switch strings.ToUpper(s[i+1 : i+3]) {
		case "25":
			b.WriteByte('%')
		case "0D":
			b.WriteByte('\r')
		case "0A":
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("unexpected percent-encoding %q (only %%25, %%0D, %%0A are allowed)", s[i:i+3])
		}
		i += 2
	}
	return b.String(), nil
}

func checkDigest(alg, d string) error {
	n := HexLen(alg)
	if n == 0 {
		return fmt.Errorf("unknown algorithm %q", alg)
	}
	if len(d) != n {
		return fmt.Errorf("%s digest must be %d hex digits, got %d", alg, n, len(d))
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return fmt.Errorf("digest has a non-hex character %q", c)
		}
	}
	return nil
}

// Marshal writes the canonical form: one "<hex>  <encoded path>\n" line per
// entry, sorted by path bytes, lowercase hex. Two spaces so that
// `sha256sum -c` reads the file inside the bag. Duplicate or unsafe paths and
// malformed digests are errors.
func (m *Manifest) Marshal() ([]byte, error) {
	c := Manifest{Alg: m.Alg, Entries: slices.Clone(m.Entries)}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the bytes Marshal returns to w, line by line, sorting
// m.Entries in place: a build writes the manifest of 100,000 files into
// its file without holding its bytes. Every entry is checked before the
// first line is written.
func (m *Manifest) Write(w io.Writer) error {
	es := m.Entries
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	for i, e := range es {
		if err := CheckPath(e.Path); err != nil {
			return err
		}
		if i > 0 && es[i-1].Path == e.Path {
			return fmt.Errorf("%s manifest: duplicate path %q", m.Alg, e.Path)
		}
		if err := checkDigest(m.Alg, e.Digest); err != nil {
			return fmt.Errorf("%s manifest: %s: %w", m.Alg, e.Path, err)
		}
	}
	var line []byte
	for _, e := range es {
		line = append(line[:0], e.Digest...)
		for j := range len(e.Digest) {
			if c := line[j]; c >= 'A' && c <= 'F' {
				line[j] = c + 'a' - 'A'
			}
		}
		line = append(line, "  "...)
		line = append(line, EncodePath(e.Path)...)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// checkEntry checks the digest and the decoded path of line n: the checks
// both manifest readers make of every line.
func checkEntry(n int, alg, digest, p string) *LineError {
	if err := checkDigest(alg, digest); err != nil {
		return &LineError{Line: n, Path: p, Err: err}
	}
	if err := CheckPath(p); err != nil {
		return &LineError{Line: n, Path: p, Err: err}
	}
	return nil
}

// ScanManifest reads a manifest leniently, as a verifier must: every line
// that can be read becomes an entry, every other line a LineError, so one bad
// line does not hide the rest. Separators of one or more spaces or tabs are
// accepted (RFC 8493 §2.1.3), as are CRLF line ends and upper-case hex
// (digests are returned lower-cased). Paths are decoded and checked with
// CheckPath; unsafe paths are errors, not entries. Duplicate paths are left
// for the caller, which knows how to report them.
func ScanManifest(alg string, b []byte) ([]Entry, []*LineError) {
	var (
		entries []Entry
		errs    []*LineError
	)
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, raw := range lines {
		e, le := ScanManifestLine(alg, raw)
		if le != nil {
			le.Line = i + 1
			errs = append(errs, le)
			continue
		}
		entries = append(entries, e)
	}
	return entries, errs
}

// ScanManifestLine reads one line of a manifest (without its LF) as
// ScanManifest reads each: a verifier reads a manifest of a million lines
// a line at a time, without a slice for each. The LineError's Line is
// left 0, for the caller to number.
func ScanManifestLine(alg string, raw []byte) (Entry, *LineError) {
	line := string(bytes.TrimSuffix(raw, []byte("\r")))
	if strings.TrimSpace(line) == "" {
		return Entry{}, &LineError{Err: errors.New("empty line")}
	}
	digest, enc, ok := splitLine(line)
	if !ok {
		return Entry{}, &LineError{Err: errors.New(`expected "<digest>  <path>"`)}
	}
	p, err := DecodePath(enc)
	if err != nil {
		return Entry{}, &LineError{Path: enc, Err: err}
	}
	if enc == "" {
		return Entry{}, &LineError{Err: errors.New("no path after the digest")}
	}
	if le := checkEntry(0, alg, digest, p); le != nil {
		return Entry{}, le
	}
	return Entry{Path: p, Digest: strings.ToLower(digest)}, nil
}

// ScanForeignManifest reads a manifest of a bag another tool made (text
// already decoded to UTF-8) as those tools write them: what ScanManifest
// accepts, and also blank lines (skipped), md5sum's binary-mode marker
// ("<digest> *path"), a leading "./", and a "%" that is not RFC 8493's
// percent-encoding (kept literally: bagit-python and BagIt 0.97 tools do not
// encode "%"). Each of those is a LineError with Read set, beside the
// entry it still gives. Unsafe paths, bad digests and unreadable lines are
// errors as in ScanManifest.
func ScanForeignManifest(alg string, b []byte) ([]ForeignEntry, []*LineError) {
	var (
		entries []ForeignEntry
		errs    []*LineError
	)
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			errs = append(errs, &LineError{Line: n, Err: errors.New("blank line (skipped)"), Read: true})
			continue
		}
		digest, enc, ok := splitLine(line)
		if !ok {
			errs = append(errs, &LineError{Line: n, Err: errors.New(`expected "<digest>  <path>"`)})
			continue
		}
		var notes []string
		if rest, ok := strings.CutPrefix(enc, "*"); ok {
			enc = rest
			notes = append(notes, `"*" before the path (md5sum's binary mode) ignored`)
		}
		if rest, ok := strings.CutPrefix(enc, "./"); ok {
			enc = rest
			notes = append(notes, `leading "./" ignored`)
		}
		if enc == "" {
			errs = append(errs, &LineError{Line: n, Err: errors.New("no path after the digest")})
			continue
		}
		p, err := DecodePath(enc)
		literal := ""
		if err != nil {
			p = enc
			notes = append(notes, `"%" that is not percent-encoding read literally`)
		} else if p != enc {
			literal = enc
		}
		if le := checkEntry(n, alg, digest, p); le != nil {
			errs = append(errs, le)
			continue
		}
		if literal != "" && CheckPath(literal) != nil {
			literal = ""
		}
		for _, note := range notes {
			errs = append(errs, &LineError{Line: n, Path: p, Err: errors.New(note), Read: true})
		}
		entries = append(entries, ForeignEntry{Entry{Path: p, Digest: strings.ToLower(digest)}, literal})
	}
	return entries, errs
}

// ParseManifest parses a manifest that must be in canonical form: it returns
// an error for any unreadable line and ErrNotCanonical for anything Marshal
// would not have written byte for byte (order, duplicates, spacing, case,
// line ends, encoding).
func ParseManifest(alg string, b []byte) (*Manifest, error) {
	if HexLen(alg) == 0 {
		return nil, fmt.Errorf("unknown algorithm %q", alg)
	}
	entries, errs := ScanManifest(alg, b)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s manifest: %w", alg, errs[0])
	}
	m := &Manifest{Alg: alg, Entries: entries}
	out, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotCanonical, err)
	}
	if !bytes.Equal(out, b) {
		return nil, ErrNotCanonical
	}
	return m, nil
}
