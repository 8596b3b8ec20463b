// Package testtool owns the one rule for tests that call tools nobody here
// wrote (sha256sum, openssl, poppler, qpdf, openpyxl): where the tool is
// missing a local run skips with a clear message, and a CI run (CI=true)
// fails, because .ci/run installs every such tool.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of the named tool, or ends the test: skipped
// locally, failed under CI=true.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI requires it: see .ci/run)", name)
		}
		t.Skipf("%s is not installed; skipping (install it to run this test)", name)
	}
	return p
}
