//go:build !linux

package evidence

import (
	"context"
	"os"

	"github.com/casepack/casepack/internal/digest"
)

// copySmall: every file is copied through an *os.File here (see the Linux
// version).
func copySmall(context.Context, int, Job, int64, os.FileMode, *digest.Meter, *Options) (Result, bool, error) {
	return Result{}, false, nil
}

// statSource is os.Stat of an evidence file, for Copy's look before it
// starts: its size, and whether it is a regular file.
func statSource(name string) (size int64, regular bool, err error) {
	fi, err := os.Stat(name)
	if err != nil {
		return 0, false, err
	}
	return fi.Size(), fi.Mode().IsRegular(), nil
}
