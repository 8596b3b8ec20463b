package bag

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestBagInfoRoundTrip(t *testing.T) {
	fields := []Field{{"Source-Organization", "Comisión"}, {"Payload-Oxum", "10.2"}, {"X", ""}}
	b, err := MarshalBagInfo(fields)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Source-Organization: Comisión\nPayload-Oxum: 10.2\nX: \n"; string(b) != want {
		t.Fatalf("got %q want %q", b, want)
	}
	back, err := ParseBagInfo(b)
	if err != nil || !reflect.DeepEqual(back, fields) {
		t.Fatalf("parse = %+v, %v", back, err)
	}
}

func TestBagInfoErrors(t *testing.T) {
	for _, f := range [][]Field{{{"A:B", "x"}}, {{"", "x"}}, {{"A", "x\ny"}}, {{" A", "x"}}, {{"A", " x"}}} {
		if _, err := MarshalBagInfo(f); err == nil {
			t.Errorf("MarshalBagInfo(%+v) accepted", f)
		}
	}
	for _, in := range []string{"no colon\n", " continuation first\n", ": no label\n"} {
		if _, err := ParseBagInfo([]byte(in)); err == nil {
			t.Errorf("ParseBagInfo(%q) accepted", in)
		}
	}
	got, err := ParseBagInfo([]byte("External-Description: a long\r\n  text\r\n"))
	if err != nil || got[0].Value != "a long text" {
		t.Errorf("continuation: %+v %v", got, err)
	}
}

func TestOxum(t *testing.T) {
	o, err := ParseOxum("1234.5")
	if err != nil || o != (Oxum{1234, 5}) || o.String() != "1234.5" {
		t.Fatalf("%v %v", o, err)
	}
	for _, bad := range []string{"", "12", "a.b", "-1.2", "1.2.3"} {
		if _, err := ParseOxum(bad); err == nil {
			t.Errorf("ParseOxum(%q) accepted", bad)
		}
	}
}

func TestParseBagitTxt(t *testing.T) {
	if v, err := ParseBagitTxt([]byte(BagitTxt)); err != nil || v != "1.0" {
		t.Fatalf("%q %v", v, err)
	}
	for _, in := range []string{"", "BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n", "BagIt-Version: 1.0\n", "BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n"} {
		if _, err := ParseBagitTxt([]byte(in)); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
}

func TestCasepackManifest(t *testing.T) {
	m := &CasepackManifest{SubmissionID: "S", Evidence: []EvidenceItem{
		{ID: "EV-2", Files: []ManifestFile{{Path: "data/b", SHA256: d1}, {Path: "data/a", SHA256: d2, Withheld: true}}},
		{ID: "EV-1"},
	}}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Index(s, "EV-1") > strings.Index(s, "EV-2") || strings.Index(s, "data/a") > strings.Index(s, "data/b") {
		t.Errorf("not sorted:\n%s", s)
	}
	if !strings.Contains(s, `"withheld": true`) || !strings.HasSuffix(s, "}\n") {
		t.Errorf("output:\n%s", s)
	}
	back, err := ParseCasepackManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := back.Marshal()
	if string(again) != s {
		t.Error("marshal(parse(x)) != x")
	}
	if _, err := (&CasepackManifest{Evidence: []EvidenceItem{{ID: "A"}, {ID: "A"}}}).Marshal(); err == nil {
		t.Error("duplicate IDs accepted")
	}
	if _, err := ParseCasepackManifest([]byte(`{"format":"other"}`)); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := ParseCasepackManifest([]byte(`{"format":"casepack-manifest/1","evidence":[{"id":"x","files":[{"path":"../x"}]}]}`)); err == nil {
		t.Error("unsafe path accepted")
	}
}

// checkWriteAsEncodingJSON fails unless Marshal and Write give m as
// encoding/json gives the whole document, indented.
func checkWriteAsEncodingJSON(t *testing.T, m CasepackManifest) {
	t.Helper()
	// The reference: the whole document through encoding/json.
	ref := m
	ref.Format = CasepackFormat
	ref.Evidence = slices.Clone(m.Evidence)
	if ref.Evidence == nil {
		ref.Evidence = []EvidenceItem{}
	}
	slices.SortStableFunc(ref.Evidence, func(a, b EvidenceItem) int { return strings.Compare(a.ID, b.ID) })
	for i := range ref.Evidence {
		f := slices.Clone(ref.Evidence[i].Files)
		if f == nil {
			f = []ManifestFile{}
		}
		slices.SortStableFunc(f, func(a, b ManifestFile) int { return strings.Compare(a.Path, b.Path) })
		ref.Evidence[i].Files = f
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&ref); err != nil {
		t.Fatal(err)
	}
	got, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("got\n%s\nwant\n%s", got, want.Bytes())
	}
	var w bytes.Buffer
	if err := m.Write(&w); err != nil || !bytes.Equal(w.Bytes(), got) {
		t.Fatalf("Write = %v,\n%s\nwant Marshal's bytes", err, w.Bytes())
	}
}

