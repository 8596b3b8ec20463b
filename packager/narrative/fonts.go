package narrative

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// The Go fonts are embedded in every PDF so text extracts correctly whatever
// the reader has installed. Their coverage (Latin, Greek, Cyrillic, WGL4) is
// what Spanish, French and English submissions need.
const (
	familyBody = "gobody"
	familyMono = "gomono"
)

type fontFile struct {
	family, style string
	ttf           []byte
}

var fontFiles = []fontFile{
	{familyBody, "", goregular.TTF},
	{familyBody, "B", gobold.TTF},
	{familyBody, "I", goitalic.TTF},
	{familyBody, "BI", gobolditalic.TTF},
	{familyMono, "", gomono.TTF},
}

// coverage records which runes every embedded font can draw. fpdf indexes a
// 65,536-entry width table by rune and panics beyond it, and a rune with no
// glyph would print as an empty box, so text is mapped onto this set first.
var (
	coverageOnce sync.Once
	coverage     []bool // indexed by rune < 0x10000: true when every font has a glyph
	replacement  rune
)

func loadCoverage() {
	coverage = make([]bool, 0x10000)
	for r := range coverage {
		coverage[r] = r >= 0x20 && !(r >= 0x7f && r < 0xa0) && !(r >= 0xd800 && r < 0xe000)
	}
	var buf sfnt.Buffer
	for _, ff := range fontFiles {
		f, err := sfnt.Parse(ff.ttf)
		if err != nil {
			// The fonts are compiled in; a parse failure is a broken build.
			panic("narrative: embedded font: " + err.Error())
		}
		for r := range coverage {
			if !coverage[r] {
				continue
			}
			if gi, err := f.GlyphIndex(&buf, rune(r)); err != nil || gi == 0 {
				coverage[r] = false
			}
		}
	}
	replacement = '?'
	if coverage[0xfffd] {
		replacement = 0xfffd
	}
}

// drawable maps s onto runes the fonts can draw: tabs and other controls
// become spaces, unsupported runes the replacement character.
func drawable(s string) string {
	coverageOnce.Do(loadCoverage)
	clean := utf8.ValidString(s)
	for _, r := range s {
		if r >= 0x10000 || !coverage[r] {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x10000 && coverage[r]:
			out = append(out, r)
		case r < 0x20 || r == 0x7f:
			out = append(out, ' ')
		case r == 0x200b || r == 0xfeff || r == 0xad: // invisible: drop
		default:
			out = append(out, replacement)
		}
	}
	return string(out)
}
