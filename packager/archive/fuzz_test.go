package archive

import (
	"encoding/json"
	"strings"
	"testing"
)

// A commit record comes from storage others may write to: reading one
// never panics, and a record that passes check names only safe keys inside
// its package.
func FuzzRecord(f *testing.F) {
	id := ID{Root: strings.Repeat("a", 64), Sigs: strings.Repeat("b", 64)}
	f.Add([]byte(`{"format":"casepack-archive-record/1","id":"` + id.String() + `","upload":"20210218T120000Z-0123456789abcdef","form":"folder","name":"P_confidential","objects":[{"key":"P_confidential/bagit.txt","size":55}]}`))
	f.Add([]byte(`{"format":"casepack-archive-record/1","id":"` + id.String() + `","upload":"20210218T120000Z-0123456789abcdef","form":"zip","name":"P","objects":[{"key":"P.zip","size":1,"sha256":"` + strings.Repeat("c", 64) + `"}]}`))
	f.Add([]byte(`{"objects":[{"key":"../x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Record
		if json.Unmarshal(b, &r) != nil {
			return
		}
		if r.check(id) != nil {
			return
		}
		for _, o := range r.Objects {
			if strings.Contains(o.Key, "..") && strings.Contains("/"+o.Key+"/", "/../") || strings.HasPrefix(o.Key, "/") {
				t.Fatalf("accepted unsafe key %q", o.Key)
			}
		}
		if !strings.HasPrefix(r.objectPrefix(), PackagesPrefix+id.Root+"/"+id.Sigs+"/") {
			t.Fatalf("objects outside the package: %s", r.objectPrefix())
		}
	})
}

// IDs and queries come from the command line: parsing never panics, and a
// parsed ID prints back as itself.
func FuzzParseID(f *testing.F) {
	f.Add(strings.Repeat("a", 64) + "-" + strings.Repeat("b", 64))
	f.Add("3ff868d539a1-57c5")
	f.Add("LV-2021-001_confidential")
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := ParseID(s); err == nil && id.String() != s {
			t.Fatalf("ParseID(%q) = %s", s, id)
		}
		parseQuery(s)
		idFromRecordKey(s)
	})
}
