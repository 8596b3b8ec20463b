//go:build unix

package schema_test

import (
	"syscall"
	"testing"
)

// mkfifo makes the named pipe p, or skips the test where it cannot.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
