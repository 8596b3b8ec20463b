//go:build !linux

package assemble

import "errors"

// exchange is not available here; install moves the old package aside
// instead, which leaves a short window without one.
func exchange(a, b string) error { return errors.ErrUnsupported }
