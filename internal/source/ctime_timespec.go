//go:build darwin || freebsd || netbsd || ios

package source

import "syscall"

func ctime(st *syscall.Stat_t) syscall.Timespec { return st.Ctimespec }
