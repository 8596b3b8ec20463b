package bag

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzBagInfo: ParseBagInfo never panics, and what it returns marshals
// and parses back to the same fields.
func FuzzBagInfo(f *testing.F) {
	f.Add([]byte("Source-Organization: Comisión\nPayload-Oxum: 10.2\n"))
	f.Add([]byte("External-Description: long\r\n  folded text\r\n"))
	f.Add([]byte(": no label\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fields, err := ParseBagInfo(in)
		if err != nil {
			return
		}
		out, err := MarshalBagInfo(fields)
		if err != nil {
			return // e.g. a value with surrounding tabs: readable, not writable
		}
		back, err := ParseBagInfo(out)
		if err != nil || !reflect.DeepEqual(back, fields) && len(fields) > 0 {
			t.Fatalf("re-parse of %q: %+v, %v; want %+v", out, back, err, fields)
		}
	})
}

// FuzzCasepackManifest: parse -> marshal -> parse is stable and never
// panics, and parsed paths are safe.
func FuzzCasepackManifest(f *testing.F) {
	f.Add([]byte(`{"format":"casepack-manifest/1","evidence":[{"id":"EV-1","files":[{"path":"data/a","size":1,"sha256":"x","sha512":"y","withheld":true}]}]}`))
	f.Add([]byte(`{"format":"casepack-manifest/1","evidence":[{"id":"EV-1","custody":[{"a":1}],"files":[]}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseCasepackManifest(in)
		if err != nil {
			return
		}
		// It is read a token at a time (ScanCasepackManifest): what it
		// accepts must be one valid JSON document.
		if !json.Valid(in) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		for _, it := range m.Evidence {
			for _, fl := range it.Files {
				if CheckPath(fl.Path) != nil {
					t.Fatalf("unsafe path %q accepted", fl.Path)
				}
			}
		}
		out, err := m.Marshal()
		if err != nil {
			return // duplicate IDs: readable, reported by the verifier
		}
		m2, err := ParseCasepackManifest(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		out2, err := m2.Marshal()
		if err != nil || string(out2) != string(out) {
			t.Fatalf("marshal not stable: %v\n%s\n---\n%s", err, out, out2)
		}
	})
}

// FuzzForeignManifest: reading another tool's manifest never panics, and
// every path it returns (and every literal spelling) is a safe bag path.
func FuzzForeignManifest(f *testing.F) {
	f.Add([]byte("b1946ac92492d2347c6235b4d2611184 *data/hello.txt\r\n\n"))
	f.Add([]byte("b1946ac92492d2347c6235b4d2611184  ./data/50%25 %7E.txt\n"))
	f.Add([]byte("b1946ac92492d2347c6235b4d2611184  ../../../README.md\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		entries, _ := ScanForeignManifest("md5", in)
		for _, e := range entries {
			if CheckPath(e.Path) != nil || e.Literal != "" && CheckPath(e.Literal) != nil || len(e.Digest) != 32 {
				t.Fatalf("unsafe entry %+v from %q", e, in)
			}
		}
	})
}

// FuzzBagitTxt: bagit.txt and tag files in a declared encoding never
// panic; what decodes is UTF-8.
func FuzzBagitTxt(f *testing.F) {
	f.Add([]byte("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n"), []byte("\xff\xfeB\x00a\x00"))
	f.Add([]byte("BagIt-Version: 1.0\r\nTag-File-Character-Encoding: ISO-8859-1"), []byte("Comisi\xf3n"))
	f.Add([]byte("\xef\xbb\xbfBagIt-Version : 1.0\n"), []byte{})
	f.Fuzz(func(t *testing.T, bagit, tag []byte) {
		d, err := ReadBagitTxt(bagit)
		if err != nil {
			return
		}
		text, _, err := d.DecodeTagFile(tag)
		if err == nil && !utf8.Valid(text) {
			t.Fatalf("%s decoded %q to invalid UTF-8", d.Encoding, tag)
		}
	})
}
