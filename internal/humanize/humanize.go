// Package humanize owns how the front ends (cmd/casepack, packager/serve)
// write quantities for people: a size in bytes, a count of things.
package humanize

import "fmt"

// Bytes writes a size as people read it: "1 byte", "512 bytes", "1.5 KiB",
// "3.2 GiB" (powers of 1024, one decimal).
func Bytes(n int64) string {
	const unit = 1024
	if n == 1 {
		return "1 byte"
	}
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Count writes n things: "1 file", "3 files", "0 files" (word is the
// singular; the plural adds an s).
func Count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
