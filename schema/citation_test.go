package schema

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCitations(t *testing.T) {
	auth := func(id string) bool { return id == "RS" || id == "OTP-PE" }
	type item struct{ id, kind, value string }
	tests := []struct {
		text  string
		items []item
		err   string // substring of the error, "" for none
	}{
		{"Killed [EV-0001].", []item{{"EV-0001", "", ""}}, ""},
		{"[EV-0005 @ 00:01:12]", []item{{"EV-0005", "time", "00:01:12"}}, ""},
		{"[EV-0005 @ 1:12–1:30]", []item{{"EV-0005", "time", "1:12–1:30"}}, ""},
		{"[EV-0005 @ 00:01:12-00:01:30]", []item{{"EV-0005", "time", "00:01:12–00:01:30"}}, ""},
		{"[EV-0025 p. 3]", []item{{"EV-0025", "page", "3"}}, ""},
		{"[EV-0025 pp. 3–4, 7]", []item{{"EV-0025", "page", "3–4, 7"}}, ""},
		{"[EV-0026 para. 4]", []item{{"EV-0026", "para", "4"}}, ""},
		{"[EV-0030 fn. 2]", []item{{"EV-0030", "footnote", "2"}}, ""},
		{"[EV-0001; EV-0002 p. 2]", []item{{"EV-0001", "", ""}, {"EV-0002", "page", "2"}}, ""},
		{"[EV-0001, EV-0002]", []item{{"EV-0001", "", ""}, {"EV-0002", "", ""}}, ""},
		{"[RS art. 7(1)(a)]", []item{{"RS", "article", "7(1)(a)"}}, ""},
		{"[EV-0001; RS art. 15; OTP-PE para. 59]", []item{{"EV-0001", "", ""}, {"RS", "article", "15"}, {"OTP-PE", "para", "59"}}, ""},
		{"plain [note] and [a link](https://x.org) and [EV-0001](#x)", nil, ""},
		{"[EV-0005 @ 1:75]", nil, "not a time code"},
		{"[EV-0005 00:01:12]", nil, "does not start with @"},
		{"[EV-0025 p.]", nil, "has no value"},
		{"[EV-0025 pp. 4–3]", nil, "ends before it starts"},
		{"[EV-0005 @ 0:30–0:10]", nil, "ends before it starts"},
		{"[EV-0025 p. three]", nil, "not a number"},
		{"[EV-001]", nil, "not an evidence ID"},
		{"[EV-0001; ]", nil, "empty part"},
		{"[EV-0001; Note]", nil, "neither an evidence ID"},
		{"[XYZ art. 7]", nil, "no authority XYZ"},
	}
	for _, tc := range tests {
		gs := ParseCitations(tc.text, auth)
		if tc.items == nil && tc.err == "" {
			if len(gs) != 0 {
				t.Errorf("%q: got %d citations, want none", tc.text, len(gs))
			}
			continue
		}
		if len(gs) != 1 {
			t.Errorf("%q: got %d citations, want 1", tc.text, len(gs))
			continue
		}
		g := gs[0]
		if tc.err != "" {
			if g.Err == nil || !strings.Contains(g.Err.Msg, tc.err) {
				t.Errorf("%q: error %v, want one saying %q", tc.text, g.Err, tc.err)
			} else if g.Err.Hint == "" {
				t.Errorf("%q: error without a hint", tc.text)
			}
			continue
		}
		if g.Err != nil {
			t.Errorf("%q: unexpected error %s", tc.text, g.Err.Msg)
			continue
		}
		if len(g.Items) != len(tc.items) {
			t.Errorf("%q: %d items, want %d", tc.text, len(g.Items), len(tc.items))
			continue
		}
		for i, want := range tc.items {
			it := g.Items[i]
			kind, value := "", ""
			if it.Locator != nil {
				kind, value = string(it.Locator.Kind), it.Locator.Value
			}
			if it.ID != want.id || kind != want.kind || value != want.value {
				t.Errorf("%q item %d: got %s %s %q, want %s %s %q", tc.text, i, it.ID, kind, value, want.id, want.kind, want.value)
			}
			if tc.text[it.Offset:it.Offset+len(it.ID)] != it.ID {
				t.Errorf("%q item %d: offset %d does not point at %s", tc.text, i, it.Offset, it.ID)
			}
		}
	}
}

func TestLocatorLimits(t *testing.T) {
	g := ParseCitations("[EV-0005 @ 1:02:03–1:02:10] [EV-0025 pp. 3–12, 14]", nil)
	if len(g) != 2 || g[0].Items[0].Locator.Seconds != 3730 || g[1].Items[0].Locator.Last != 14 {
		t.Fatalf("limits not read: %+v", g)
	}
	if !g[1].Items[0].Locator.Plural {
		t.Error("pp. is plural")
	}
	for s, want := range map[string]int{"0:02:41": 161, "2:41": 161, "1:00:00": 3600, "x": -1, "1:60": -1} {
		if got := DurationSeconds(s); got != want {
			t.Errorf("DurationSeconds(%q) = %d, want %d", s, got, want)
		}
	}
}

// FuzzParseCitations: case text is untrusted. The parser never panics, and
// every offset it returns points inside the text at what it names.
func FuzzParseCitations(f *testing.F) {
	for _, s := range []string{"[EV-0001]", "[EV-0005 @ 00:01:12–00:02:00]", "[EV-0025 pp. 3–4, 7; RS art. 7(1)(a)]", "[X p.", "[[EV-0001]]", "[EV-0001,,EV-0002]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, g := range ParseCitations(s, func(id string) bool { return id == "RS" }) {
			if g.Start < 0 || g.End > len(s) || s[g.Start] != '[' || s[g.End-1] != ']' {
				t.Fatalf("%q: bad group bounds %d–%d", s, g.Start, g.End)
			}
			for _, it := range g.Items {
				if it.Offset < g.Start || it.Offset+len(it.ID) > g.End || s[it.Offset:it.Offset+len(it.ID)] != it.ID {
					t.Fatalf("%q: item %q at %d", s, it.ID, it.Offset)
				}
			}
		}
	})
}
