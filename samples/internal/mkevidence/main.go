// Command mkevidence regenerates the bundled sample cases, samples/la-vega
// and samples/minimal: their evidence stand-in files and their case.json.
//
// The case data is written from Go rather than by hand because every file's
// SHA-256 appears twice in case.json (on the file and at the "hashed" custody
// step) and must equal the digest of the stand-in file; generating both from
// one place keeps them from drifting apart. The output is deterministic: the
// same toolchain writes the same bytes, and a test checks that the committed
// samples are what this program writes.
//
// Usage, from the repository root:
//
//	go run ./samples/internal/mkevidence -o samples
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/casepack/casepack/schema"
)

func main() {
	out := flag.String("o", "samples", "the samples folder to (re)write la-vega/ and minimal/ in")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkevidence:", err)
		os.Exit(1)
	}
}

// generate writes both sample cases below root, replacing earlier output.
func generate(root string) error {
	for _, s := range []struct {
		name  string
		build func(*writer) (*schema.Case, error)
	}{
		{"la-vega", laVega},
		{"minimal", minimal},
	} {
		dir := filepath.Join(root, s.name)
		// Only what this program writes is removed, so stray files in the
		// folder are never deleted by accident.
		if err := os.RemoveAll(filepath.Join(dir, "evidence")); err != nil {
			return err
		}
		w := &writer{dir: dir}
		c, err := s.build(w)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		data, err := encode(c)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, schema.CaseFileName), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// encode renders a case as indented JSON, keeping "&", "<" and ">" as they
// are (the Markdown texts are easier to read that way).
func encode(c *schema.Case) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode case: %w", err)
	}
	return buf.Bytes(), nil
}

// writer writes stand-in files below a case folder and remembers their
// digests, so case data can quote them.
type writer struct {
	dir string
}

// file writes data at the case-relative path rel and returns its SHA-256.
func (w *writer) file(rel string, data []byte) (string, error) {
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// text writes a UTF-8 text stand-in.
func (w *writer) text(rel, body string) (string, error) {
	return w.file(rel, []byte(body))
}

// frame writes a small PNG that says in words what it stands in for. The
// built-in bitmap font covers ASCII only, so the lines are folded to ASCII.
func (w *writer) frame(rel string, lines ...string) (string, error) {
	const width, lineH, margin = 560, 16, 12
	h := margin*2 + lineH*len(lines) + 8
	pal := color.Palette{
		color.Gray{Y: 0x30},                            // background
		color.Gray{Y: 0xf0},                            // text
		color.RGBA{R: 0xd0, G: 0x30, B: 0x30, A: 0xff}, // banner
	}
	img := image.NewPaletted(image.Rect(0, 0, width, h), pal)
	draw.Draw(img, img.Bounds(), &image.Uniform{pal[0]}, image.Point{}, draw.Src)
	// A red band across the top and bottom marks the frame as not real at a glance.
	draw.Draw(img, image.Rect(0, 0, width, 4), &image.Uniform{pal[2]}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, h-4, width, h), &image.Uniform{pal[2]}, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: &image.Uniform{pal[1]}, Face: basicfont.Face7x13}
	for i, l := range lines {
		d.Dot = fixed.P(margin, margin+4+lineH*(i+1)-4)
		d.DrawString(ascii(l))
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("encode %s: %w", rel, err)
	}
	return w.file(rel, buf.Bytes())
}

// ascii folds the Spanish letters the samples use to ASCII and replaces
// anything else outside ASCII with '?'.
func ascii(s string) string {
	r := strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n",
		"Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "Ñ", "N", "–", "-", "—", "-", "’", "'")
	s = r.Replace(s)
	var b strings.Builder
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b.WriteRune(c)
	}
	return b.String()
}
