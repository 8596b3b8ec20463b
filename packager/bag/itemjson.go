package bag

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A verifier reads casepack/manifest.json an evidence item at a time, and
// a package of 100,000 files has 100,000 items: encoding/json's decode of
// each by reflection cost about as much as reading the BagIt manifests.
// decodeItem reads an item written as casepack writes it with a plain
// scanner (decodeItemFast) and leaves anything else to encoding/json, so
// what is read, and every error, stays encoding/json's.

// itemJSON decodes one evidence item into it.
type itemJSON struct{ it *EvidenceItem }

// fastItems is false in tests that compare with encoding/json alone.
var fastItems = true

// UnmarshalJSON is given one value encoding/json has already checked is
// valid JSON, with no space around it.
func (j itemJSON) UnmarshalJSON(b []byte) error {
	if fastItems && decodeItemFast(b, j.it) {
		return nil
	}
	*j.it = EvidenceItem{}
	return json.Unmarshal(b, j.it)
}

// decodeItemFast decodes b, a valid JSON value, into it as json.Unmarshal
// would into a zero EvidenceItem, and says whether it could: only an
// object whose keys are EvidenceItem's and ManifestFile's JSON names as
// written (each once per object), whose strings hold no escape and are
// valid UTF-8, whose size is an integer and withheld true or false, and
// whose values are of the kinds the fields have (null nowhere but in
// custody). Anything else is false, it left in any state: json.Unmarshal
// decides (and names the error) as it always did. FuzzDecodeItem checks
// that whatever it decodes, json.Unmarshal decodes the same.
func decodeItemFast(b []byte, it *EvidenceItem) bool {
	s := scan{b: b}
	var seen [4]bool
	ok := s.object(func(key []byte) bool {
		var k int
		switch string(key) {
		case "id":
			k = 0
		case "title":
			k = 1
		case "files":
			k = 2
		case "custody":
			k = 3
		default:
			return false
		}
		if seen[k] {
			return false
		}
		seen[k] = true
		switch k {
		case 0:
			return s.str(&it.ID)
		case 1:
			return s.str(&it.Title)
		case 2:
			return s.files(&it.Files)
		}
		start := s.i
		if !s.skip() {
			return false
		}
		it.Custody = json.RawMessage(append([]byte(nil), b[start:s.i]...))
		return true
	})
	return ok && s.i == len(b)
}

// scan reads JSON already known to be valid: it checks only what decides
// whether a value is one it decodes.
type scan struct {
	b []byte
	i int
}

func (s *scan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next is the next byte after any space, or 0 at the end.
func (s *scan) next() byte {
	s.space()
	if s.i == len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// object reads an object, calling member with each key (positioned at its
// value); member reads the value.
func (s *scan) object(member func(key []byte) bool) bool {
	if s.next() != '{' {
		return false
	}
	s.i++
	if s.next() == '}' {
		s.i++
		return true
	}
	for {
		key, ok := s.rawString()
		if !ok || s.next() != ':' {
			return false
		}
		s.i++
		s.space()
		if !member(key) {
			return false
		}
		switch s.next() {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// rawString reads a string without escapes, of valid UTF-8, and returns
// its bytes.
func (s *scan) rawString() ([]byte, bool) {
	if s.next() != '"' {
		return nil, false
	}
	start := s.i + 1
	ascii := true
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[start:j]
			if !ascii && !utf8.Valid(v) {
				return nil, false // encoding/json replaces what is not UTF-8
			}
			s.i = j + 1
			return v, true
		case c == '\\' || c < ' ':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (s *scan) str(dst *string) bool {
	v, ok := s.rawString()
	if ok {
		*dst = string(v)
	}
	return ok
}

// files reads a list of files; an empty list is an empty slice, as
// encoding/json makes it.
func (s *scan) files(dst *[]ManifestFile) bool {
	if s.next() != '[' {
		return false
	}
	s.i++
	files := []ManifestFile{}
	if s.next() == ']' {
		s.i++
		*dst = files
		return true
	}
	for {
		var f ManifestFile
		if !s.file(&f) {
			return false
		}
		files = append(files, f)
		switch s.next() {
		case ',':
			s.i++
		case ']':
			s.i++
			*dst = files
			return true
		default:
			return false
		}
	}
}

func (s *scan) file(f *ManifestFile) bool {
	var seen [7]bool
	return s.object(func(key []byte) bool {
		var k int
		switch string(key) {
		case "path":
			k = 0
		case "original_name":
			k = 1
		case "size":
			k = 2
		case "media_type":
			k = 3
		case "sha256":
			k = 4
		case "sha512":
			k = 5
		case "withheld":
			k = 6
		default:
			return false
		}
		if seen[k] {
			return false
		}
		seen[k] = true
		switch k {
		case 0:
			return s.str(&f.Path)
		case 1:
			return s.str(&f.OriginalName)
		case 2:
			return s.int(&f.Size)
		case 3:
			return s.str(&f.MediaType)
		case 4:
			return s.str(&f.SHA256)
		case 5:
			return s.str(&f.SHA512)
		}
		return s.bool(&f.Withheld)
	})
}

// int reads an integer that fits an int64, as encoding/json reads it
// (strconv.ParseInt of the number as written).
func (s *scan) int(dst *int64) bool {
	start := s.i
	j := start
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	if j == digits || j < len(s.b) && (s.b[j] == '.' || s.b[j] == 'e' || s.b[j] == 'E') {
		return false
	}
	n, err := strconv.ParseInt(string(s.b[start:j]), 10, 64)
	if err != nil {
		return false
	}
	*dst, s.i = n, j
	return true
}

func (s *scan) bool(dst *bool) bool {
	switch {
	case len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true":
		*dst, s.i = true, s.i+4
	case len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false":
		*dst, s.i = false, s.i+5
	default:
		return false
	}
	return true
}

// skip passes over one value of any kind, ending right after it.
func (s *scan) skip() bool {
	depth := 0
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '"':
			for s.i++; s.i < len(s.b) && s.b[s.i] != '"'; s.i++ {
				if s.b[s.i] == '\\' {
					s.i++
				}
			}
			if s.i >= len(s.b) {
				return false
			}
			s.i++
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			if depth == 0 {
				return true // the end of what holds a number, true, false or null
			}
			depth--
			s.i++
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return true
			}
			s.i++
		default:
			s.i++
		}
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			return true
		}
	}
	return depth == 0
}
