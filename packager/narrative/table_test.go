package narrative

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestNarrowColumnsKeepWordsWhole: a column whose longest word is short
// ("Police") holds it on one line beside a wide column of long text, at
// every width the rounding of the column widths can produce; where columns
// cannot all fit their longest word, a word split between two letters ends
// with a visible hyphen.
func TestNarrowColumnsKeepWordsWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Units\n\n| ID | Unit | Type | Part of |\n|:--|:--|:--|:--|\n")
	types := []string{"Police", "Military", "Intelligence", "Other"}
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&b, "| U-%02d | %s unit number %d — %s | %s | %s |\n", i, strings.Repeat("Policía Nacional Bolivariana ", 1+i%3), i,
			strings.Repeat("x", i), types[i%len(types)], strings.Repeat("Cuerpo ", i%4))
	}
	pdf := renderMarkdown(t, b.String(), PDFOptions{})
	text := run(t, "pdftotext", "-raw", pdf, "-")
	for _, w := range types {
		if n := strings.Count(text, w); n < 6 {
			t.Errorf("%q appears whole %d times, want 6: the column breaks it\n%s", w, n, text)
		}
	}
	if m := regexp.MustCompile(`(?m)^(Polic|Militar|Intelligen)$`).FindString(text); m != "" {
		t.Errorf("a type was broken mid-word (%q)", m)
	}

	// Twelve columns of long single words cannot all fit: the words are
	// split, each piece but the last ending with a hyphen.
	long := "Pneumonoultramicroscopic"
	var c strings.Builder
	c.WriteString("# Wide\n\n|" + strings.Repeat(" H |", 12) + "\n|" + strings.Repeat("---|", 12) + "\n|")
	for i := 0; i < 12; i++ {
		c.WriteString(" " + long + " |")
	}
	c.WriteString("\n")
	text = run(t, "pdftotext", "-raw", renderMarkdown(t, c.String(), PDFOptions{}), "-")
	pieces := regexp.MustCompile(`[A-Za-z]+-`).FindAllString(text, -1)
	if len(pieces) < 12 {
		t.Fatalf("want every split word to show a hyphen, found %d hyphenated pieces in:\n%s", len(pieces), text)
	}
	for _, p := range pieces {
		if !strings.Contains(long, strings.TrimSuffix(p, "-")) {
			t.Errorf("piece %q is not part of the word", p)
		}
	}
}
