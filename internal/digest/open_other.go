//go:build !unix

package digest

import "os"

// Open opens the regular file name to be read and hashed (see the Unix
// version).
func Open(name string) (*os.File, error) { return os.Open(name) }
