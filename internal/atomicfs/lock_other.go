//go:build !unix && !windows

package atomicfs

import "os"

// tryLock: this system has no file locks; commands are not serialised.
func tryLock(*os.File) error { return nil }

const lockFileRemovable = true
