//go:build amd64 || arm64

package digest

import (
	"os"
	"syscall"
)

// Sequential tells the system f will be read once, start to end: Linux
// then reads ahead further (twice the default window), which keeps a disk
// or network share streaming while the bytes are hashed. It is advice; a
// failure changes nothing.
func Sequential(f *os.File) {
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) {
			const posixFadvSequential = 2
			syscall.Syscall6(syscall.SYS_FADVISE64, fd, 0, 0, posixFadvSequential, 0, 0)
		})
	}
}
