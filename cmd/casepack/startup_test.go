package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestStartUpIsLight: no casepack package does heavy work when the binary
// starts. Every command pays for every package's initialisation — verify
// of a package as much as serve — so what only some commands need (a
// language's catalogue, the web app's templates) is made on first use
// (sync.OnceValue). The runtime's trace of package initialisation
// (GODEBUG=inittrace=1, this test binary started again with no test to
// run) counts the bytes each package allocates; a budget of 256 KiB a
// package is twice the largest today (schema's and schema/caseyaml's
// compiled patterns, 113 KiB each), a tenth of what parsing the
// catalogues at start-up cost.
func TestStartUpIsLight(t *testing.T) {
	const budget = 256 << 10
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init (github\.com/casepack/casepack/\S+) @.* ([0-9]+) bytes, ([0-9]+) allocs$`)
	seen := 0
	for _, m := range line.FindAllSubmatch(out, -1) {
		seen++
		bytes, _ := strconv.Atoi(string(m[2]))
		if bytes > budget {
			t.Errorf("%s allocates %d bytes (%s allocations) when casepack starts, over %d: make what only some commands need on first use", m[1], bytes, m[3], budget)
		}
	}
	// The trace names every package with work to do at start-up; schema
	// compiles its patterns then. None named means no trace was read.
	if seen == 0 {
		t.Fatalf("no casepack package in the start-up trace:\n%s", out)
	}
}
