package digest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestReadBackEqual: bytes read back are equal only when every one of
// them is the one written, at its offset: one byte changed anywhere (in
// a chunk longer than a buffer too), a file shorter than the chunk, an
// offset off by one and a read that fails are all unequal. A file opened
// with direct I/O is read back with it (aligned buffers, offsets and
// lengths), whole.
func TestReadBackEqual(t *testing.T) {
	data := random(2*BufferSize+DirectAlign+17, 1)
	changed := func(at int) []byte {
		b := bytes.Clone(data)
		b[at] ^= 1
		return b
	}
	errDisk := errors.New("disk failed")
	tests := []struct {
		name   string
		file   io.ReaderAt
		off, n int
		want   bool
	}{
		{"empty", bytes.NewReader(data), 0, 0, true},
		{"small", bytes.NewReader(data), 100, 5000, true},
		{"one buffer", bytes.NewReader(data), 0, BufferSize, true},
		{"longer than a buffer", bytes.NewReader(data), 0, len(data), true},
		{"to the end", bytes.NewReader(data), len(data) - 17, 17, true},
		{"a byte changed, small", bytes.NewReader(changed(5099)), 100, 5000, false},
		{"a byte changed, past a buffer", bytes.NewReader(changed(BufferSize + 3)), 0, len(data), false},
		{"the last byte changed", bytes.NewReader(changed(len(data) - 1)), 0, len(data), false},
		{"file shorter", bytes.NewReader(data[:len(data)-1]), 0, len(data), false},
		{"file shorter, small", bytes.NewReader(data[:4999]), 0, 5000, false},
		{"read fails", failingReaderAt{errDisk}, 0, 10, false},
	}
	for _, tc := range tests {
		if got := ReadBackEqual(tc.file, int64(tc.off), data[tc.off:tc.off+tc.n]); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if ReadBackEqual(bytes.NewReader(data), 1, data[:5000]) {
		t.Error("equal at the wrong offset")
	}

	p := filepath.Join(t.TempDir(), "copy")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	direct := SetDirect(f, true) == nil
	for _, c := range []struct{ off, n int }{{0, BufferSize}, {BufferSize, BufferSize + DirectAlign}, {0, SmallBufferSize}} {
		if !ReadBackEqual(f, int64(c.off), data[c.off:c.off+c.n]) {
			t.Errorf("direct %v: %d bytes at %d read back unequal", direct, c.n, c.off)
		}
	}
	t.Logf("direct I/O: %v", direct)
}

type failingReaderAt struct{ err error }

func (r failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, r.err }
