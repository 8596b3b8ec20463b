package main

import (
	"io"

	"github.com/casepack/casepack/packager/evidence"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progressBar draws one bar (bytes, speed, ETA) for the evidence pass. It
// is only created when stderr is a terminal; a nil *progressBar does nothing.
type progressBar struct {
	p   *mpb.Progress
	bar *mpb.Bar
	out io.Writer
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(40)), out: w}
}

func (b *progressBar) update(ev evidence.Progress) {
	if b == nil {
		return
	}
	if b.bar == nil {
		b.bar = b.p.AddBar(ev.Total,
			mpb.PrependDecorators(decor.Name("evidence "), decor.CountersKibiByte("% .1f / % .1f")),
			mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f"), decor.Name(" "), decor.AverageETA(decor.ET_STYLE_GO)),
		)
	}
	b.bar.SetCurrent(ev.TotalDone)
}

func (b *progressBar) finish(ok bool) {
	if b == nil {
		return
	}
	if b.bar != nil {
		if ok {
			b.bar.SetTotal(-1, true)
		} else {
			b.bar.Abort(true)
		}
	}
	b.p.Wait()
}
