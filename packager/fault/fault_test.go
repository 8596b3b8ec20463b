package fault

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestClassOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Class
	}{
		{errors.New("anything"), Operational},
		{Usagef("bad %s", "flag"), Usage},
		{fmt.Errorf("wrapped: %w", New(InvalidCase, errors.New("x"), "")), InvalidCase},
		{New(Verification, fmt.Errorf("inner: %w", New(Usage, errors.New("x"), "")), ""), Verification},
		{context.Canceled, Operational},
		{Interrupted, Operational},
	} {
		if got := ClassOf(tc.err); got != tc.want {
			t.Errorf("ClassOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if New(Usage, nil, "h") != nil {
		t.Error("New with a nil error is not nil")
	}
	if !errors.Is(Interrupted, context.Canceled) {
		t.Error("Interrupted is not context.Canceled")
	}
}

func TestHintOf(t *testing.T) {
	enospc := &fs.PathError{Op: "write", Path: "/tmp/.x.tmp-1", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{New(Operational, errors.New("x"), "do this"), "do this"},
		{New(Usage, New(Operational, errors.New("x"), "inner"), ""), "inner"},
		{fmt.Errorf("ctx: %w", enospc), "the disk is full: free some space or choose another folder; nothing was left behind"},
		{IO("/ro/x", &fs.PathError{Op: "open", Path: "/ro/x", Err: syscall.EROFS}), "the disk is read-only: choose another folder"},
		{IO("x", &fs.PathError{Op: "open", Path: "x", Err: syscall.EACCES}), "you may not read or write there: check the folder's permissions, or choose another folder"},
		{errors.New("x"), ""},
	} {
		if got := HintOf(tc.err); got != tc.want {
			t.Errorf("HintOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestIO: messages name the path the caller gives and say what went wrong
// without system-call names or the temporary names inside the error.
func TestIO(t *testing.T) {
	_, openErr := os.Open("/nonexistent/casepack-fault-test")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{IO("out/LV/data/case.json", &fs.PathError{Op: "write", Path: "out/.LV.tmp-123/data/case.json", Err: syscall.ENOSPC}), "out/LV/data/case.json: the disk is full"},
		{IO("k.key", openErr), "k.key: no such file or folder"},
		{IO("a", &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EXDEV}), "a: cannot be moved to another disk"},
		{IO("a", fmt.Errorf("zip: %w", &fs.PathError{Op: "write", Path: "t", Err: syscall.EIO})), "a: input/output error: the disk or its connection may be failing"},
		{IO("", &fs.PathError{Op: "open", Path: "t", Err: fs.ErrPermission}), "permission denied"},
		{IO("a", errors.New("plain words")), "a: plain words"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
	if !errors.Is(IO("a", openErr), fs.ErrNotExist) {
		t.Error("IO hides the error it wraps")
	}
	if IO("a", nil) != nil {
		t.Error("IO of nil is not nil")
	}
}

// TestLeaf: fault imports only the standard library, so every casepack
// package, the schema included, may import it.
func TestLeaf(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.Split(imp, "/")[0], ".") {
			t.Errorf("fault imports %s; a leaf imports only the standard library", imp)
		}
	}
}
