package schema

import (
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schema's two commonest patterns are checked by hand: every one-line
// text field carries the first, every digest the second, and in a large case
// the general regexp engine spent about a tenth of validation on them.
// Anything else goes to Go's regexp. TestFastPatterns checks the hand-made
// matchers agree with regexp.
const (
	patternLine   = `^[^\r\n]*$`
	patternSHA256 = `^[0-9a-f]{64}$`
)

type fastPattern struct {
	src   string
	match func(string) bool
}

func (f fastPattern) String() string            { return f.src }
func (f fastPattern) MatchString(s string) bool { return f.match(s) }

func compilePattern(src string) (jsonschema.Regexp, error) {
	switch src {
	case patternLine:
		return fastPattern{src, func(s string) bool { return !strings.ContainsAny(s, "\r\n") }}, nil
	case patternSHA256:
		return fastPattern{src, isLowerHex64}, nil
	}
	return regexp.Compile(src)
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
