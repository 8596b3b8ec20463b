package schema

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/casepack/casepack/packager/finding"
)

// printable asks check about every string of the case the narrative may
// print, and reports each one it refuses at the field, on the character.
// A person's protected details are left out: no edition prints them in the
// narrative, and they must be recorded as they are, in any script.
func (v *vctx) printable(c *Case, check func(string) (rune, finding.Code, string, string)) {
	var path []string // field names and indices; a pointer is built only for a finding
	var walk func(rv reflect.Value)
	walk = func(rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(rv.Elem())
			}
		case reflect.String:
			s := rv.String()
			if s == "" || isPlainASCII(s) {
				return
			}
			if r, code, msg, hint := check(s); code != "" {
				ptr := ""
				if len(path) > 0 {
					ptr = "/" + strings.Join(path, "/")
				}
				v.addAt(code, ptr, false, string(r), msg, hint)
			}
		case reflect.Slice:
			for i := 0; i < rv.Len(); i++ {
				path = append(path, strconv.Itoa(i))
				walk(rv.Index(i))
				path = path[:len(path)-1]
			}
		case reflect.Struct:
			for _, f := range modelFields(rv.Type()) {
				if f.name == "protected" || f.name == "$schema" {
					continue
				}
				path = append(path, f.name)
				walk(rv.Field(f.index))
				path = path[:len(path)-1]
			}
		}
	}
	walk(reflect.ValueOf(c).Elem())
}

// isPlainASCII reports text of printable ASCII and line breaks only, which
// every font draws.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}
