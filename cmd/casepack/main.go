// Command casepack turns a case folder (the case data, as a workbook
// case.xlsx, case.yaml or case.json, plus the evidence files) into a signed
// submission package for a prosecutor's preliminary examination, and
// verifies such packages.
//
// This file holds the wiring shared by every subcommand: the command list,
// the message style and the one table that maps errors to exit codes.
// Each subcommand lives in its own file and registers itself with register.
//
// Message style (what a user reads on stderr):
//   - every line starts with "casepack: error: ", "casepack: warning: " or
//     "casepack: hint: ";
//   - lowercase start, no final period;
//   - the subject first (a path, a JSON pointer, file:line:column), then what
//     is wrong, then, on a hint line, what to do about it.
//
// Results meant for programs go to stdout; --format json prints exactly one
// JSON object there and nothing else.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/casepack/casepack/internal/reaper"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager/fault"

	"github.com/urfave/cli/v3"
)

// version is stamped by the Makefile with -ldflags "-X main.version=…".
var version = "dev"

// commands is filled by the init functions of the subcommand files, so that
// each command's file is the only place that knows about it.
var commands []*cli.Command

func register(c *cli.Command) {
	// A bad flag is a usage error in our message style (exit 2), not
	// urfave/cli's "Incorrect Usage" and help page on stdout.
	c.OnUsageError = func(_ context.Context, _ *cli.Command, err error, _ bool) error {
		return usageErrorf("%v", err)
	}
	commands = append(commands, c)
}

// errUnknownCommand is how newApp reports a command name that is not one of
// casepack's: urfave/cli only prints help for those (or returns an error of
// its own wording), so the root Action and CommandNotFound say it instead.
type errUnknownCommand struct{ name string }

func (e errUnknownCommand) Error() string { return fmt.Sprintf("%q is not a casepack command", e.name) }

// newApp returns the command tree, and a function that says, after it ran,
// whether it was asked for a command that does not exist.
func newApp(stdout, stderr io.Writer) (*cli.Command, func() error) {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	var unknown string
	app := &cli.Command{
		Name:    "casepack",
		Usage:   "validate case data and build, sign and verify evidence submission packages",
		Version: version,
		Description: "casepack turns a case folder (the case data, as a workbook case.xlsx, a\n" +
			"case.yaml or a case.json, plus the evidence files) into a signed submission\n" +
			"package (a BagIt bag) and verifies such packages years later.\n\n" +
			exitCodeHelp,
		Writer:                stdout,
		ErrWriter:             stderr,
		Commands:              commands,
		EnableShellCompletion: true,
		// Errors are printed by main in the project's message style; keep
		// urfave/cli from printing or exiting on its own.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		OnUsageError: func(_ context.Context, _ *cli.Command, err error, _ bool) error {
			return usageErrorf("%v", err)
		},
		// "casepack frobnicate": the root runs with an argument.
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return fault.New(fault.Usage, errUnknownCommand{cmd.Args().First()}, fault.UsageHint)
			}
			return cli.ShowRootCommandHelp(cmd)
		},
		// "casepack help frobnicate", "casepack frobnicate --help".
		CommandNotFound: func(_ context.Context, _ *cli.Command, name string) { unknown = name },
	}
	return app, func() error {
		if unknown != "" {
			return fault.New(fault.Usage, errUnknownCommand{unknown}, fault.UsageHint)
		}
		return nil
	}
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// jsonError is the object --format json prints when a command fails before
// it has a report to print (a missing file, a bad flag).
type jsonError struct {
	Error    string `json:"error"`
	Hint     string `json:"hint,omitempty"`
	ExitCode int    `json:"exit_code"`
}

func wantsJSON(args []string) bool {
	for i, a := range args {
		if a == "--format=json" || a == "-format=json" || ((a == "--format" || a == "-format") && i+1 < len(args) && args[i+1] == "json") {
			return true
		}
	}
	return false
}

// countingWriter tells whether a command printed anything on stdout.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

// run is main without the process exit, so tests can call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	// This process may be the helper an interrupted build started to
	// remove what it wrote (internal/reaper); it then does only that.
	if reaper.Run() {
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Every line for people goes through the terminal escaper: names,
	// titles and messages come from case files and packages, which an
	// adversary may have written (internal/termsafe).
	out := &countingWriter{w: stdout}
	tout, terr := termsafe.NewWriter(out), termsafe.NewWriter(stderr)
	defer tout.Flush()
	defer terr.Flush()
	stderr = terr
	app, unknownCommand := newApp(tout, terr)
	err := app.Run(ctx, args)
	if err == nil {
		err = unknownCommand()
	}
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if !isSilent(err) {
		printError(stderr, err)
		// --format json promises one object on stdout, failure included.
		if out.n == 0 && wantsJSON(args) {
			_ = writeJSON(stdout, jsonError{Error: message(err), Hint: hint(err), ExitCode: code})
		}
	}
	return code
}
