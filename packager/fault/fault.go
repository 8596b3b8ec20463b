// Package fault owns the classes of failure casepack reports and the words
// it uses for them. Each class is one exit code of the command line (see
// docs/ARCHITECTURE.md); a library says which class an error is by
// returning a *fault.Error (or wrapping one), and front ends decide with
// errors.As, never by reading the message.
//
// Messages are written for the people who use casepack (lawyers,
// investigators): the subject first (a path, a flag), then what is wrong,
// in plain words; what to do goes in the Hint. IO turns an operating-system
// error into such a message, so no library shows "openat", "ENOSPC" or a
// temporary file name.
//
// It is a leaf: it imports only the standard library.
package fault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Class is what kind of failure an error is. The values are the exit codes
// of the casepack command.
type Class int

const (
	// Operational: a file could not be read or written, or the work was
	// interrupted. Also every error that says nothing else.
	Operational Class = 1
	// Usage: bad flags or arguments.
	Usage Class = 2
	// InvalidCase: the case data is invalid, so nothing was built.
	InvalidCase Class = 3
	// Verification: a package failed verification (integrity or signature).
	Verification Class = 4
)

func (c Class) String() string {
	switch c {
	case Usage:
		return "usage"
	case InvalidCase:
		return "invalid case"
	case Verification:
		return "failed verification"
	}
	return "operational"
}

// Error is an error of a known class, with a hint for the user.
type Error struct {
	Class Class
	Err   error
	// Hint says what to do, in a sentence ("" when there is nothing to say).
	Hint string
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Class.String() + " error"
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns err as a failure of class c with a hint. A nil err stays nil.
func New(c Class, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Class: c, Err: err, Hint: hint}
}

// UsageHint is the hint of every usage error that has no better one.
const UsageHint = "run 'casepack help' or 'casepack COMMAND --help' for usage"

// Usagef is a usage error with the standard hint.
func Usagef(format string, a ...any) error {
	return &Error{Class: Usage, Err: fmt.Errorf(format, a...), Hint: UsageHint}
}

// ClassOf returns the class of err: the outermost *Error's in its chain,
// Operational for everything else (an interruption included).
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Operational
}

// HintOf returns the hint for err: the first hint in its chain, else one
// that fits the operating-system error it wraps (a full disk, a refused
// permission), else "".
func HintOf(err error) string {
	for e := err; e != nil; {
		var fe *Error
		if !errors.As(e, &fe) {
			break
		}
		if fe.Hint != "" {
			return fe.Hint
		}
		e = fe.Err
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the disk is full: free some space or choose another folder; nothing was left behind"
	case errors.Is(err, syscall.EROFS):
		return "the disk is read-only: choose another folder"
	case errors.Is(err, fs.ErrPermission):
		return "you may not read or write there: check the folder's permissions, or choose another folder"
	}
	return ""
}

// Interrupted is the error of work stopped by the user (Ctrl-C) or by a
// signal; it wraps context.Canceled.
var Interrupted = &Error{Class: Operational, Err: interrupted{}}

type interrupted struct{}

func (interrupted) Error() string { return "interrupted; nothing was left behind" }
func (interrupted) Is(target error) bool {
	return target == context.Canceled
}

// IOError is an operating-system error about a file, in plain words: its
// message is "PATH: what went wrong" ("out/x.zip: the disk is full"). Err is
// the original error, so errors.Is(err, fs.ErrNotExist) and the like still
// work.
type IOError struct {
	Path string
	Err  error
}

// IO describes err, an error from reading or writing the file at path, in
// plain words. path is the name the user knows (never a temporary file's).
// A nil err stays nil.
func IO(path string, err error) error {
	if err == nil {
		return nil
	}
	return &IOError{Path: path, Err: err}
}

func (e *IOError) Error() string {
	if e.Path == "" {
		return Describe(e.Err)
	}
	return e.Path + ": " + Describe(e.Err)
}

func (e *IOError) Unwrap() error { return e.Err }

// CannotRead reports whether err, from opening or reading a file, is the
// reader's problem (permission denied, an I/O error of the disk, too many
// files open) rather than something about the file itself. A command that
// checks a package says "cannot read" (exit 1) for it, never that the
// package is damaged: nothing is known about the file. A file that is
// missing, or is a link or a folder where a file should be, is the
// package's problem, not the reader's.
func CannotRead(err error) bool {
	if errors.Is(err, fs.ErrPermission) {
		return true
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case syscall.ENOENT, syscall.ENOTDIR, syscall.ELOOP, syscall.EISDIR:
		return false
	}
	return true
}

// Describe says in plain words what an operating-system error means,
// without the system call or the file names it carries (the caller names
// the file): the deepest system error in err's chain decides. Other errors
// are returned as they read.
func Describe(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if s := errnoWords(errno); s != "" {
			return s
		}
		return errno.Error()
	}
	// Errors of the io/fs kind without a system error (os.Root, fs.FS).
	inner := err
	for unwrapped := false; !unwrapped; {
		switch e := inner.(type) {
		case *fs.PathError:
			inner = e.Err
		case *os.LinkError:
			inner = e.Err
		case *os.SyscallError:
			inner = e.Err
		default:
			unwrapped = true
		}
	}
	switch {
	case errors.Is(inner, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(inner, fs.ErrPermission):
		return "permission denied"
	case errors.Is(inner, fs.ErrExist):
		return "already exists"
	}
	return inner.Error()
}

func errnoWords(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "no such file or folder"
	case syscall.EACCES, syscall.EPERM:
		return "permission denied"
	case syscall.ENOSPC, syscall.EDQUOT:
		return "the disk is full"
	case syscall.EROFS:
		return "the disk is read-only"
	case syscall.EISDIR:
		return "is a folder, not a file"
	case syscall.ENOTDIR:
		return "a part of the path is not a folder"
	case syscall.EEXIST:
		return "already exists"
	case syscall.ENOTEMPTY:
		return "the folder is not empty"
	case syscall.EIO:
		return "input/output error: the disk or its connection may be failing"
	case syscall.ENAMETOOLONG:
		return "the name is too long"
	case syscall.ELOOP:
		return "too many symbolic links"
	case syscall.EMFILE, syscall.ENFILE:
		return "too many files are open"
	case syscall.EXDEV:
		return "cannot be moved to another disk"
	case syscall.ETXTBSY, syscall.EBUSY:
		return "is in use"
	}
	return ""
}
