package bag

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrUnsafePath is wrapped by every error CheckPath returns.
var ErrUnsafePath = errors.New("unsafe path")

// PathError says why a bag path was refused.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("unsafe path %q: %s", e.Path, e.Reason)
}

func (e *PathError) Unwrap() error { return ErrUnsafePath }

// CheckPath reports whether p is a safe bag-relative path: slash-separated,
// relative, without "." or ".." elements, empty elements, backslashes, NUL,
// invalid UTF-8, a drive letter or a leading "~". Paths come from manifests
// and ZIP entries written by someone else, so they are hostile until this
// says otherwise (RFC 8493 §5.1).
func CheckPath(p string) error {
	bad := func(reason string) error { return &PathError{Path: p, Reason: reason} }
	switch {
	case p == "":
		return bad("empty")
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	case strings.ContainsRune(p, 0):
		return bad("contains a NUL byte")
	case strings.Contains(p, `\`):
		return bad("contains a backslash")
	case strings.HasPrefix(p, "/"):
		return bad("absolute")
	case strings.HasPrefix(p, "~"):
		return bad("starts with ~")
	case len(p) >= 2 && p[1] == ':' && isASCIILetter(p[0]):
		return bad("starts with a drive letter")
	}
	for rest, more := p, true; more; {
		var el string
		el, rest, more = strings.Cut(rest, "/")
		switch el {
		case "":
			return bad("has an empty element")
		case ".", "..":
			return bad("has a " + el + " element")
		}
	}
	if !fs.ValidPath(p) {
		return bad("not a valid slash-separated path")
	}
	return nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// CollisionKey maps a path to a key that is equal for two paths a
// case-insensitive or normalising filesystem (macOS, Windows) would treat as
// the same file: Unicode NFC, then lower case.
func CollisionKey(p string) string {
	return strings.ToLower(norm.NFC.String(p))
}

// CheckName reports whether name is a safe single path element (a package
// folder name or a signature file name).
func CheckName(name string) error {
	if err := CheckPath(name); err != nil {
		return err
	}
	if strings.Contains(name, "/") {
		return &PathError{Path: name, Reason: "must be a single name, not a path"}
	}
	if strings.HasPrefix(name, ".") {
		return &PathError{Path: name, Reason: "starts with a dot (hidden)"}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return &PathError{Path: name, Reason: "contains a control character"}
		}
	}
	return nil
}
