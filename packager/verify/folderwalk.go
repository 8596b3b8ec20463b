package verify

import (
	"context"
	"io/fs"
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

// dirEnt is one entry of a listing. It keeps only what the visit reads:
// its path and type (its name is the path's last element, a regular
// file's size is in its state). A package of 20,000 evidence files lists
// 40,000 entries: with the listing's own record (beneath.Entry) and name,
// the tree was 88 bytes an entry and the names' strings besides.
type dirEnt struct {
	p    string      // its path in the package
	sub  *dirNode    // a folder's listing
	fst  *fileState  // a regular file's state, made as it is listed; its size -1 for a payload file to hash (read when it is opened)
	typ  fs.FileMode // its type bits
	hash bool        // a file to hash now (see hashNow, tagNow)
}

// join is path.Join for a folder path and a name from its listing.
func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// listDir lists folder d. A regular file's size is read only where it is
// needed now: a payload file to hash gets its size when it is opened,
// unless Options.Hashed may hold its digest at that size. Each regular
// file gets its state here, and whether it is hashed now is decided here
// (hashNow), so that the hashing can start as soon as every folder is
// listed, while visitTree still goes through the listings in order.
func (v *verifier) listDir(r *beneath.Dir, d *dirNode) {
	inData := d.path == "data" || strings.HasPrefix(d.path, "data/")
	ents, err := r.List(d.path, func(name string) bool {
		if !inData {
			return true
		}
		if v.opt.Hashed == nil || v.opt.EveryDigest {
			return false
		}
		_, given := v.opt.Hashed(join(d.path, name))
		return given
	})
	if err != nil {
		d.err = err
		return
	}
	d.ents = make([]dirEnt, len(ents))
	for i, e := range ents {
		de := &d.ents[i]
		de.p, de.typ = join(d.path, e.Name), e.Type
		switch {
		case e.Type.IsDir():
			de.sub = &dirNode{path: de.p}
		case e.Type.IsRegular():
			de.fst = &fileState{path: de.p, size: e.Info.Size}
			de.hash = v.hashNow(de.p, de.fst) || tagNow(de.p)
		}
	}
}

// tagNow says whether a file outside the payload is hashed with the
// payload, before the manifests say which tag files count: a package's
// tag files are few, and hashing them beside the payload (casepack's
// manifest of a package of 20,000 files is 10 MB, both digests) spares
// the time both cores would wait for them at the end. One no manifest
// lists was hashed for nothing (its digest is dropped, as for the
// payload); signatures are never listed in a package's tag manifests,
// nor the tag manifests in any.
func tagNow(p string) bool {
	return !strings.HasPrefix(p, "data/") && !strings.HasPrefix(p, "signatures/") && !strings.HasPrefix(p, "tagmanifest-")
}

// walkFolder walks a package folder with internal/beneath and starts
// hashing its payload (see walkAndHash): every folder is listed, level by
// level, each level's folders spread over every core; then the payload
// files are hashed on every core while visitTree goes through the
// listings in fs.WalkDir's order. done is false when this is no package
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
	top := &dirNode{path: "."}
	if v.listDir(r, top); top.err != nil {
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
			v.listDir(r, next[i])
			return nil
		}); err != nil {
			return none, err, true
		}
		level = next
	}
	// The walk's list and maps are made the size of the listings, not
	// grown to it: a package of 20,000 evidence files has 40,000 entries.
	entries, files, now := count(top)
	found := make([]*fileState, 0, now)
	collect(top, func(fst *fileState) {
		v.meter.Grow(1, max(fst.size, 0))
		found = append(found, fst)
	})
	hashing := v.hashEach(ctx, found)
	// Folders that could not be listed this way are walked through the
	// fs.FS as visitTree reaches them; their payload is hashed after.
	if len(v.files) == 0 {
		v.files = make(map[string]*fileState, files)
	}
	var late []*fileState
	if err := v.visitTree(top, newCollisions(entries), func(fst *fileState) {
		v.meter.Grow(1, fst.size)
		late = append(late, fst)
	}); err != nil {
		hashing()
		return none, err, true
	}
	if len(late) == 0 {
		return hashing, nil, true
	}
	hashingLate := v.hashEach(ctx, late)
	return sync.OnceValue(func() error {
		err := hashing()
		if lerr := hashingLate(); err == nil {
			err = lerr
		}
		return err
	}), nil, true
}

// collect hands the payload files to hash now of d's listing, and of the
// listings below it, to found, in fs.WalkDir's order.
func collect(d *dirNode, found func(*fileState)) {
	for i := range d.ents {
		e := &d.ents[i]
		if e.hash {
			found(e.fst)
		}
		if e.sub != nil && e.sub.err == nil {
			collect(e.sub, found)
		}
	}
}

// count counts the entries of d's listing and of the listings below it,
// of them the regular files, and of those the files to hash now.
func count(d *dirNode) (entries, files, now int) {
	for i := range d.ents {
		e := &d.ents[i]
		entries++
		if e.fst != nil {
			files++
		}
		if e.hash {
			now++
		}
		if e.sub != nil && e.sub.err == nil {
			n, f, h := count(e.sub)
			entries, files, now = entries+n, files+f, now+h
		}
	}
	return entries, files, now
}

// hashEach starts hashing files on every core and returns the function
// that waits for it (as often as it is called).
func (v *verifier) hashEach(ctx context.Context, files []*fileState) func() error {
	result := make(chan error, 1)
	go func() {
		result <- digest.Each(ctx, len(files), v.opt.Workers, func(ctx context.Context, i int) error {
			v.hashFound(ctx, files[i])
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return nil
		})
	}()
	return sync.OnceValue(func() error { return <-result })
}

// visitTree visits the listing of d in fs.WalkDir's order; a folder that
// could not be listed is walked through the fs.FS, its payload files to
// hash handed to found. It touches no state of a file the listing made
// (the hashing may be reading it): it only records it. Each listing is
// let go once visited, so the tree shrinks as the record of the files and
// their collision keys grows.
func (v *verifier) visitTree(d *dirNode, keys *collisions, found func(*fileState)) error {
	defer func() { d.ents = nil }()
	for i := range d.ents {
		e := &d.ents[i]
		v.visit(keys, e.p, e.typ, func() (*fileState, error) { return e.fst, nil })
		if e.sub == nil {
			continue
		}
		var err error
		if e.sub.err != nil {
			err = v.walk(e.p, keys, found)
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
