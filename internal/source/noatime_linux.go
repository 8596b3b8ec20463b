package source

import (
	"os"

	"github.com/casepack/casepack/internal/barefd"
)

// openRead opens a file to read through open, given the flag that keeps
// its access time as it was, as every input casepack reads is opened
// (barefd.KeepingAccessTime): packaging evidence leaves its times alone.
func openRead(open func(noatime int) (*os.File, error)) (*os.File, error) {
	return barefd.KeepingAccessTime(open)
}
