package edition

import (
	"errors"
	"fmt"
	"strings"
)

// Edition names one of the two editions built from the same case data.
type Edition string

// The editions. The confidential edition carries everything; the public one
// is safe to publish: protected details removed, evidence the case does not
// allow to be published withheld (hashed and listed, not copied).
const (
	Confidential Edition = "confidential"
	Public       Edition = "public"
)

// ErrUnknown is returned for an edition that is neither confidential nor public.
var ErrUnknown = errors.New("edition must be confidential or public")

// Parse reads an edition as a user writes it (--edition). Case and
// surrounding spaces are ignored; an empty string is the confidential
// edition, the default everywhere.
func Parse(s string) (Edition, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", string(Confidential):
		return Confidential, nil
	case string(Public):
		return Public, nil
	}
	return "", fmt.Errorf("%w, not %q", ErrUnknown, s)
}

// IsPublic reports whether e is the public edition.
func (e Edition) IsPublic() bool { return e == Public }
