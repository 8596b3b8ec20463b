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
	var walk func(ptr string, rv reflect.Value)
	walk = func(ptr string, rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(ptr, rv.Elem())
			}
		case reflect.String:
			s := rv.String()
			if s == "" || isPlainASCII(s) {
				return
			}
			if r, code, msg, hint := check(s); code != "" {
				v.addAt(code, ptr, false, string(r), msg, hint)
			}
		case reflect.Slice:
			for i := 0; i < rv.Len(); i++ {
				walk(ptr+"/"+strconv.Itoa(i), rv.Index(i))
			}
		case reflect.Struct:
			t := rv.Type()
			for i := 0; i < t.NumField(); i++ {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
				if name == "" || name == "-" || name == "protected" || name == "$schema" {
					continue
				}
				walk(ptr+"/"+name, rv.Field(i))
			}
		}
	}
	walk("", reflect.ValueOf(c).Elem())
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
