//go:build linux && (386 || arm || mips || mipsle)

package beneath

import "golang.org/x/sys/unix"

// See sysnum_64.go.
const (
	sysFSTAT   = unix.SYS_FSTAT64
	sysFSTATAT = unix.SYS_FSTATAT64
)
