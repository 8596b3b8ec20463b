package assemble

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/casepack/casepack/internal/digest"
)

// generators is how many generated files are made at once after the
// evidence pass: the workbook on one core and the covering letter, then
// the narrative, on the other. Not one per core: each generator holds its
// own view of the case while it runs (the annexes' mapper, a PDF's pages),
// so more at once would raise the build's peak memory on a machine with
// more cores without making a case's few generated files any sooner.
const generators = 2

// generated is what making one generated file gave.
type generated struct {
	d          digest.Digests
	also       []digest.Digests // of GeneratedFile.Also, in its order
	err        error
	ran        bool
	start, end time.Time
}

// generate makes the generated files which (indexes into b.spec.Files),
// at most at once at a time, each once the files of its After are
// written, and records each in gen (by the same index). A file of After
// that is not among which must have been generated already (NoEvidence).
// ev is what each Generate is handed.
//
// The first failure stops the others (their context is cancelled) and no
// further one starts. Of the files that ran and failed, the one returned
// does not depend on which failed first in time: the first in Spec order
// that is not the cancellation of the rest; ctx's own error when ctx is
// done. (A file that had not started when another failed is not made.)
func (b *builder) generate(ctx context.Context, which []int, at int, ev *Evidence, gen []generated) error {
	if len(which) == 0 {
		return nil
	}
	files := b.spec.Files
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(map[string]chan struct{}, len(which))
	for _, i := range which {
		done[files[i].Path] = make(chan struct{})
	}
	slots := make(chan struct{}, at)
	var wg sync.WaitGroup
	for _, i := range which {
		f, g := files[i], &gen[i]
		wg.Go(func() {
			defer close(done[f.Path])
			for _, a := range f.After {
				if c, ok := done[a]; ok {
					<-c
				}
			}
			select {
			case slots <- struct{}{}:
			case <-gctx.Done():
				return
			}
			defer func() { <-slots }()
			if gctx.Err() != nil {
				return // one failed while this one waited: it is not made
			}
			g.ran, g.start = true, time.Now()
			g.d, g.also, g.err = b.generateOne(gctx, f, b.evidenceFor(f, ev, gen))
			g.end = time.Now()
			if g.err != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, i := range which {
		if err := gen[i].err; err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, i := range which {
		if err := gen[i].err; err != nil {
			return err
		}
	}
	return nil
}

// evidenceFor is ev as the generator of f is handed it: with the digests
// of the files of f's After and of their Also files (Evidence.Generated),
// each written before f's Generate starts (generate waits for them), so
// that reading their entries of gen races with no writer. nil stays nil
// (a file with NoEvidence, which has no After).
func (b *builder) evidenceFor(f GeneratedFile, ev *Evidence, gen []generated) *Evidence {
	if ev == nil || len(f.After) == 0 {
		return ev
	}
	fev := *ev
	fev.after = map[string]digest.Digests{}
	for j, a := range b.spec.Files {
		if !slices.Contains(f.After, a.Path) || !gen[j].ran || gen[j].err != nil {
			continue
		}
		fev.after[a.Path] = gen[j].d
		for k, p := range a.Also {
			if k < len(gen[j].also) {
				fev.after[p] = gen[j].also[k]
			}
		}
	}
	return &fev
}

// generateOne writes the generated file f and the files of its Also.
func (b *builder) generateOne(ctx context.Context, f GeneratedFile, ev *Evidence) (digest.Digests, []digest.Digests, error) {
	also := &alsoFiles{b: b, paths: f.Also}
	d, err := b.stream(f.Path, func(w io.Writer) error {
		also.w = w
		return also.finish(f.Generate(ctx, also, ev))
	})
	return d, also.sums, err
}

// besidePhases records the time each generated file of which took, as
// phases beside the one they ran in.
func (b *builder) besidePhases(which []int, gen []generated) {
	for _, i := range which {
		if g := gen[i]; g.ran {
			b.clock.beside("generate "+b.spec.Files[i].Path, g.end.Sub(g.start))
		}
	}
}
