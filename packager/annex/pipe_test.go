package annex

import (
	"bytes"
	"errors"
	"testing"
)

// A pipe hands its chunks back to the spare it took them from once
// closed, and the next pipe writes with them the same bytes; a pipe whose
// writer failed hands them back too.
func TestPipeReusesChunks(t *testing.T) {
	var spare [][]byte
	data := bytes.Repeat([]byte("0123456789abcdef"), pipeChunks*pipeChunk/8)
	for round := range 3 {
		var out bytes.Buffer
		p := newPipe(&out, &spare)
		if len(spare) != 0 {
			t.Fatalf("round %d: %d chunks left in the spare while the pipe is open", round, len(spare))
		}
		for b := data; len(b) > 0; b = b[min(len(b), 1000):] {
			if _, err := p.Write(b[:min(len(b), 1000)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("round %d: the pipe wrote %d bytes, not the %d given", round, out.Len(), len(data))
		}
		if len(spare) != pipeChunks {
			t.Fatalf("round %d: %d chunks handed back, want %d", round, len(spare), pipeChunks)
		}
	}
	boom := errors.New("boom")
	p := newPipe(failWriter{boom}, &spare)
	p.Write(data)
	if err := p.Close(); !errors.Is(err, boom) {
		t.Fatalf("Close = %v, want the writer's error", err)
	}
	if len(spare) != pipeChunks {
		t.Fatalf("after a failure: %d chunks handed back, want %d", len(spare), pipeChunks)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
