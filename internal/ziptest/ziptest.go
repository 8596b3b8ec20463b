// Package ziptest checks ZIP files the way readers nobody here wrote see
// them: every local header as a streaming reader meets it, and Java's
// java.util.zip.ZipInputStream itself. For tests only.
package ziptest

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
)

// Header is what a local file header says.
type Header struct {
	Name           string
	Flags, Method  uint16
	CRC32          uint32
	CompressedSize uint32
}

// DataDescriptor reports whether flag bit 3 is set: CRC and sizes follow
// the data instead of being in the header.
func (h Header) DataDescriptor() bool { return h.Flags&0x8 != 0 }

// LocalHeaders reads the local file header of every entry of the ZIP in
// data, in file order.
func LocalHeaders(data []byte) ([]Header, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	files := slices.Clone(zr.File)
	offs := make(map[*zip.File]int64, len(files))
	for _, f := range files {
		if offs[f], err = f.DataOffset(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(files, func(a, b *zip.File) int { return int(offs[a] - offs[b]) })
	var out []Header
	pos := int64(0)
	for _, f := range files {
		if pos+30 > int64(len(data)) || binary.LittleEndian.Uint32(data[pos:]) != 0x04034b50 {
			return nil, fmt.Errorf("no local header at %d (before %s)", pos, f.Name)
		}
		b := data[pos:]
		h := Header{
			Flags: binary.LittleEndian.Uint16(b[6:]), Method: binary.LittleEndian.Uint16(b[8:]),
			CRC32: binary.LittleEndian.Uint32(b[14:]), CompressedSize: binary.LittleEndian.Uint32(b[18:]),
		}
		nameLen, extraLen := int64(binary.LittleEndian.Uint16(b[26:])), int64(binary.LittleEndian.Uint16(b[28:]))
		h.Name = string(b[30 : 30+nameLen])
		if h.Name != f.Name || pos+30+nameLen+extraLen != offs[f] {
			return nil, fmt.Errorf("local header at %d is %q, central directory says %q", pos, h.Name, f.Name)
		}
		out = append(out, h)
		pos = offs[f] + int64(f.CompressedSize64)
		if h.DataDescriptor() {
			// Signature (written by Go), CRC, two sizes (8 bytes each with ZIP64).
			size := int64(16)
			if f.CompressedSize64 >= 0xFFFFFFFF || f.UncompressedSize64 >= 0xFFFFFFFF {
				size = 24
			}
			pos += size
		}
	}
	return out, nil
}

// CheckStreamable fails the test unless every stored entry of the ZIP in
// data has its CRC and size in its local header (no data descriptor), as
// Java's ZipInputStream requires.
func CheckStreamable(t testing.TB, data []byte) {
	t.Helper()
	hs, err := LocalHeaders(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Method == zip.Store && h.DataDescriptor() {
			t.Errorf("%s: stored entry with a data descriptor (flag bit 3): Java's ZipInputStream refuses it", h.Name)
		}
	}
}

//go:embed ZipStreamRead.java
var javaReader []byte

// JavaRead reads the ZIP at path with java.util.zip.ZipInputStream and
// returns what it printed (one "name size" line per entry). It skips the
// test locally, and fails it under CI, when no JDK is installed.
func JavaRead(t testing.TB, path string) string {
	t.Helper()
	java := testtool.Need(t, "java")
	dir := t.TempDir()
	src := filepath.Join(dir, "ZipStreamRead.java")
	if err := os.WriteFile(src, javaReader, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(java, src, path).CombinedOutput()
	if err != nil {
		t.Fatalf("java.util.zip.ZipInputStream cannot read %s: %v\n%s", filepath.Base(path), err, out)
	}
	return string(out)
}
