package main

import (
	"github.com/urfave/cli/v3"
	"io"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progressBar draws one bar (bytes, speed, ETA) per named phase: the
// evidence pass, then the check of what was written. It is only created when
// stderr is a terminal; a nil *progressBar does nothing.
type progressBar struct {
	p    *mpb.Progress
	bars map[string]*mpb.Bar
	last *mpb.Bar
}

func newProgressBar(w io.Writer) *progressBar {
	// The bar draws with escape sequences of its own, and shows no text
	// from a case or package: it writes under the terminal escaper.
	w = termsafe.Unwrap(w)
	return &progressBar{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(40)), bars: map[string]*mpb.Bar{}}
}

// phase returns the event handler that drives the bar named name.
func (b *progressBar) phase(name string) func(digest.Progress) {
	if b == nil {
		return nil
	}
	return func(ev digest.Progress) { b.update(name, ev) }
}

func (b *progressBar) update(name string, ev digest.Progress) {
	bar := b.bars[name]
	if bar == nil {
		if b.last != nil {
			b.last.SetTotal(-1, true) // the previous phase is over
		}
		bar = b.p.AddBar(ev.Total,
			mpb.PrependDecorators(decor.Name(name+" ", decor.WC{W: 10, C: decor.DindentRight}), decor.CountersKibiByte("% .1f / % .1f")),
			mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f"), decor.Name(" "), decor.AverageETA(decor.ET_STYLE_GO)),
		)
		b.bars[name], b.last = bar, bar
	}
	bar.SetCurrent(ev.TotalDone)
}

func (b *progressBar) finish(ok bool) {
	if b == nil {
		return
	}
	for _, bar := range b.bars {
		if ok {
			bar.SetTotal(-1, true)
		} else {
			bar.Abort(true)
		}
	}
	b.p.Wait()
}

// progressFlag is --no-progress.
func progressFlag() cli.Flag {
	return &cli.BoolFlag{Name: "no-progress", Usage: "do not draw a progress bar"}
}

// progressFor returns a progress bar when the command may draw one: text
// output, neither --quiet nor --no-progress, and a terminal on stderr.
// Otherwise nil, which draws nothing.
func progressFor(cmd *cli.Command, format string) *progressBar {
	if format == "text" && !cmd.Bool("no-progress") && !cmd.Bool("quiet") && stderrIsTerminal() {
		return newProgressBar(cmd.Root().ErrWriter)
	}
	return nil
}
