package bag

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"testing/fstest"
	"time"
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
