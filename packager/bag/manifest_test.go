package bag

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var (
	d1 = strings.Repeat("a", 64)
	d2 = strings.Repeat("0", 63) + "f"
)

func TestManifestMarshal(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		want    string
		wantErr string
	}{
		{"empty", nil, "", ""},
		{"sorted by bytes", []Entry{{"data/b", d1}, {"data/B", d2}, {"data/a.txt", d1}, {"data/a/x", d2}},
			d2 + "  data/B\n" + d1 + "  data/a.txt\n" + d2 + "  data/a/x\n" + d1 + "  data/b\n", ""},
		{"percent, CR, LF encoded", []Entry{{"data/100%\r\nx", d1}}, d1 + "  data/100%25%0D%0Ax\n", ""},
		{"upper hex lowered", []Entry{{"data/a", strings.ToUpper(d2)}}, d2 + "  data/a\n", ""},
		{"unicode kept", []Entry{{"data/testigo-señora.mp4", d1}}, d1 + "  data/testigo-señora.mp4\n", ""},
		{"duplicate", []Entry{{"data/a", d1}, {"data/a", d2}}, "", "duplicate"},
		{"dotdot", []Entry{{"data/../etc/passwd", d1}}, "", ".. element"},
		{"absolute", []Entry{{"/etc/passwd", d1}}, "", "absolute"},
		{"backslash", []Entry{{`data\a`, d1}}, "", "backslash"},
		{"short digest", []Entry{{"data/a", "abc"}}, "", "64 hex"},
		{"non-hex digest", []Entry{{"data/a", strings.Repeat("g", 64)}}, "", "non-hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manifest{Alg: SHA256, Entries: tt.entries}
			got, err := m.Marshal()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tt.want)
			}
			back, err := ParseManifest(SHA256, got)
			if err != nil {
				t.Fatalf("parse own output: %v", err)
			}
			again, _ := back.Marshal()
			if !bytes.Equal(again, got) {
				t.Fatalf("round trip changed bytes")
			}
		})
	}
}

func TestParseManifestRefusesNonCanonical(t *testing.T) {
	tests := []struct {
		name, in string
		canon    bool // readable but not canonical (ErrNotCanonical)
	}{
		{"one space", d1 + " data/a\n", true},
		{"tab", d1 + "\tdata/a\n", true},
		{"CRLF", d1 + "  data/a\r\n", true},
		{"upper hex", strings.ToUpper(d1) + "  data/a\n", true},
		{"unsorted", d1 + "  data/b\n" + d1 + "  data/a\n", true},
		{"duplicate", d1 + "  data/a\n" + d1 + "  data/a\n", true},
		{"lower-case percent", d1 + "  data/a%0a\n", true},
		{"no final newline", d1 + "  data/a", true},
		{"bad percent", d1 + "  data/a%41\n", false},
		{"truncated percent", d1 + "  data/a%2\n", false},
		{"no path", d1 + "  \n", false},
		{"no separator", d1 + "\n", false},
		{"empty line", "\n", false},
		{"dotdot", d1 + "  data/../../x\n", false},
		{"wrong digest length", d2[:10] + "  data/a\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest(SHA256, []byte(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, ErrNotCanonical); got != tt.canon {
				t.Fatalf("ErrNotCanonical = %v, want %v (err %v)", got, tt.canon, err)
			}
		})
	}
}

func TestScanManifestKeepsGoodLines(t *testing.T) {
	in := d1 + "  data/a\n" + "zz  data/b\n" + d2 + "  /etc/passwd\n" + d2 + "  data/c\n"
	entries, errs := ScanManifest(SHA256, []byte(in))
	if len(entries) != 2 || entries[0].Path != "data/a" || entries[1].Path != "data/c" {
		t.Errorf("entries = %+v", entries)
	}
	if len(errs) != 2 || errs[0].Line != 2 || errs[1].Line != 3 || !errors.Is(errs[1], ErrUnsafePath) {
		t.Errorf("errs = %v", errs)
	}
}

// manifestLines are lines ScanManifest and ScanManifestLine must read
// alike: good ones, every kind of bad one.
var manifestLines = []string{
	d1 + "  data/a", d1 + "\tdata/a\r", strings.ToUpper(d1) + "   data/b c", d1 + "  data/100%25", d1 + "  data/%41",
	d1 + "  data/%2", "", "   ", "\r", "zz  data/b", d1, d1 + "  ", d2 + "  /etc/passwd", d2 + "  data/../x", d2 + "  data/\xff",
}

// TestScanManifestLine: a line read alone reads as within a manifest.
func TestScanManifestLine(t *testing.T) {
	for _, line := range manifestLines {
		checkScanLine(t, line)
	}
}

func checkScanLine(t *testing.T, line string) {
	t.Helper()
	entries, errs := ScanManifest(SHA256, []byte(line+"\n"))
	e, le := ScanManifestLine(SHA256, []byte(line))
	switch {
	case len(errs) == 1:
		if le == nil || le.Line != 0 || le.Path != errs[0].Path || le.Err.Error() != errs[0].Err.Error() {
			t.Errorf("%q: ScanManifestLine %+v, %v; ScanManifest %v", line, e, le, errs[0])
		}
	case len(entries) == 1:
		if le != nil || e != entries[0] {
			t.Errorf("%q: ScanManifestLine %+v, %v; ScanManifest %+v", line, e, le, entries[0])
		}
	default:
		t.Fatalf("%q: ScanManifest %+v, %v: not one line", line, entries, errs)
	}
}

