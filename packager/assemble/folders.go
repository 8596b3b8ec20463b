package assemble

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// itemFolders dates the evidence items' folders during the evidence pass:
// a folder that holds evidence copies and nothing else — no generated file,
// no folder — is dated with the build date by the evidence worker that
// completes its last copy, since nothing creates, renames or removes an
// entry in it after that (a copy's bytes and times do not change its
// folder's time), instead of at the end of the build (finish), when a case
// of 20,000 photos had 20,000 such folders to date after every file was
// written while the rest of the build waited. finish dates every other
// folder, the evidence items' parents among them, as before.
//
// It keeps 8 bytes an evidence file: for each copy the job index of the
// first copy in its folder (where the folder's count of copies still to
// complete is kept), or -1 for a copy whose folder finish dates.
type itemFolders struct {
	dir   string // the package being written
	date  time.Time
	group []int32
	left  []atomic.Int32
	mu    sync.Mutex
	err   error // the first folder that could not be dated
}

// newItemFolders finds the folders of spec's evidence copies the evidence
// pass dates, for the package written in dir.
func newItemFolders(spec *Spec, dir string) *itemFolders {
	f := &itemFolders{dir: dir, date: spec.Date, group: make([]int32, len(spec.Evidence)), left: make([]atomic.Int32, len(spec.Evidence))}
	// Folders something else is made in: the generated files' folders
	// and every folder above them, and every folder above a copy's own
	// (which holds that copy's folder). The files Build writes itself
	// (bagit.txt, casepack/, signatures/) lie outside data/, where every
	// copy is (Spec.validate).
	other := map[string]bool{}
	above := func(d string) {
		for ; d != "." && d != "/" && !other[d]; d = path.Dir(d) {
			other[d] = true
		}
	}
	for _, g := range spec.Files {
		above(path.Dir(g.Path))
		for _, p := range g.Also {
			above(path.Dir(p))
		}
	}
	var order []int32
	for i, e := range spec.Evidence {
		f.group[i] = -1
		if !e.Withhold {
			above(path.Dir(path.Dir(e.Dst)))
			order = append(order, int32(i))
		}
	}
	order = slices.DeleteFunc(order, func(i int32) bool { return other[path.Dir(spec.Evidence[i].Dst)] })
	// The copies of one folder side by side, each counted at the first:
	// sorted by path, since no copy left in order lies in a folder below
	// another's.
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(spec.Evidence[a].Dst, spec.Evidence[b].Dst) })
	prev := ""
	for k, i := range order {
		dir, first := path.Dir(spec.Evidence[i].Dst), i
		if k > 0 && dir == prev {
			first = f.group[order[k-1]]
		}
		f.group[i], prev = first, dir
		f.left[first].Add(1)
	}
	return f
}

// copied is told that the copy of evidence job i, at bag path dst, is
// complete; it dates the copy's folder if that was its last copy. It is
// called on the evidence workers, side by side.
func (f *itemFolders) copied(i int, dst string) {
	first := f.group[i]
	if first < 0 || f.left[first].Add(-1) != 0 {
		return
	}
	if err := os.Chtimes(filepath.Join(f.dir, filepath.FromSlash(path.Dir(dst))), f.date, f.date); err != nil {
		f.mu.Lock()
		if f.err == nil {
			f.err = err
		}
		f.mu.Unlock()
	}
}

// failed is the first folder the pass could not date (nil: none); call it
// once the pass has ended.
func (f *itemFolders) failed() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// written is what finish is to be told the pass wrote, for the copies of
// spec.Evidence: each copy whose folder finish dates, and each folder the
// pass dated, once, in place of its copies (finish dates the folders
// above it).
func (f *itemFolders) written(spec *Spec) []string {
	var w []string
	for i, e := range spec.Evidence {
		switch first := f.group[i]; {
		case e.Withhold:
		case first < 0:
			w = append(w, e.Dst)
		case first == int32(i):
			w = append(w, path.Dir(e.Dst))
		}
	}
	return w
}
