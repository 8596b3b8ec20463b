package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/casepack/casepack/packager/fault"
)

// The exit codes, documented in --help and the README. They are the
// classes of packager/fault: a library error says its class, and exitCode
// reads it with errors.As; no message text is ever inspected.
const (
	exitOK          = 0                       // success (validation may still have printed warnings)
	exitOperational = int(fault.Operational)  // I/O or internal error
	exitUsage       = int(fault.Usage)        // bad flags or arguments
	exitInvalidCase = int(fault.InvalidCase)  // case data invalid (validate, or build refusing invalid data)
	exitVerifyFail  = int(fault.Verification) // package failed verification (integrity or signature)
)

const exitCodeHelp = `Exit codes:
   0  success (warnings may have been printed)
   1  operational error (a file could not be read or written)
   2  usage error (bad flags or arguments)
   3  the case data is invalid
   4  the package failed verification (integrity or signature)`

func usageErrorf(format string, a ...any) error { return fault.Usagef(format, a...) }

// withHint gives err an exit code and a "casepack: hint:" line.
func withHint(code int, err error, hint string) error { return fault.New(fault.Class(code), err, hint) }

// errReported is the error of a command that has already told the user
// everything (a findings report): run prints nothing more.
var errReported = errors.New("reported")

// silentExit ends the command with code after it has printed its own report.
func silentExit(code int) error { return fault.New(fault.Class(code), errReported, "") }

// reported marks err as told to the user already (the command printed its
// report, whose findings say why): run prints nothing more, and exits with
// err's class.
func reported(err error) error {
	if err == nil {
		return nil
	}
	return &reportedError{err}
}

type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

func isSilent(err error) bool {
	var r *reportedError
	return errors.Is(err, errReported) || errors.As(err, &r)
}

// exitCode is the one place where errors become exit codes.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	return int(fault.ClassOf(err))
}

// message is what the user reads about err. Libraries write their messages
// for users (packager/fault); an interruption is said once, here.
func message(err error) string {
	var fe *fault.Error
	if !errors.As(err, &fe) && errors.Is(err, context.Canceled) {
		return "interrupted; nothing was left behind"
	}
	return err.Error()
}

// hint is the "casepack: hint:" line for err, if any.
func hint(err error) string {
	if h := fault.HintOf(err); h != "" {
		return h
	}
	if exitCode(err) == exitUsage {
		return fault.UsageHint
	}
	return ""
}

func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "casepack: error: %s\n", message(err))
	if h := hint(err); h != "" {
		fmt.Fprintf(w, "casepack: hint: %s\n", h)
	}
}
