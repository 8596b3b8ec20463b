package narrative

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-fonts/liberation/liberationmonoregular"
	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifbolditalic"
	"github.com/go-fonts/liberation/liberationserifitalic"
	"github.com/go-fonts/liberation/liberationserifregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/casepack/casepack/packager/finding"
)

// The narrative is set in Liberation Serif (SIL Open Font License), a
// document face metric-compatible with Times New Roman, with Liberation Mono
// for digests only. They cover Latin, Greek and Cyrillic: the languages of
// the Court and of the organisations that write to it. Fonts the user gives
// (--font) are fallbacks for characters these lack; every font is embedded,
// as a subset of the characters used.

// Font is a TrueType font given by the user as a fallback.
type Font struct {
	Name string // file name, for messages
	TTF  []byte
}

// face is one font of a fontSet.
type face struct {
	family, style string // as fpdf knows it
	psName        string // PostScript name, for the subset tag
	ttf           []byte
	has           *coverage
}

// coverage is the set of runes (below U+10000: fpdf's width table stops
// there) a font has a glyph for.
type coverage [0x10000 / 64]uint64

func (c *coverage) contains(r rune) bool { return r < 0x10000 && c[r>>6]&(1<<(r&63)) != 0 }

func coverageOf(ttf []byte) (*coverage, string, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, "", err
	}
	var buf sfnt.Buffer
	c := new(coverage)
	for r := rune(0x20); r < 0x10000; r++ {
		if r >= 0xd800 && r < 0xe000 {
			continue
		}
		if gi, err := f.GlyphIndex(&buf, r); err == nil && gi != 0 {
			c[r>>6] |= 1 << (r & 63)
		}
	}
	ps, _ := f.Name(&buf, sfnt.NameIDPostScript)
	return c, ps, nil
}

// Indexes of the embedded faces in a fontSet.
const (
	faceRegular = iota
	faceBold
	faceItalic
	faceBoldItalic
	faceMono
	embeddedFaces
)

var (
	embeddedOnce sync.Once
	embedded     []face
)

func loadEmbedded() {
	specs := []struct {
		style, ps string
		ttf       []byte
	}{
		{"", "LiberationSerif", liberationserifregular.TTF},
		{"B", "LiberationSerif-Bold", liberationserifbold.TTF},
		{"I", "LiberationSerif-Italic", liberationserifitalic.TTF},
		{"BI", "LiberationSerif-BoldItalic", liberationserifbolditalic.TTF},
		{"", "LiberationMono", liberationmonoregular.TTF},
	}
	for i, s := range specs {
		c, _, err := coverageOf(s.ttf)
		if err != nil {
			// The fonts are compiled in; a parse failure is a broken build.
			panic("narrative: embedded font " + s.ps + ": " + err.Error())
		}
		embedded = append(embedded, face{family: familyFor(i, s.style, s.ps), style: s.style, psName: s.ps, ttf: s.ttf, has: c})
	}
}

// familyFor picks the fpdf family name of face i so that the name fpdf
// writes ("/utf8" + family + style, lower-cased) is exactly as long as the
// subset name the PDF should carry ("ABCDEF+" + PostScript name): the
// finished file is then renamed in place without moving a byte (see
// tagSubsets).
func familyFor(i int, style, ps string) string {
	n := len("ABCDEF+") + len(ps) - len("utf8") - len(style)
	fam := fmt.Sprintf("cpf%d", i)
	return fam + strings.Repeat("x", max(n-len(fam), 0))
}

// fontSet is the embedded faces plus the user's fallbacks, for one render.
type fontSet struct {
	faces []face
}

var psNameRe = regexp.MustCompile(`[^A-Za-z0-9-]`)

// newFontSet checks the user's fonts and returns the set.
func newFontSet(extra []Font) (*fontSet, error) {
	embeddedOnce.Do(loadEmbedded)
	fs := &fontSet{faces: append([]face(nil), embedded...)}
	for i, f := range extra {
		c, ps, err := coverageOf(f.TTF)
		if err != nil {
			return nil, &FontError{Name: f.Name, Err: err}
		}
		ps = psNameRe.ReplaceAllString(ps, "")
		if ps == "" || len(ps) > 40 {
			ps = fmt.Sprintf("Fallback%d", i+1)
		}
		idx := len(fs.faces)
		fs.faces = append(fs.faces, face{family: familyFor(idx, "", ps), psName: ps, ttf: f.TTF, has: c})
	}
	return fs, nil
}

