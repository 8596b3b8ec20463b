// Package store owns where an archive's bytes live: a local folder or an
// S3-compatible bucket and prefix, seen through one small object-store
// interface (put whole objects, read them, list them). It knows nothing of
// packages; packager/archive decides which objects make one.
//
// Both backends give the same guarantees: an object appears whole or not at
// all (a reader never sees half an object), an exclusive put never replaces
// an existing object, and reads stream with bounded memory.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"strings"
	"time"
)

// Store is an archive root's object storage. Keys are slash-separated
// relative paths (see CheckKey).
type Store interface {
	// Put writes the object key from r, which yields exactly size bytes.
	// The object becomes visible only once it is complete. With
	// Exclusive, Put fails with an error matching fs.ErrExist when the key
	// already exists, and never replaces it.
	Put(ctx context.Context, key string, r io.Reader, size int64, opt PutOptions) error
	// Open streams the whole object. A missing object is an error matching
	// fs.ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// OpenAt opens the object for random access (a ZIP's central directory
	// and entries).
	OpenAt(ctx context.Context, key string) (ReaderAt, error)
	// Stat describes one object.
	Stat(ctx context.Context, key string) (Info, error)
	// List yields every object whose key starts with prefix, in no
	// particular order; an error ends the sequence.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]
	// Delete removes an object (derived data, or an upload that lost a
	// race). A missing object is not an error.
	Delete(ctx context.Context, key string) error
	// CheckRetention reports whether Put can honour PutOptions.Retention
	// here; the error says why not.
	CheckRetention(ctx context.Context) error
	// String names the root for messages: a folder path or s3://bucket/prefix.
	String() string
}

// ReaderAt is an open object for random access.
type ReaderAt interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// Info describes an object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
}

// PutOptions tune Put.
type PutOptions struct {
	// Exclusive refuses to replace an existing object.
	Exclusive bool
	// Retention, when set, locks the object until a date (S3 Object Lock).
	// A backend that cannot lock objects refuses the put.
	Retention *Retention
}

// Retention is an S3 Object Lock retention.
type Retention struct {
	Mode  RetentionMode `json:"mode"`
	Until time.Time     `json:"until"`
}

// RetentionMode is an Object Lock mode.
type RetentionMode string

// The two S3 Object Lock modes. Under governance, users with a special
// permission can still shorten or remove the lock; under compliance nobody
// can, not even the account's root user, until the date has passed.
const (
	Governance RetentionMode = "GOVERNANCE"
	Compliance RetentionMode = "COMPLIANCE"
)

// ParseRetentionMode reads "governance" or "compliance" (any case).
func ParseRetentionMode(s string) (RetentionMode, error) {
	switch strings.ToUpper(s) {
	case string(Governance):
		return Governance, nil
	case string(Compliance):
		return Compliance, nil
	}
	return "", fmt.Errorf("retention mode %q: use governance or compliance", s)
}

// ErrRetentionUnsupported is returned (wrapped) by CheckRetention and Put
// when objects cannot be locked at this root.
var ErrRetentionUnsupported = errors.New("retention (S3 Object Lock) is not available here")

// KeyError is a key that is not a safe relative object name.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("object key %q: %s", e.Key, e.Reason) }

// CheckKey accepts slash-separated relative keys whose elements are not
// empty, "." or "..", with no backslash and no control character. Both
// backends apply it, so a key means the same object on a disk and in a
// bucket.
func CheckKey(key string) error {
	bad := func(why string) error { return &KeyError{Key: key, Reason: why} }
	switch {
	case key == "":
		return bad("empty")
	case len(key) > 1024:
		return bad("longer than the 1024 bytes S3 allows")
	case strings.HasPrefix(key, "/"):
		return bad("absolute")
	case strings.ContainsRune(key, '\\'):
		return bad("has a backslash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return bad("has a control character")
		}
	}
	for el := range strings.SplitSeq(key, "/") {
		if el == "" || el == "." || el == ".." {
			return bad("has an empty, . or .. element")
		}
	}
	return nil
}

func notExist(key string) error {
	return &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
}
