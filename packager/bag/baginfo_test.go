package bag

import (
	"reflect"
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
