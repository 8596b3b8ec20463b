package bag

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/casepack/casepack/internal/ziptest"
)

func TestWriteZip(t *testing.T) {
	date := time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("x", 3600))
	fsys := fstest.MapFS{
		"bagit.txt":              {Data: []byte(BagitTxt)},
		"data/evidence/a.mp4":    {Data: bytes.Repeat([]byte{1, 2, 3}, 1000)},
		"data/evidence.txt":      {Data: bytes.Repeat([]byte("text "), 1000)},
		"data/case/case.json":    {Data: []byte("{}\n")},
		"data/empty":             {Data: nil},
		"casepack/manifest.json": {Data: []byte("{}\n")},
	}
	var a, b bytes.Buffer
	if err := WriteZip(&a, fsys, "PKG", date); err != nil {
		t.Fatal(err)
	}
	if err := WriteZip(&b, fsys, "PKG", date); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two ZIPs of the same files differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		method uint16
	}{
		{"PKG/", zip.Store}, {"PKG/bagit.txt", zip.Deflate}, {"PKG/casepack/", zip.Store},
		{"PKG/casepack/manifest.json", zip.Deflate}, {"PKG/data/", zip.Store}, {"PKG/data/case/", zip.Store},
		{"PKG/data/case/case.json", zip.Deflate}, {"PKG/data/empty", zip.Store}, {"PKG/data/evidence.txt", zip.Deflate},
		{"PKG/data/evidence/", zip.Store}, {"PKG/data/evidence/a.mp4", zip.Store},
	}
	if len(zr.File) != len(want) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(want))
	}
	for i, f := range zr.File {
		if f.Name != want[i].name || f.Method != want[i].method {
			t.Errorf("entry %d = %s (method %d), want %s (%d)", i, f.Name, f.Method, want[i].name, want[i].method)
		}
		if !f.Modified.Equal(date) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, date)
		}
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, fsys[f.Name[len("PKG/"):]].Data) {
			t.Errorf("%s: content differs", f.Name)
		}
	}
	if err := WriteZip(io.Discard, fsys, "../x", date); err == nil {
		t.Error("unsafe top folder accepted")
	}
	if err := WriteZip(io.Discard, fstest.MapFS{"l": {Mode: 0o777 | 1<<27}}, "P", date); err == nil {
		t.Error("symlink accepted")
	}
}

// TestWriteZipStreamable: every stored entry carries its CRC and size in its
// local header, so streaming readers (Java's ZipInputStream) read the ZIP.
func TestWriteZipStreamable(t *testing.T) {
	fsys := fstest.MapFS{
		"bagit.txt":           {Data: []byte(BagitTxt)},
		"data/evidence/a.mp4": {Data: bytes.Repeat([]byte{1, 2, 3}, 100000)},
		"data/evidence/b.png": {Data: []byte("png")},
		"data/empty":          {Data: nil},
	}
	var b bytes.Buffer
	if err := WriteZip(&b, fsys, "PKG", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ziptest.CheckStreamable(t, b.Bytes())
	hs, err := ziptest.LocalHeaders(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, h := range hs {
		if h.Method == zip.Store && !strings.HasSuffix(h.Name, "/") {
			stored++
			if want := crc32.ChecksumIEEE(fsys[strings.TrimPrefix(h.Name, "PKG/")].Data); h.CRC32 != want {
				t.Errorf("%s: local header CRC %08x, want %08x", h.Name, h.CRC32, want)
			}
		}
	}
	if stored != 3 {
		t.Fatalf("%d stored files, want 3", stored)
	}
	p := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := ziptest.JavaRead(t, p)
	if !strings.Contains(out, "PKG/data/evidence/a.mp4 300000\n") {
		t.Errorf("java read:\n%s", out)
	}
}

// TestWriteZipChangedFile: a file that changes between the CRC pass and the
// copy is an error, not an entry whose CRC is wrong.
func TestWriteZipChangedFile(t *testing.T) {
	fsys := &growingFS{MapFS: fstest.MapFS{"data/a.bin": {Data: []byte("first")}}}
	err := WriteZip(io.Discard, fsys, "PKG", time.Time{})
	if err == nil || !strings.Contains(err.Error(), "changed while") {
		t.Fatalf("err = %v", err)
	}
}

// growingFS returns longer content each time a file is opened.
type growingFS struct {
	fstest.MapFS
	opens int
}

func (g *growingFS) Open(name string) (fs.File, error) {
	if f, ok := g.MapFS[name]; ok && !f.Mode.IsDir() && name != "." && !strings.HasSuffix(name, "/") && f.Data != nil {
		g.opens++
		f.Data = append(f.Data, 'x')
	}
	return g.MapFS.Open(name)
}
