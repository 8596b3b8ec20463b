//go:build linux && !(386 || arm || mips || mipsle)

package beneath

import "golang.org/x/sys/unix"

// The system calls that fill a unix.Stat_t. On 64-bit Linux they are
// fstat and newfstatat; 32-bit Linux keeps those for its old, narrower
// struct stat and fills unix.Stat_t with the *64 calls (sysnum_32.go),
// as x/sys/unix's own Fstat and Fstatat do.
const (
	sysFSTAT   = unix.SYS_FSTAT
	sysFSTATAT = unix.SYS_NEWFSTATAT
)
