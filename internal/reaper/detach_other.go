//go:build !unix

package reaper

import (
	"errors"
	"os"
)

// canDetach: no sessions to start a helper in here; Remove removes
// everything itself.
const canDetach = false

func spawn(string, []*os.File) error { return errors.ErrUnsupported }

func ignoreSignals() {}