// TestCasepackManifestWriteEveryField holds appendItem, the hand-written
// path of Write, to every field an item and its files have, now and later:
// each field is set by reflection to a plain value no field has by default,
// so a field added to EvidenceItem or ManifestFile that appendItem does not
// write makes the bytes differ from encoding/json's (Custody is left empty:
// items with custody take encoding/json's path).
func TestCasepackManifestWriteEveryField(t *testing.T) {
	fill := func(v reflect.Value, n *int) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			*n++
			switch f.Kind() {
			case reflect.String:
				f.SetString("data/evidence/EV-1/v" + string(rune('a'+*n%26)))
			case reflect.Int, reflect.Int64:
				f.SetInt(int64(1000 + *n))
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Slice:
				// Files and Custody: set below, or left empty.
			default:
				t.Fatalf("%s.%s is a %s: teach this test (and appendItem) to write it",
					v.Type().Name(), v.Type().Field(i).Name, f.Kind())
			}
		}
	}
	var n int
	var file ManifestFile
	fill(reflect.ValueOf(&file).Elem(), &n)
	var item EvidenceItem
	fill(reflect.ValueOf(&item).Elem(), &n)
	item.Custody = nil
	item.Files = []ManifestFile{file}
	var buf bytes.Buffer
	if !appendItem(&buf, &item) {
		t.Fatalf("appendItem refused an item of plain strings: %+v", item)
	}
	checkWriteAsEncodingJSON(t, CasepackManifest{SubmissionID: "S-1", Evidence: []EvidenceItem{item}})
}

// FuzzCasepackManifestWrite is TestCasepackManifestWrite over any strings
// and numbers in an item's fields.
func FuzzCasepackManifestWrite(f *testing.F) {
	f.Add("EV-1", "Title", "data/evidence/EV-1/a.jpg", "", "image/jpeg", d1, int64(12), false, false)
	f.Add("EV-2", "", "data/evidence/EV-2/a_1.jpg", "a%1.jpg", "", d2, int64(-1), true, true)
	f.Add("EV-3", "Señora \u2028 \x01 \xff <&>", "data/evidence/EV-3/\"q\".jpg", "a\\b", "text/plain; charset=\"utf-8\"", "\t", int64(0), false, false)
	f.Fuzz(func(t *testing.T, id, title, p, orig, media, sum string, size int64, withheld, custody bool) {
		if CheckPath(p) != nil {
			return // refused before anything is written (TestCasepackManifestWrite)
		}
		it := EvidenceItem{ID: id, Title: title, Files: []ManifestFile{
			{Path: p, OriginalName: orig, Size: size, MediaType: media, SHA256: sum, SHA512: sum + sum, Withheld: withheld},
		}}
		if custody {
			it.Custody = json.RawMessage(`[{"at": "2021-01-08"}]`)
		}
		checkWriteAsEncodingJSON(t, CasepackManifest{SubmissionID: "S", Evidence: []EvidenceItem{it, {ID: id + "~", Title: title}}})
	})
}

