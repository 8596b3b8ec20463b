// Package testtool owns the one rule for tests that call tools nobody here
// wrote (sha256sum, openssl, poppler, qpdf, openpyxl): where the tool is
// missing a local run skips with a clear message, and a CI run (CI=true)
// fails, because .ci/run installs every such tool. It also owns the one
// measure of the live heap (LiveHeap) that tests bounding what a
// structure holds compare.
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

// Python returns a python3 that can import module (Debian's /usr/bin/python3
// first: a pyenv python3 on PATH lacks the Debian modules .ci/run
// installs), or ends the test as Need does.
func Python(t testing.TB, module string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = Need(t, "python3")
	}
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import %s (CI requires it: see .ci/run)", py, module)
		}
		t.Skipf("%s cannot import %s: %v", py, module, err)
	}
	return py
}
