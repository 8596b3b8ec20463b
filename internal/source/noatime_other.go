//go:build !linux

package source

import "os"

// openRead opens a file to read through open; only Linux has a flag that
// keeps a file's access time as it was (noatime_linux.go).
func openRead(open func(noatime int) (*os.File, error)) (*os.File, error) {
	return open(0)
}