// TestCasepackManifestWrite: the manifest written item by item has the
// bytes encoding/json gives the whole document, indented, in every shape a
// manifest takes; a manifest refused writes nothing.
func TestCasepackManifestWrite(t *testing.T) {
	custody := json.RawMessage(`[ {"date":"2021-01-08", "by": "A <b> & c", "notes": ["x", {"y": 1}]} ]`)
	tests := []struct {
		name string
		m    CasepackManifest
	}{
		{"no evidence", CasepackManifest{SubmissionID: "S"}},
		{"empty list", CasepackManifest{SubmissionID: "S", Evidence: []EvidenceItem{}}},
		{"every field", CasepackManifest{CasepackVersion: "v1", SubmissionID: "S-1", Edition: "public", Created: "2021-02-18T12:00:00Z",
			Build: map[string]string{"paper": "a4", "lang": "en,fr"},
			Evidence: []EvidenceItem{
				{ID: "EV-2", Title: "Señora's <video> & notes", Custody: custody, Files: []ManifestFile{
					{Path: "data/evidence/EV-2/b.mp4", Size: 12, MediaType: "video/mp4", SHA256: d1, SHA512: d1 + d1},
					{Path: "data/evidence/EV-2/a_1.jpg", OriginalName: "a%1.jpg", SHA256: d2, SHA512: d2 + d2, Withheld: true},
				}},
				{ID: "EV-1"},
				{ID: "EV-10", Files: []ManifestFile{}},
			}}},
		// A build's items: plain strings, no custody (written without
		// encoding/json, see appendItem), beside ones that are not.
		{"plain items", CasepackManifest{SubmissionID: "S-1", Edition: "confidential", Evidence: []EvidenceItem{
			{ID: "EV-000002", Title: "Benchmark file 2 <a> & 'b'", Files: []ManifestFile{
				{Path: "data/evidence/EV-000002/img-000002.jpg", Size: 35118, MediaType: "image/jpeg", SHA256: d1, SHA512: d1 + d1},
			}},
			{ID: "EV-000001", Files: []ManifestFile{
				{Path: "data/evidence/EV-000001/b.jpg", Size: 0, SHA256: d2, SHA512: d2 + d2, Withheld: true},
				{Path: "data/evidence/EV-000001/a_1.jpg", OriginalName: "a%1.jpg", Size: 1 << 40, MediaType: "image/jpeg", SHA256: d1, SHA512: d2 + d1},
			}},
			{ID: "EV-000003", Title: "tab\there", Files: []ManifestFile{{Path: "data/evidence/EV-000003/x", SHA256: d1, SHA512: d2}}},
			{ID: "EV-000004", Title: `quote " and \ backslash`},
			{ID: "EV-000005", Title: "plain", Custody: json.RawMessage(`[]`)},
			{ID: "EV-000006", Title: "nothing else"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWriteAsEncodingJSON(t, tt.m)
		})
	}
	var w bytes.Buffer
	dup := CasepackManifest{Evidence: []EvidenceItem{{ID: "B"}, {ID: "A", Files: []ManifestFile{{Path: "data/x", SHA256: d1}}}, {ID: "A"}}}
	if err := dup.Write(&w); err == nil || w.Len() > 0 {
		t.Errorf("duplicate IDs: err %v, wrote %d bytes", err, w.Len())
	}
	unsafe := CasepackManifest{Evidence: []EvidenceItem{{ID: "A"}, {ID: "B", Files: []ManifestFile{{Path: "data/../x", SHA256: d1}}}}}
	if err := unsafe.Write(&w); err == nil || w.Len() > 0 {
		t.Errorf("unsafe path: err %v, wrote %d bytes", err, w.Len())
	}
}