// FuzzScanManifestLine is TestScanManifestLine over any line.
func FuzzScanManifestLine(f *testing.F) {
	for _, line := range manifestLines {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "\n") {
			return
		}
		checkScanLine(t, line)
	})
}

func TestEncodeDecodePath(t *testing.T) {
	for _, p := range []string{"plain", "100%", "a\rb", "a\nb", "%25", "\r\n%", "ñ%0A"} {
		enc := EncodePath(p)
		if strings.ContainsAny(enc, "\r\n") {
			t.Errorf("EncodePath(%q) = %q still has a line break", p, enc)
		}
		dec, err := DecodePath(enc)
		if err != nil || dec != p {
			t.Errorf("DecodePath(EncodePath(%q)) = %q, %v", p, dec, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	tests := []struct {
		p  string
		ok bool
	}{
		{"data/a.mp4", true},
		{"data/evidence/EV-0001/vídeo final (1).mp4", true},
		{"data/a\nb", true},
		{"", false}, {"/data/a", false}, {"data/../a", false}, {"..", false}, {"./data", false},
		{"data//a", false}, {"data/a/", false}, {`data\a`, false}, {"C:/x", false}, {"c:x", false},
		{"~root/x", false}, {"data/\x00", false}, {"data/\xff", false},
		{"data/.", false}, {"data/..", false}, {"a/./b", false}, {"data/a//", false}, {".../a", true}, {"data/..a", true},
	}
	for _, tt := range tests {
		err := CheckPath(tt.p)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPath(%q) = %v, want ok=%v", tt.p, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafePath) {
			t.Errorf("CheckPath(%q): %v does not wrap ErrUnsafePath", tt.p, err)
		}
	}
	for _, n := range []string{"a/b", ".hidden", "x\ty"} {
		if CheckName(n) == nil {
			t.Errorf("CheckName(%q) accepted", n)
		}
	}
}

func TestCollisionKey(t *testing.T) {
	nfc, nfd := "data/se\u00f1ora.mp4", "data/sen\u0303ora.mp4"
	if CollisionKey(nfc) != CollisionKey(nfd) {
		t.Error("NFC and NFD spellings do not collide")
	}
	if CollisionKey("data/A.MP4") != CollisionKey("data/a.mp4") {
		t.Error("case variants do not collide")
	}
	if CollisionKey("data/a") == CollisionKey("data/b") {
		t.Error("different names collide")
	}
}

// FuzzManifestRoundTrip: whatever ParseManifest accepts, Marshal writes back
// byte for byte; ScanManifest never panics and only returns safe paths.
func FuzzManifestRoundTrip(f *testing.F) {
	f.Add([]byte(d1 + "  data/a\n" + d2 + "  data/b%25%0D%0A\n"))
	f.Add([]byte(d1 + " data/a\r\n"))
	f.Add([]byte(d1 + "  ../../etc/passwd\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		entries, _ := ScanManifest(SHA256, in)
		for _, e := range entries {
			if CheckPath(e.Path) != nil {
				t.Fatalf("ScanManifest returned unsafe path %q", e.Path)
			}
		}
		m, err := ParseManifest(SHA256, in)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed manifest: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip:\n in %q\nout %q", in, out)
		}
	})
}

// TestPlainName: a plain name needs no percent-encoding, so every manifest
// reader takes it literally, and a name that needs none is left alone.
func TestPlainName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"clip.mp4", "clip.mp4"},
		{"100% sure.txt", "100_ sure.txt"},
		{"%25.txt", "_25.txt"},
		{"a\rb\nc%", "a_b_c_"},
		{"Núñez 50%.pdf", "Núñez 50_.pdf"},
	} {
		got := PlainName(tc.in)
		if got != tc.want {
			t.Errorf("PlainName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if NeedsEncoding(got) || EncodePath(got) != got {
			t.Errorf("PlainName(%q) = %q still needs percent-encoding", tc.in, got)
		}
		if NeedsEncoding(tc.in) != (tc.in != tc.want) {
			t.Errorf("NeedsEncoding(%q) = %v", tc.in, NeedsEncoding(tc.in))
		}
	}
}

// TestManifestWrite: Write gives Marshal's bytes, and writes nothing for a
// manifest it refuses, whichever line is wrong.
func TestManifestWrite(t *testing.T) {
	m := &Manifest{Alg: SHA256, Entries: []Entry{{"data/b", d1}, {"data/100%", strings.ToUpper(d2)}, {"data/a", d1}}}
	want, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	if err := m.Write(&w); err != nil || w.String() != string(want) {
		t.Fatalf("Write = %v, %q; want %q", err, w.String(), want)
	}
	w.Reset()
	bad := &Manifest{Alg: SHA256, Entries: []Entry{{"data/a", d1}, {"data/b", d1}, {"data/z", "abc"}}}
	if err := bad.Write(&w); err == nil || w.Len() > 0 {
		t.Errorf("bad digest: err %v, wrote %q", err, w.String())
	}
}
