//go:build linux

// Command floorcopy is the file-system floor of a build of many small
// files, for scripts/bench-package.sh: it copies every regular file under
// SRC into DST with WORKERS goroutines and then syncs DST's file system
// once (syncfs), as a build does before it renames its package into
// place. It computes no digest and writes no manifest: a build of the same
// files cannot ask less of the file system than this.
//
//	floorcopy [-workers N] [-folders] SRC DST
//
// With -folders each file goes into a folder of its own, DST/000001/NAME,
// as a package holds each evidence item (data/evidence/EV-…/NAME:
// packager/FORMAT.md): two inodes per file instead of one. Without it the
// files go straight into DST, as `cp -r` would put them. DST must not
// exist.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

func main() {
	workers := flag.Int("workers", 2, "files copied at once")
	folders := flag.Bool("folders", false, "a folder per file, as a package's evidence items")
	flag.Parse()
	if flag.NArg() != 2 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "usage: floorcopy [-workers N] [-folders] SRC DST")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *workers, *folders); err != nil {
		fmt.Fprintln(os.Stderr, "floorcopy:", err)
		os.Exit(1)
	}
}

func run(src, dst string, workers int, folders bool) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := copyOne(files[i], target(dst, files[i], i, folders), folders); err != nil {
					errs <- err
					for range next { // drain: the first error ends the copy
					}
					return
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	d, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

// target is where the i-th file (from 0) goes.
func target(dst, src string, i int, folders bool) string {
	if folders {
		return filepath.Join(dst, fmt.Sprintf("%06d", i+1), filepath.Base(src))
	}
	return filepath.Join(dst, fmt.Sprintf("%06d-%s", i+1, filepath.Base(src)))
}

// copyOne copies src to dst, first making dst's folder when folders is
// set (one mkdir, as a build makes an item's folder: no stat before it).
func copyOne(src, dst string, folders bool) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if folders {
		if err := os.Mkdir(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
