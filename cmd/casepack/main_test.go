package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/casepack/casepack/packager/sign/signtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI is tested as a user runs it: testscript files under
// testdata/script/*.txtar run the real binary (this test binary, re-executed
// as "casepack") and assert its stdout, stderr, exit code and the files it
// leaves behind.

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"casepack": func() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Scripts reach the bundled samples through $SAMPLES.
			env.Setenv("SAMPLES", filepath.Join(repo, "samples"))
			env.Setenv("FIXTURES", filepath.Join(repo, "schema", "testdata"))
			env.Setenv("NO_COLOR", "1")
			// A local RFC 3161 time-stamp authority on 127.0.0.1 for the
			// scripts that time-stamp (never a public one).
			tsa, err := signtest.NewTSA()
			if err != nil {
				return err
			}
			env.Defer(tsa.Close)
			ca, err := signtest.WriteFile(env.WorkDir, "tsa-ca.pem", tsa.CA.PEM(), 0o644)
			if err != nil {
				return err
			}
			env.Setenv("TSA_URL", tsa.URL)
			env.Setenv("TSA_CA", ca)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// "status N PROG ARGS…" runs PROG and requires exit status N
			// (testscript's "! exec" accepts any failure; exit codes are API).
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: status N PROG [ARGS…]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("%v", err)
				}
				if got != want {
					ts.Fatalf("exit status %d, want %d", got, want)
				}
			},
			// "needtool NAME…" fails under CI=true when a tool is missing;
			// elsewhere the script follows it with
			// "[!exec:NAME] skip 'NAME is not installed'".
			"needtool": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, a := range args {
					if _, err := exec.LookPath(a); err != nil && os.Getenv("CI") == "true" {
						ts.Fatalf("%s is not installed (CI requires it: see .ci/run)", a)
					}
				}
			},
		},
		RequireExplicitExec: false,
	})
}
