package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"data/evidence/EV-0001/photo.jpg", "data/evidence/EV-0001/photo.jpg"},
		{"Fundación Ejemplo, 東京, Ελλάδα", "Fundación Ejemplo, 東京, Ελλάδα"},
		{"a\tb", "a\tb"},
		{"\u202egnp.exe", `\u202egnp.exe`},
		{"x\x1b[2K\rpkg: intact", `x\x1b[2K\rpkg: intact`},
		{"bell\x07nul\x00del\x7f", `bell\x07nul\x00del\x7f`},
		{"two\nlines", `two\nlines`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"isolate \u2066x\u2069 mark \u200f sep \u2028", `isolate \u2066x\u2069 mark \u200f sep \u2028`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The attack from the hardening review: a file name that, echoed raw,
// erases the real verdict and draws a fake one.
func TestWriterFakeVerdict(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	name := "data/x\r\x1b[1A\x1b[2Kpkg: intact (1 files)"
	if _, err := w.Write([]byte("casepack: error: " + name + ": not in the manifest\npkg: FAILED verification\n")); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.ContainsAny(got, "\r\x1b") {
		t.Fatalf("raw control characters reached the terminal: %q", got)
	}
	if !strings.Contains(got, `data/x\r\x1b[1A\x1b[2Kpkg: intact`) || !strings.HasSuffix(got, "pkg: FAILED verification\n") {
		t.Errorf("got %q", got)
	}
}

// A character split across writes is escaped (or kept) as a whole.
func TestWriterSplitRune(t *testing.T) {
	in := []byte("é\u202e東\n")
	for cut := 0; cut <= len(in); cut++ {
		var out bytes.Buffer
		w := NewWriter(&out)
		w.Write(in[:cut])
		w.Write(in[cut:])
		w.Flush()
		if got, want := out.String(), "é\\u202e東\n"; got != want {
			t.Errorf("cut at %d: %q, want %q", cut, got, want)
		}
	}
}

func TestUnwrap(t *testing.T) {
	var out bytes.Buffer
	if Unwrap(NewWriter(&out)) != &out || Unwrap(&out) != &out {
		t.Error("Unwrap does not return the writer underneath")
	}
}

// safe reports whether s can go to a terminal as it is: valid UTF-8 and no
// character unsafeRune refuses (newline allowed when keepNewline).
func safe(s string, keepNewline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafeRune(r) && !(keepNewline && r == '\n') {
			return false
		}
	}
	return true
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\u202egnp.exe", "\x1b[31mred\x1b[0m", "a\r\nb", "\xff", "é", "\u009b", "\u2066\u2069"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, chunk int) {
		got := Line(s)
		if !safe(got, false) {
			t.Fatalf("Line(%q) = %q is not safe", s, got)
		}
		if safe(s, false) && got != s {
			t.Fatalf("Line changed safe text %q to %q", s, got)
		}
		// Every escape is visible: the output is never shorter than the
		// input, and only backslash escapes are added.
		if len(got) < len(s) {
			t.Fatalf("Line(%q) = %q dropped characters", s, got)
		}
		// The Writer, fed in chunks, writes what escaping the whole text
		// with newlines kept writes.
		if chunk <= 0 || chunk > 64 {
			chunk = 1 + (chunk&63+64)%64
		}
		var out bytes.Buffer
		w := NewWriter(&out)
		for i := 0; i < len(s); i += chunk {
			if n, err := w.Write([]byte(s[i:min(i+chunk, len(s))])); err != nil || n != min(chunk, len(s)-i) {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !safe(out.String(), true) {
			t.Fatalf("Writer wrote %q for %q", out.String(), s)
		}
		if want := escape(s, true); out.String() != want && utf8.ValidString(s) {
			t.Fatalf("Writer in chunks of %d wrote %q, want %q", chunk, out.String(), want)
		}
	})
}
