//go:build !linux

package beneath

import "os"

// Dir is Linux's; elsewhere Open returns nil and callers use os.Root.
type Dir struct{}

// Open returns nil: here a tree is read through os.Root.
func Open(*os.Root) *Dir { return nil }

// Close does nothing.
func (*Dir) Close() error { return nil }

// OpenFault is Linux's (tests).
var OpenFault func(p string) error

// OpenFile is never called: Open returns nil.
func (*Dir) OpenFile(string) (*File, error) { return nil, ErrNotRegular }

// Lstat is never called: Open returns nil.
func (*Dir) Lstat(string) (Info, error) { return Info{}, ErrNotRegular }

// List is never called: Open returns nil.
func (*Dir) List(string, func(string) bool) ([]Entry, error) { return nil, ErrNotRegular }

// File is Linux's.
type File struct{}

// Size is Linux's.
func (*File) Size() int64 { return 0 }

// Read is Linux's.
func (*File) Read([]byte) (int, error) { return 0, eof }

// Close is Linux's.
func (*File) Close() error { return nil }

// OSFile is Linux's.
func (*File) OSFile(string) *os.File { return nil }
