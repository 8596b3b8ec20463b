//go:build unix

package source

import (
	"io/fs"
	"syscall"
)

// nonblock makes opening a FIFO or a device return at once.
const nonblock = syscall.O_NONBLOCK

// sameCtime compares the status-change times, which any write or attribute
// change moves, even one that sets the modification time back.
func sameCtime(a, b fs.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return true
	}
	return ctime(sa) == ctime(sb)
}
