package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/fault"
)

// TestExitCodes: exit codes come from the class of the error, never from
// its words. Each case runs the command in-process and checks the code,
// the first error line and that no Go vocabulary reaches the user.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	minimal := filepath.Join("..", "..", "schema", "testdata", "valid", "minimal")
	// A folder whose name holds urfave/cli's words: an I/O error naming it
	// is still an I/O error (exit 1), not a usage error.
	tricky := filepath.Join(dir, "No help topic for 'x'", "Required flag")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // the first stderr line, after "casepack: error: "
	}{
		{"unknown flag", []string{"verify", "--bogus", "x"}, exitUsage, "flag provided but not defined: -bogus"},
		{"flag without value", []string{"validate", minimal, "--format"}, exitUsage, "flag needs an argument: --format"},
		{"bad count", []string{"verify", "--workers", "abc", "x"}, exitUsage, `invalid value "abc" for flag -workers: not a whole number`},
		{"negative count", []string{"verify", "--workers", "-2", "x"}, exitUsage, `invalid value "-2" for flag -workers: must be 0 (one per CPU) or more`},
		{"missing required flag", []string{"narrative", minimal}, exitUsage, "missing --output (required)"},
		{"missing required flag keygen", []string{"keygen"}, exitUsage, "missing --out (required)"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `"frobnicate" is not a casepack command`},
		{"help for unknown command", []string{"help", "frobnicate"}, exitUsage, `"frobnicate" is not a casepack command`},
		{"missing argument", []string{"validate"}, exitUsage, "missing CASE: casepack validate CASE"},
		{"no such case", []string{"validate", filepath.Join(dir, "nowhere")}, exitOperational, filepath.Join(dir, "nowhere") + ": no such case folder or case file"},
		{"words of urfave/cli in a path", []string{"keygen", "-o", filepath.Join(tricky, "k")}, exitOperational, ""},
		{"not a package", []string{"verify", dir}, exitVerifyFail, dir + ": not a package (no bagit.txt or bag-info.txt in it)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"casepack"}, tc.args...), &stdout, &stderr)
			first, _, _ := strings.Cut(stderr.String(), "\n")
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if tc.want != "" && first != "casepack: error: "+tc.want {
				t.Errorf("stderr %q\n    want %q", first, "casepack: error: "+tc.want)
			}
			for _, jargon := range []string{"strconv", "Required flag", "No help topic", "Incorrect Usage", "openat", "mkdir ", "no such file or directory"} {
				if strings.Contains(stderr.String(), jargon) && !strings.Contains(tc.args[len(tc.args)-1], jargon) {
					t.Errorf("stderr shows %q:\n%s", jargon, stderr.String())
				}
			}
		})
	}
	if _, err := os.Stat(tricky); err == nil {
		t.Errorf("%s was created", tricky)
	}
}

// TestExitCodeByType: the mapping reads classes with errors.As, through any
// wrapping, and gives everything unclassed exit 1.
func TestExitCodeByType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fault.Usagef("x"), exitUsage},
		{fmt.Errorf("context: %w", fault.New(fault.InvalidCase, errors.New("x"), "")), exitInvalidCase},
		{fault.New(fault.Verification, errors.New("x"), ""), exitVerifyFail},
		{errors.New("flag provided but not defined: -x"), exitOperational},
		{errors.New("Required flag \"out\" not set"), exitOperational},
		{silentExit(exitInvalidCase), exitInvalidCase},
	} {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
	}
}
