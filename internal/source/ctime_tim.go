//go:build linux || openbsd || dragonfly || solaris || illumos || android

package source

import "syscall"

func ctime(st *syscall.Stat_t) syscall.Timespec { return st.Ctim }
