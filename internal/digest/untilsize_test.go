package digest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// reads counts the reads of a reader and what each asked for.
type reads struct {
	r     io.Reader
	calls int
}

func (c *reads) Read(p []byte) (int, error) {
	c.calls++
	return c.r.Read(p)
}

// TestUntilSize: a read that comes back short with the size reached ends
// the stream without another read; a stream that is longer than said is
// read to its end, a shorter one ends where it ends, and one read in small
// pieces is read whole.
func TestUntilSize(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, tc := range []struct {
		name      string
		r         func() io.Reader
		size      int64
		want      int
		wantReads int // with a buffer larger than the stream; 0: any
	}{
		{"exact", func() io.Reader { return bytes.NewReader(data) }, int64(len(data)), len(data), 1},
		{"empty", func() io.Reader { return bytes.NewReader(nil) }, 0, 0, 1},
		{"longer than said", func() io.Reader { return bytes.NewReader(data) }, 100, len(data), 2},
		{"shorter than said", func() io.Reader { return bytes.NewReader(data[:50]) }, 100, 50, 2},
		{"in pieces", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:300])) }, 300, 300, 0},
		{"in halves", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }, int64(len(data)), len(data), 0},
	} {
		c := &reads{r: tc.r()}
		got, err := io.ReadAll(io.LimitReader(UntilSize(c, tc.size), 1<<20))
		if err != nil || len(got) != tc.want || !bytes.Equal(got, data[:tc.want]) {
			t.Errorf("%s: read %d bytes (%v), want %d", tc.name, len(got), err, tc.want)
		}
		// io.ReadAll asks for 512 bytes first: count with one big buffer.
		c = &reads{r: tc.r()}
		buf := make([]byte, 1<<20)
		u := UntilSize(c, tc.size)
		total := 0
		for {
			n, err := u.Read(buf[total:])
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if total != tc.want || tc.wantReads > 0 && c.calls != tc.wantReads {
			t.Errorf("%s: %d bytes in %d reads, want %d in %d", tc.name, total, c.calls, tc.want, tc.wantReads)
		}
	}
}

// TestOpenCopySmall: a small copy is read back whole, whatever its size
// says, and its digest is that of its bytes.
func TestOpenCopySmall(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4096, 40 << 10, BufferSize} {
		b := bytes.Repeat([]byte{byte(n)}, n)
		p := filepath.Join(dir, "copy")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(b)
		for _, said := range []int64{int64(n), int64(n) / 2, int64(n) + 7} {
			f, err := OpenCopy(p, said)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ReadSHA256(context.Background(), f)
			f.Close()
			if err != nil || d.Size != int64(n) || d.SHA256 != hex.EncodeToString(want[:]) {
				t.Errorf("%d bytes, said %d: %+v, %v", n, said, d, err)
			}
		}
	}
	if _, err := OpenCopy(filepath.Join(dir, "missing"), 10); !os.IsNotExist(err) {
		t.Errorf("missing copy: %v", err)
	}
}