// FontError is a --font file that is not a TrueType font casepack can embed.
type FontError struct {
	Name string
	Err  error
}

func (e *FontError) Error() string {
	return fmt.Sprintf("font %s: not a TrueType font casepack can embed: %v", e.Name, e.Err)
}

func (e *FontError) Unwrap() error { return e.Err }

// primary is the embedded face for a style.
func primary(st style) int {
	switch {
	case st&stMono != 0:
		return faceMono
	case st&stBold != 0 && st&stItalic != 0:
		return faceBoldItalic
	case st&stBold != 0:
		return faceBold
	case st&stItalic != 0:
		return faceItalic
	}
	return faceRegular
}

// faceFor returns the face that draws r in style st: the style's own face,
// else the serif regular, else the first fallback that has it; -1 if none.
func (fs *fontSet) faceFor(r rune, st style) int {
	p := primary(st)
	if fs.faces[p].has.contains(r) {
		return p
	}
	if fs.faces[faceRegular].has.contains(r) {
		return faceRegular
	}
	for i := embeddedFaces; i < len(fs.faces); i++ {
		if fs.faces[i].has.contains(r) {
			return i
		}
	}
	return -1
}

// faceRun is a stretch of text drawn with one face.
type faceRun struct {
	text string
	face int
}

// runs splits s (already cleaned) into runs of one face each. A rune no
// face can draw is an error, never a silent box or question mark.
func (fs *fontSet) runs(s string, st style) ([]faceRun, error) {
	p := primary(st)
	simple := true
	for _, r := range s {
		if r >= 0x590 && isRTL(r) {
			return nil, rtlError(r, s)
		}
		if !fs.faces[p].has.contains(r) {
			simple = false
			break
		}
	}
	if simple {
		return []faceRun{{s, p}}, nil
	}
	var out []faceRun
	start, cur := 0, -2
	for i, r := range s {
		if r >= 0x590 && isRTL(r) {
			return nil, rtlError(r, s)
		}
		f := fs.faceFor(r, st)
		if f < 0 {
			return nil, glyphError(r, s)
		}
		if f != cur {
			if cur >= 0 {
				out = append(out, faceRun{s[start:i], cur})
			}
			start, cur = i, f
		}
	}
	if cur >= 0 {
		out = append(out, faceRun{s[start:], cur})
	}
	return out, nil
}

// undrawable checks whether every character of s can be drawn with the
// embedded fonts and the user's fallbacks, and returns the first that
// cannot, with the reason; 0 and nil when all can. Right-to-left scripts
// are refused even with a font: the PDF library lays text out left to
// right without shaping, so they would print reversed and unjoined.
func (fs *fontSet) undrawable(s string) (rune, error) {
	s = clean(s)
	// Right-to-left text first: no font helps with it.
	for _, r := range s {
		if r >= 0x590 && isRTL(r) {
			return r, rtlError(r, s)
		}
	}
	for _, r := range s {
		if r >= 0x20 && fs.faceFor(r, 0) < 0 {
			return r, glyphError(r, s)
		}
	}
	return 0, nil
}

// GlyphError is text holding a character that no embedded font can draw.
type GlyphError struct {
	Rune    rune
	Context string // the text around it
	// RTL is true when the character belongs to a right-to-left script,
	// which casepack refuses whatever fonts are given.
	RTL bool
}

func (e *GlyphError) Error() string {
	if e.RTL {
		return fmt.Sprintf("%s is right-to-left text, which casepack cannot lay out yet (it would print reversed): %q", describeRune(e.Rune), e.Context)
	}
	if e.Rune >= 0x10000 {
		return fmt.Sprintf("%s cannot be printed: the PDF library draws only characters up to U+FFFF (emoji and rare scripts are beyond it): %q", describeRune(e.Rune), e.Context)
	}
	return fmt.Sprintf("no embedded font can draw %s: %q", describeRune(e.Rune), e.Context)
}

// Hint says what the user can do about it.
func (e *GlyphError) Hint() string {
	switch {
	case e.RTL:
		return "give the text in a left-to-right language in the narrative (the original can stay in the evidence file), or transliterate it"
	case e.Rune >= 0x10000:
		return "remove the character or describe it in words"
	}
	return "pass a TrueType font that has it with --font FILE (e.g. a Noto font for the script), or write the text without it"
}

