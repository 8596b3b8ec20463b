package verify

import (
	"context"
	"strings"
	"sync"

	"github.com/casepack/casepack/internal/beneath"
	"github.com/casepack/casepack/internal/digest"
)

// A package folder on this system is listed and read with
// internal/beneath, where the system allows it: fewer system calls than
// through os.Root, none of them following a symbolic link or leaving the
// package. The folders are listed level by level, each level's folders
// spread over every core (digest.Each), then the listings are visited in
// fs.WalkDir's order, so every finding, and the order they are found in,
// is the fs.FS walk's. Whatever fails this way (a folder that cannot be
// listed, a file that cannot be opened, is no longer a regular file or
// cannot be read) is done again through the package's fs.FS, so every
// error, and the finding it becomes, is exactly the fs.FS's.

// dirNode is one folder's listing, sorted by name as fs.ReadDir sorts.
type dirNode struct {
	path string // "." for the top folder
	ents []dirEnt
	err  error // it could not be listed this way: the fs.FS lists it
}

type dirEnt struct {
	beneath.Entry          // Info.Size -1 for a payload file to hash: its size is read when it is opened
	sub           *dirNode // a folder's listing
}

// join is path.Join for a folder path and a name from its listing.
func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// listDir lists folder d. A regular file's size is read only where sized
// says it is needed now (a payload file to hash gets its size when it is
// opened).
func listDir(r *beneath.Dir, d *dirNode, sized func(p string) bool) {
	ents, err := r.List(d.path, func(name string) bool { return sized(join(d.path, name)) })
	if err != nil {
		d.err = err
		return
	}
	d.ents = make([]dirEnt, len(ents))
	for i, e := range ents {
		d.ents[i].Entry = e
		if e.Type.IsDir() {
			d.ents[i].sub = &dirNode{path: join(d.path, e.Name)}
		}
	}
}

// walkFolder walks a package folder with folderReader and starts hashing
// its payload (see walkAndHash). done is false when this is no package
// folder on this system, or its top folder cannot be listed this way:
// then nothing was done, and the fs.FS walk does it all.
func (v *verifier) walkFolder(ctx context.Context) (hashed func() error, err error, done bool) {
	if v.pkg.folder == nil {
		return nil, nil, false
	}
	r := beneath.Open(v.pkg.folder.root)
	if r == nil {
		return nil, nil, false
	}
	sized := func(p string) bool {
		if !strings.HasPrefix(p, "data/") {
			return true
		}
		_, given := v.opt.Hashed[p]
		return given && !v.opt.EveryDigest
	}
	top := &dirNode{path: "."}
	if listDir(r, top, sized); top.err != nil {
		r.Close() // the folder is unreadable: the fs.FS says why
		return nil, nil, false
	}
	v.folder = r
	none := func() error { return nil }
	for level := []*dirNode{top}; ; {
		var next []*dirNode
		for _, d := range level {
			for _, e := range d.ents {
				if e.sub != nil && d.err == nil {
					next = append(next, e.sub)
				}
			}
		}
		if len(next) == 0 {
			break
		}
		if err := digest.Each(ctx, len(next), v.opt.Workers, func(ctx context.Context, i int) error {
			listDir(r, next[i], sized)
			return nil
		}); err != nil {
			return none, err, true
		}
		level = next
	}
	var found []toHash
	add := func(f toHash) {
		v.meter.Grow(1, max(f.fst.size, 0))
		found = append(found, f)
	}
	if err := v.visitTree(top, map[string]string{}, add); err != nil {
		return none, err, true
	}
	result := make(chan error, 1)
	go func() {
		result <- digest.Each(ctx, len(found), v.opt.Workers, func(ctx context.Context, i int) error {
			v.hashFound(ctx, found[i])
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return nil
		})
	}()
	return sync.OnceValue(func() error { return <-result }), nil, true
}

// visitTree visits the listing of d in fs.WalkDir's order; a folder that
// could not be listed is walked through the fs.FS.
func (v *verifier) visitTree(d *dirNode, keys map[string]string, found func(toHash)) error {
	for i := range d.ents {
		e := &d.ents[i]
		p := join(d.path, e.Name)
		fst := v.visit(keys, p, e.Type, func() (int64, error) { return e.Info.Size, nil })
		if fst != nil && v.hashNow(p, fst) {
			found(toHash{p, fst})
		}
		if e.sub == nil {
			continue
		}
		var err error
		if e.sub.err != nil {
			err = v.walk(p, keys, found)
		} else {
			err = v.visitTree(e.sub, keys, found)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hashFolder hashes file p as hashFile does, opened with
// internal/beneath. done is false when the file could not be opened as a
// regular file or read this way: then it is to be read through the fs.FS,
// whose error is the one reported. A file the walk did not read the size
// of gets it here: from the file opened, or, when it cannot be read, as
// the walk would have read it (lstat).
func (v *verifier) hashFolder(ctx context.Context, p string, fst *fileState) (done bool, err error) {
	defer func() {
		if !done && fst.size < 0 {
			fst.size = 0
			if info, err := v.folder.Lstat(p); err == nil {
				fst.size = info.Size
			}
		}
	}()
	f, err := v.folder.OpenFile(p)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	if fst.size < 0 {
		fst.size = f.Size()
		v.meter.Grow(0, f.Size())
	}
	err = v.hashFrom(ctx, f, p, fst)
	if err != nil && ctx.Err() == nil {
		return false, nil
	}
	return true, err
}
