//go:build !unix

package evidence

import "os"

// createNew creates the file name, which must not exist, for writing
// (and reading, when readBack is set).
func createNew(name string, mode os.FileMode, readBack bool) (*os.File, error) {
	access := os.O_WRONLY
	if readBack {
		access = os.O_RDWR
	}
	return os.OpenFile(name, access|os.O_CREATE|os.O_EXCL, mode)
}
