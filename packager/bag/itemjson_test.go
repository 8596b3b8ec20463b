package bag

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// itemSeeds are evidence items as casepack writes them (Marshal) and as
// others might: every field, withheld files, custody, names that are not
// ASCII, no files at all.
func itemSeeds(t testing.TB) [][]byte {
	t.Helper()
	m := CasepackManifest{SubmissionID: "S-1", Evidence: []EvidenceItem{
		{ID: "EV-0001", Title: "Vídeo «plaza»", Files: []ManifestFile{
			{Path: "data/evidence/EV-0001/plaza.mp4", Size: 123456789, MediaType: "video/mp4", SHA256: strings.Repeat("a", 64), SHA512: strings.Repeat("b", 128)},
			{Path: "data/evidence/EV-0001/informe_año.pdf", OriginalName: "informe año?.pdf", Size: 0, SHA256: strings.Repeat("c", 64), SHA512: strings.Repeat("d", 128)},
		}, Custody: json.RawMessage(`[{"date":"2021-01-08","by":"A \"quoted\" name","note":null,"n":[1,2.5e3,{"x":[]}]}]`)},
		{ID: "EV-0002", Files: []ManifestFile{{Path: "data/evidence/EV-0002/w.jpg", Size: 5, SHA256: "x", SHA512: "y", Withheld: true}}},
		{ID: "EV-0003"},
	}}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Evidence []json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var seeds [][]byte
	for _, it := range doc.Evidence {
		var c bytes.Buffer
		if err := json.Compact(&c, it); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, it, c.Bytes())
	}
	return seeds
}

// TestDecodeItemFast: items as casepack writes them, indented or not, are
// read by the plain scanner, each exactly as encoding/json reads it;
// anything it does not read exactly so is left to encoding/json.
func TestDecodeItemFast(t *testing.T) {
	for _, b := range itemSeeds(t) {
		var got, want EvidenceItem
		if !decodeItemFast(b, &got) {
			t.Errorf("not read by the scanner: %s", b)
			continue
		}
		if err := json.Unmarshal(b, &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nscanner       %+v\nencoding/json %+v (%v)", b, got, want, err)
		}
	}
	for _, b := range []string{
		`{"id":"EV-1","id":"EV-2"}`,                 // a key twice: encoding/json keeps the last
		`{"ID":"EV-1"}`,                             // encoding/json matches names whatever their case
		`{"id":"EV-1","extra":1}`,                   // a field EvidenceItem does not have
		`{"id":"EV-\u0031"}`,                        // an escape
		"{\"id\":\"EV-\xff\"}",                      // not UTF-8: encoding/json replaces it
		`{"id":null}`,                               // null leaves the field as it was
		`{"id":1}`,                                  // not a string: an error
		`{"files":null}`,                            // null
		`{"files":[null]}`,                          // a null file
		`{"files":[{"size":1.5}]}`,                  // not an integer: an error
		`{"files":[{"size":1e3}]}`,                  // an exponent
		`{"files":[{"size":99999999999999999999}]}`, // too large
		`{"files":[{"withheld":"yes"}]}`,            // not true or false
		`{"files":[{"path":"a","path":"b"}]}`,       // a key twice in a file
		`{"files":[{"Path":"a"}]}`,                  // another case
		`{"files":{}}`,                              // not a list
		`[]`, `null`, `"EV-1"`, `1`,                 // not an object
	} {
		var it EvidenceItem
		if decodeItemFast([]byte(b), &it) {
			t.Errorf("read by the scanner: %s -> %+v", b, it)
		}
	}
}

