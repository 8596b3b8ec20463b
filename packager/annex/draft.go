package annex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/schema"
)

// ErrDigestMismatch says an evidence file is not the one case.json
// describes: its SHA-256 differs from the digest declared at acquisition.
var ErrDigestMismatch = errors.New("digest mismatch")

// DraftFiles reads every evidence file of c under the case folder dir once,
// streaming it through SHA-256 and SHA-512 on every core, and returns what
// Write needs to list it as a build would. It is for drafting the annexes
// without building a package. A file outside the case folder (by ".." or a
// symbolic link) is refused; a declared SHA-256 that does not match is an
// error. Of several failures, the first in case order is returned.
func DraftFiles(ctx context.Context, dir string, c *schema.Case, e edition.Edition) ([]FileInfo, error) {
	plan, err := edition.New(c, e)
	if err != nil {
		return nil, fmt.Errorf("annex: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fault.IO(dir, err)
	}
	defer root.Close()
	view := plan.Case()
	type job struct{ item, file int }
	var jobs []job
	for i := range c.Evidence {
		for j := range c.Evidence[i].Files {
			jobs = append(jobs, job{i, j})
		}
	}
	out := make([]FileInfo, len(jobs))
	errs := make([]error, len(jobs))
	err = digest.Each(ctx, len(jobs), 0, func(ctx context.Context, k int) error {
		ev := &c.Evidence[jobs[k].item]
		f := ev.Files[jobs[k].file]
		fi, err := hashFile(ctx, root, f.Path)
		if err != nil {
			errs[k] = fmt.Errorf("evidence %s (/evidence/%d/files/%d/path): %w", ev.ID, jobs[k].item, jobs[k].file, err)
			return nil
		}
		if f.SHA256 != "" && !strings.EqualFold(f.SHA256, fi.SHA256) {
			errs[k] = fmt.Errorf("evidence %s: %s: %w: the file's SHA-256 is %s but the case data declares %s (the file changed since acquisition, or the declared hash is wrong)",
				ev.ID, f.Path, ErrDigestMismatch, fi.SHA256, strings.ToLower(f.SHA256))
			return nil
		}
		// Listed as the edition names it (a withheld file by a neutral
		// name).
		shown := view.Evidence[jobs[k].item].Files[jobs[k].file].Path
		fi.ID = ev.ID
		fi.Source = shown
		fi.Path = edition.PackagePath(ev.ID, shown)
		fi.MediaType = f.MediaType
		fi.Withheld = plan.Withheld(ev.ID)
		out[k] = fi
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func hashFile(ctx context.Context, root *os.Root, name string) (FileInfo, error) {
	// Never waits on a FIFO or device; refuses one before reading.
	f, err := source.OpenIn(root, filepath.FromSlash(name), name)
	if errors.Is(err, source.ErrNotRegular) {
		return FileInfo{}, err
	}
	if err != nil {
		return FileInfo{}, fault.IO(name, err)
	}
	defer f.Close()
	// One read through both digests, as the build's evidence pass does.
	d, err := digest.Read(ctx, f)
	if err != nil {
		if ctx.Err() != nil {
			return FileInfo{}, err
		}
		return FileInfo{}, fault.IO(name, err)
	}
	return FileInfo{Size: d.Size, SHA256: d.SHA256, SHA512: d.SHA512}, nil
}
