package assemble

import (
	"context"
	"path/filepath"

	"github.com/casepack/casepack/internal/digest"
)

// reread re-reads the evidence copies with SHA-256 on one goroutine while
// the build goes on generating the narrative, the annexes and the
// manifests, which run on one core: the verify-after-write then finds
// those files read already (verify.Options.Hashed) instead of reading
// every payload byte again once the rest is written. The copies are in the
// build's own temporary folder and nothing writes them again, so reading
// them now proves what reading them later would.
type reread struct {
	cancel context.CancelFunc
	done   chan struct{}
	got    map[string]digest.Digests
}

// startReread starts re-reading the files paths (bag paths) of the package
// being written in dir.
func startReread(ctx context.Context, dir string, paths []string) *reread {
	ctx, cancel := context.WithCancel(ctx)
	r := &reread{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		sums := make([]digest.Digests, len(paths))
		ok := make([]bool, len(paths))
		// One worker: the other core is the generators'.
		_ = digest.Each(ctx, len(paths), 1, func(ctx context.Context, i int) error {
			f, err := digest.Open(filepath.Join(dir, filepath.FromSlash(paths[i])))
			if err != nil {
				return nil // the verify-after-write reads it and says what is wrong
			}
			defer f.Close()
			sums[i], err = digest.ReadSHA256(ctx, f)
			ok[i] = err == nil
			return nil
		})
		got := make(map[string]digest.Digests, len(paths))
		for i, p := range paths {
			if ok[i] {
				got[p] = sums[i]
			}
		}
		r.got = got
	}()
	return r
}

// wait returns what was re-read (nil for a nil reread).
func (r *reread) wait() map[string]digest.Digests {
	if r == nil {
		return nil
	}
	<-r.done
	return r.got
}

// stop ends the re-reading and waits for it: the folder it reads may be
// about to be removed.
func (r *reread) stop() {
	if r == nil {
		return
	}
	r.cancel()
	<-r.done
}
