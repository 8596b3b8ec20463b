//go:build unix

package atomicfs

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileID names the file behind fi (device and inode), which a rename
// keeps: it tells, after a crash, whether a name holds the new entry or
// the old one.
func fileID(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return ""
}