// FuzzDecodeItem: whatever the scanner reads, encoding/json reads without
// error and to the same item.
func FuzzDecodeItem(f *testing.F) {
	for _, b := range itemSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"EV-1","custody":null,"files":[]}`))
	f.Add([]byte(`{"files":[{"size":-0,"withheld":false}],"custody":"x"}`))
	f.Add([]byte(`{ "custody" : [ 1 , "]" , "\"" ] , "id" : "a" }`))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = bytes.TrimSpace(b) // encoding/json hands the value without space around it
		if !json.Valid(b) {
			return
		}
		var got, want EvidenceItem
		if !decodeItemFast(b, &got) {
			return
		}
		if err := json.Unmarshal(b, &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nscanner       %+v\nencoding/json %+v (%v)", b, got, want, err)
		}
	})
}

// scanBoth scans a casepack manifest with and without the plain scanner
// and fails unless both read the same items, the same manifest and the
// same error.
func scanBoth(t *testing.T, in []byte) {
	t.Helper()
	type result struct {
		m     *CasepackManifest
		items []EvidenceItem
		err   string
	}
	var res [2]result
	for i, fast := range []bool{true, false} {
		fastItems = fast
		m, err := ScanCasepackManifest(bytes.NewReader(in), func(it EvidenceItem) error {
			res[i].items = append(res[i].items, it)
			return nil
		})
		fastItems = true
		res[i].m = m
		if err != nil {
			res[i].err = err.Error()
		}
	}
	if !reflect.DeepEqual(res[0], res[1]) {
		t.Fatalf("%q:\nwith the scanner %+v\nencoding/json    %+v", in, res[0], res[1])
	}
}

// TestScanCasepackManifestFast: a whole manifest reads the same with the
// plain scanner as with encoding/json alone: items, errors and their
// words.
func TestScanCasepackManifestFast(t *testing.T) {
	head := `{"format":"casepack-manifest/1","evidence":[`
	for _, in := range []string{
		head + string(bytes.Join(itemSeeds(t), []byte(","))) + `]}`,
		head + `{"id":"EV-1","files":[{"path":"data/a","size":"1"}]}]}`,
		head + `{"id":"EV-1","files":[{"path":"data/a","size":1.5}]}]}`,
		head + `{"id":"EV-1","files":[{"path":"../a","size":1}]}]}`,
		head + `{"id":"EV-1","files":{}}]}`,
		head + `null,"x",{"ID":"EV-2","files":[{"PATH":"data/b"}]}]}`,
		head + `{"id":"EV-1","files":[{"path":"data/a","size":1}]}`,
	} {
		scanBoth(t, []byte(in))
	}
}

// FuzzScanCasepackManifestFast is TestScanCasepackManifestFast over any
// bytes.
func FuzzScanCasepackManifestFast(f *testing.F) {
	head := `{"format":"casepack-manifest/1","evidence":[`
	for _, b := range itemSeeds(f) {
		f.Add(append(append([]byte(head), b...), "]}"...))
	}
	f.Add([]byte(head + `{"id":"EV-1","files":[{"path":"data/a","size":"1"}]}]}`))
	f.Fuzz(func(t *testing.T, in []byte) { scanBoth(t, in) })
}

// TestDecodeItemMutations is FuzzDecodeItem over a fixed set of
// mutations of the seeds (Go's fuzzing engine is not always at hand): a
// byte changed to one that matters to JSON, removed or doubled.
func TestDecodeItemMutations(t *testing.T) {
	const special = "{}[]\":,\\ \t\n-+.0123456789eEtrufalsn\xff\xc3"
	state := uint64(20210108)
	rnd := func(n int) int {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(n))
	}
	seeds := itemSeeds(t)
	tried, read := 0, 0
	for range 10000 {
		b := bytes.Clone(seeds[rnd(len(seeds))])
		for range 1 + rnd(3) {
			i := rnd(len(b))
			switch rnd(3) {
			case 0:
				b[i] = special[rnd(len(special))]
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i+1], b[i:]...)
			}
		}
		b = bytes.TrimSpace(b)
		if !json.Valid(b) {
			continue
		}
		tried++
		var got, want EvidenceItem
		if !decodeItemFast(b, &got) {
			continue
		}
		read++
		if err := json.Unmarshal(b, &want); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nscanner       %+v\nencoding/json %+v (%v)", b, got, want, err)
		}
	}
	t.Logf("%d valid mutations, %d read by the scanner", tried, read)
	if read == 0 {
		t.Error("no mutation read by the scanner")
	}
}
