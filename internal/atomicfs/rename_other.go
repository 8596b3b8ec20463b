//go:build !linux && !darwin

package atomicfs

import (
	"errors"
	"os"
)

type renameFlag int

const (
	renameNoReplace renameFlag = iota
	renameExchange
)

// renameat has no one-step exchange or no-replace rename here; the callers
// fall back (a hard link for no-replace; moving the old entry aside for an
// exchange, recoverable through the journal).
func renameat(dir *os.File, from, to string, how renameFlag) error { return errors.ErrUnsupported }
