package annex

import (
	"io"
	"sync"
)

// pipeChunk is the size of the chunks a pipe hands over, and pipeChunks
// how many there are: a pipe holds 256 KiB whatever the sheet's size.
const (
	pipeChunk  = 64 << 10
	pipeChunks = 4
)

// pipe writes what it is given to w on a goroutine of its own, in order,
// so that a sheet's rows are made (their XML and their CSV twin's text)
// on one core while the rows before them are deflated (and the workbook
// hashed and written), and the CSV twin hashed and written, on another
// (fill has a pipe for each). For 20,000 evidence items
// (BenchmarkWriteManyEvidence, CPU profile) deflate was half the
// workbook's CPU time, all of it on the one core the workbook had. w gets
// the same bytes in the same order, so a deflater writes the same output
// whatever the chunks (sheetCompressor's output depends on the bytes and
// on Flush, which a pipe never calls).
//
// A pipe copies what it is written into chunks, so the caller may reuse
// its buffer (a bufio.Writer's). After w fails, the rest is dropped and
// every Write and Close returns w's error. Close must be called: it hands
// over the last chunk and waits until w has taken everything.
type pipe struct {
	w    io.Writer
	buf  []byte      // the chunk being filled; nil once closed
	full chan []byte // to the writing goroutine
	free chan []byte // back from it
	done chan struct{}
	mu   sync.Mutex
	err  error // w's first error
	// spare takes the chunks back once the pipe is closed (nil: they
	// are dropped).
	spare *[][]byte
}

// newPipe starts a pipe to w. Its chunks are taken from spare, when it
// holds some, and handed back to it by Close: a workbook's sheets pass
// one set of chunks along instead of each allocating its own (twelve
// sheets, 3 MB).
func newPipe(w io.Writer, spare *[][]byte) *pipe {
	p := &pipe{w: w, full: make(chan []byte, pipeChunks), free: make(chan []byte, pipeChunks), done: make(chan struct{}), spare: spare}
	chunk := func() []byte {
		if spare != nil && len(*spare) > 0 {
			b := (*spare)[len(*spare)-1]
			*spare = (*spare)[:len(*spare)-1]
			return b[:0]
		}
		return make([]byte, 0, pipeChunk)
	}
	for range pipeChunks - 1 {
		p.free <- chunk()
	}
	p.buf = chunk()
	go p.run()
	return p
}

func (p *pipe) run() {
	defer close(p.done)
	failed := false
	for b := range p.full {
		if !failed {
			if _, err := p.w.Write(b); err != nil {
				p.mu.Lock()
				p.err = err
				p.mu.Unlock()
				failed = true
			}
		}
		p.free <- b[:0]
	}
}

func (p *pipe) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *pipe) Write(b []byte) (int, error) {
	if err := p.failed(); err != nil {
		return 0, err
	}
	n := len(b)
	for len(b) > 0 {
		k := copy(p.buf[len(p.buf):cap(p.buf)], b)
		p.buf = p.buf[:len(p.buf)+k]
		b = b[k:]
		if len(p.buf) == cap(p.buf) {
			p.full <- p.buf
			p.buf = <-p.free
		}
	}
	return n, nil
}

// Close hands over what is left and waits for w to take it.
func (p *pipe) Close() error {
	if p.buf == nil {
		return p.failed()
	}
	last := p.buf
	if len(last) > 0 {
		p.full <- last
		last = nil
	}
	p.buf = nil
	close(p.full)
	<-p.done
	if p.spare != nil {
		// Every chunk handed over came back to free; the goroutine is
		// gone, so they are the spare's.
		if last != nil {
			*p.spare = append(*p.spare, last)
		}
		for len(p.free) > 0 {
			*p.spare = append(*p.spare, <-p.free)
		}
	}
	return p.failed()
}
