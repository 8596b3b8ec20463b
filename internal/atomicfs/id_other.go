//go:build !unix

package atomicfs

import "io/fs"

// fileID is unknown here; the journal then tells entries apart by which
// names exist, which is enough because no exchange is used.
func fileID(fs.FileInfo) string { return "" }
