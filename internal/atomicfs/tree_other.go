//go:build !linux

package atomicfs

import (
	"os"
	"time"
)

// wholeSync: only Linux says, through syncfs, that a whole file system is
// on disk and whether any write to it failed; elsewhere every file is
// synced on its own.
func wholeSync(*os.File) bool { return false }

// sameFileSystem: only the whole way (Linux) asks.
func sameFileSystem(*os.File, *os.File) bool { return false }

func syncfs(*os.File) error { panic("atomicfs: syncfs outside Linux") }

func startWriteback(*os.File, int64, int64) {}

func setModTime(f *os.File, t time.Time) error { return os.Chtimes(f.Name(), t, t) }

// doneFD: the whole way, the only one that calls it, is Linux's.
func doneFD(fd int, name string, t time.Time) error {
	f := os.NewFile(uintptr(fd), name)
	if !t.IsZero() {
		if err := setModTime(f, t); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