func glyphError(r rune, s string) *GlyphError {
	return &GlyphError{Rune: r, Context: around(s, r)}
}

func rtlError(r rune, s string) *GlyphError {
	return &GlyphError{Rune: r, Context: around(s, r), RTL: true}
}

// around returns up to 20 characters either side of the first r in s.
func around(s string, r rune) string {
	rs := []rune(s)
	for i, x := range rs {
		if x == r {
			lo, hi := max(i-20, 0), min(i+21, len(rs))
			return string(rs[lo:hi])
		}
	}
	return s
}

// describeRune names a character for a user: U+0915 'क' (Devanagari).
func describeRune(r rune) string {
	script := ""
	for name, t := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(t, r) {
			script = " (" + strings.ReplaceAll(name, "_", " ") + ")"
			break
		}
	}
	if unicode.IsPrint(r) && !unicode.Is(unicode.Mn, r) {
		return fmt.Sprintf("U+%04X %q%s", r, string(r), script)
	}
	return fmt.Sprintf("U+%04X%s", r, script)
}

// isRTL reports whether r belongs to a right-to-left script.
func isRTL(r rune) bool {
	if r < 0x590 {
		return false
	}
	p, _ := bidi.LookupRune(r)
	c := p.Class()
	return c == bidi.R || c == bidi.AL
}

// clean maps s onto what is drawn: controls become spaces; invisible
// formatting characters (zero-width space and joiners, soft hyphen, byte
// order mark, variation selectors) are dropped, as they print nothing.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || isInvisible(r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			b.WriteByte(' ')
		case isInvisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isInvisible(r rune) bool {
	return r == 0xad || r == 0x200b || r == 0x200c || r == 0x200d || r == 0x2060 || r == 0xfeff || r >= 0xfe00 && r <= 0xfe0f
}

// tagSubsets renames the embedded fonts in the finished PDF from fpdf's
// internal names to subset names (six capital letters, "+", the PostScript
// name), as the PDF specification asks of a subset font, so readers and
// pdffonts know the font is a subset. The names have the same length, so
// no offset in the file moves. The tag is derived from the document, so
// the same document always carries the same tags.
func tagSubsets(pdf []byte, fs *fontSet, seed []byte) []byte {
	for i, f := range fs.faces {
		old := []byte("/utf8" + strings.ToLower(f.family) + f.style)
		h := sha256.Sum256(append([]byte(f.psName+"\x00"), seed...))
		tag := make([]byte, 6)
		for k := range tag {
			tag[k] = 'A' + h[k]%26
		}
		name := []byte("/" + string(tag) + "+" + f.psName)
		if len(name) != len(old) {
			panic(fmt.Sprintf("narrative: subset name of face %d has the wrong length", i))
		}
		for _, prefix := range []string{"/BaseFont ", "/FontName "} {
			from := append([]byte(prefix), old...)
			// In place: the names have the same length.
			for rest := pdf; ; {
				i := bytes.Index(rest, from)
				if i < 0 {
					break
				}
				copy(rest[i+len(prefix):], name)
				rest = rest[i+len(from):]
			}
		}
	}
	return pdf
}

// Printable returns the check schema.Options.Printable wants: whether the
// narrative, with the embedded fonts and the user's fallbacks, can print a
// text, so that validate reports what the build would refuse, at the field.
func Printable(fonts []Font) (func(s string) (rune, finding.Code, string, string), error) {
	fs, err := newFontSet(fonts)
	if err != nil {
		return nil, err
	}
	return func(s string) (rune, finding.Code, string, string) {
		r, err := fs.undrawable(norm.NFC.String(s))
		var ge *GlyphError
		if err == nil || !errors.As(err, &ge) {
			return 0, "", "", ""
		}
		code := finding.TextGlyph
		msg := "the text holds " + describeRune(r) + ", which no embedded font can draw"
		switch {
		case ge.RTL:
			code = finding.TextRTL
			msg = "the text holds " + describeRune(r) + ", a right-to-left script the narrative cannot lay out (it would print reversed)"
		case r >= 0x10000:
			msg = "the text holds " + describeRune(r) + ", beyond U+FFFF, which the PDF library cannot draw"
		}
		return r, code, msg, ge.Hint()
	}, nil
}
