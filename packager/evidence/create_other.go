//go:build !unix

package evidence

import "os"

// createNew creates the file name, which must not exist, for writing.
func createNew(name string, mode os.FileMode) (*os.File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
}
