package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"syscall"
)

// The exit codes, documented in --help and the README (STYLE.md §2).
const (
	exitOK          = 0 // success (validation may still have printed warnings)
	exitOperational = 1 // I/O or internal error
	exitUsage       = 2 // bad flags or arguments
	exitInvalidCase = 3 // case data invalid (validate, or build refusing invalid data)
	exitVerifyFail  = 4 // package failed verification (integrity or signature)
)

const exitCodeHelp = `Exit codes:
   0  success (warnings may have been printed)
   1  operational error (a file could not be read or written)
   2  usage error (bad flags or arguments)
   3  the case data is invalid
   4  the package failed verification (integrity or signature)`

// exitError carries an exit code through urfave/cli back to run. A silent
// one has already told the user everything (e.g. a findings report).
type exitError struct {
	code   int
	err    error
	hint   string
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...), hint: "run 'casepack help' or 'casepack COMMAND --help' for usage"}
}

// withHint attaches a "casepack: hint:" line to an operational error.
func withHint(code int, err error, hint string) error {
	return &exitError{code: code, err: err, hint: hint}
}

// silentExit ends the command with code after it has printed its own report.
func silentExit(code int) error { return &exitError{code: code, silent: true} }

// exitCode is the one place where errors become exit codes.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// urfave/cli reports unknown flags and missing arguments as plain errors
	// before our Action runs; they are usage errors.
	msg := err.Error()
	for _, s := range []string{"flag provided but not defined", "Required flag", "invalid value", "No help topic", "flag needs an argument"} {
		if strings.Contains(msg, s) {
			return exitUsage
		}
	}
	return exitOperational
}

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "casepack: error: %s\n", plainMessage(err))
	var ee *exitError
	switch {
	case errors.As(err, &ee) && ee.hint != "":
		fmt.Fprintf(w, "casepack: hint: %s\n", ee.hint)
	case exitCode(err) == exitUsage:
		fmt.Fprintln(w, "casepack: hint: run 'casepack help' or 'casepack COMMAND --help' for usage")
	case errors.Is(err, syscall.ENOSPC):
		fmt.Fprintln(w, "casepack: hint: the disk is full: free some space or choose another --out folder; nothing was left behind")
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		fmt.Fprintln(w, "casepack: hint: you may not write or read there: check the folder's permissions, or choose another folder")
	}
}

var (
	// Library errors start with the package that made them ("packager: ");
	// a user needs the subject and the problem, not our package names.
	pkgPrefix = regexp.MustCompile(`(^|: )(packager|verify|bag|sign|evidence|annex|schema|narrative|submission|co-sign): `)
	// A build works in a hidden temporary folder beside its target; name the
	// target instead.
	tmpFolder = regexp.MustCompile(`\.([^/\s]+?)\.((zip\.)?tmp-[0-9]+|[0-9]+\.tmp)`)
	// urfave/cli's words for a missing required flag.
	requiredFlag = regexp.MustCompile(`Required flags? "([a-z-]+)"`)
	// urfave/cli's words for an unknown command.
	noHelpTopic = regexp.MustCompile(`^No help topic for '(.*)'$`)
	// System calls the Go runtime names in its errors.
	syscallWord = regexp.MustCompile(`(^|: )(openat|open|mkdir|mkdirat|stat|lstat|read|write|rename|renameat|unlinkat|fsync|create|hash) (\S+ )?(\S+): `)
	// "PATH: PATH: problem", once the words between were dropped.
	doubled = regexp.MustCompile(`(^|: )(\S+): (\S+): `)
)

// plainMessage is an error's text without Go's vocabulary.
func plainMessage(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted; nothing was left behind"
	}
	return plainText(err.Error())
}

// plainText is plainMessage for a message that is already text (a finding
// that quotes a system error).
func plainText(msg string) string {
	if m := noHelpTopic.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%q is not a casepack command", m[1])
	}
	msg = pkgPrefix.ReplaceAllString(msg, "$1")
	msg = tmpFolder.ReplaceAllString(msg, "$1")
	for prev := ""; prev != msg; { // matches share their ": "; repeat
		prev = msg
		msg = syscallWord.ReplaceAllString(msg, "$1$4: ")
	}
	msg = doubled.ReplaceAllStringFunc(msg, func(m string) string {
		p := doubled.FindStringSubmatch(m)
		if p[2] == p[3] {
			return p[1] + p[2] + ": "
		}
		return m
	})
	if m := requiredFlag.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("missing --%s (required)", m[1])
	}
	msg = strings.ReplaceAll(msg, "strconv.ParseInt: parsing ", "not a whole number: ")
	msg = strings.ReplaceAll(msg, ": invalid syntax", "")
	msg = strings.ReplaceAll(msg, "no space left on device", "the disk is full")
	msg = strings.ReplaceAll(msg, "template: template: ", "template ")
	return msg
}
