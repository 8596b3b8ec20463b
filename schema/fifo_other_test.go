//go:build !unix

package schema_test

import "testing"

// mkfifo: no named pipes in a folder here.
func mkfifo(t *testing.T, p string) { t.Skip("no named pipes here") }
