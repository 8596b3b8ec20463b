package narrative

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/casepack/casepack/packager/edition"
)

// TestIndexesListCitedItemsBeyondTheLimit: up to IndexLimit items the
// evidence index and the annex index list every item and file; beyond it,
// only the items the narrative cites or links to, with a sentence that
// counts the others and sends the reader to the registers of Annex A, and
// annex numbers that stay the file's position in the case (B.10 is the
// tenth file whether or not B.4 to B.9 are listed).
func TestIndexesListCitedItemsBeyondTheLimit(t *testing.T) {
	listed := []string{"EV-00001", "EV-00002", "EV-00003", "EV-00010"}
	for _, tt := range []struct {
		name  string
		items int
		ed    edition.Edition
		all   bool
	}{
		{"at the limit", IndexLimit, edition.Confidential, true},
		{"one more", IndexLimit + 1, edition.Confidential, false},
		{"public edition, one more", IndexLimit + 1, edition.Public, false},
		{"many more", 5 * IndexLimit, edition.Confidential, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ev := bigCase(1, 0, tt.items)
			md, err := Markdown(c, ev, nil, Options{Date: testDate, Edition: tt.ed, Annexes: testAnnexes, Lang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			text := PlainText(md)
			entries := regexp.MustCompile(`\*\*(EV-\d{5})\*\*`).FindAllStringSubmatch(string(md), -1)
			files := regexp.MustCompile(`\*\*Annex B\.(\d+)\*\* (EV-\d{5}),`).FindAllStringSubmatch(string(md), -1)
			if tt.all {
				if len(entries) != tt.items || len(files) != tt.items {
					t.Fatalf("%d evidence index entries and %d annex index entries, want %d of each", len(entries), len(files), tt.items)
				}
				for _, no := range []string{"further items", "Annex B.n is"} {
					if strings.Contains(text, no) {
						t.Errorf("the narrative says %q though it lists every item", no)
					}
				}
				return
			}
			var got, gotFiles []string
			for _, m := range entries {
				got = append(got, m[1])
			}
			for _, m := range files {
				gotFiles = append(gotFiles, m[2])
				if want := "B." + strconv.Itoa(idNumber(t, m[2])); "B."+m[1] != want {
					t.Errorf("the annex index numbers %s's file B.%s, want %s (its place among the case's files)", m[2], m[1], want)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(listed) || fmt.Sprint(gotFiles) != fmt.Sprint(listed) {
				t.Errorf("the indexes list %v and the files of %v, want the cited and linked items %v", got, gotFiles, listed)
			}
			others := fmt.Sprintf("%d further items, which this narrative neither cites nor links to, are not listed here: the registers of Annex A (sheets Evidence and Files) and their CSV twins list them",
				tt.items-len(listed))
			otherFiles := fmt.Sprintf("The %d files of the items the evidence index leaves out are not listed here either", tt.items-len(listed))
			// Numbers print with thousands separators: compare without them.
			for _, w := range []string{others, otherFiles, "Annex B.n is the n-th file of the Files register.",
				"The evidence index gives the verification of each item this narrative cites"} {
				if !strings.Contains(strings.ReplaceAll(text, ",", ""), strings.ReplaceAll(w, ",", "")) {
					t.Errorf("the narrative lacks %q", w)
				}
			}
		})
	}
}

func idNumber(t *testing.T, id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "EV-"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestManyItemsPDF renders a case of 20,000 evidence items and reads it
// back with poppler: a handful of pages, the cited items' entries linked
// and listed, the count of the others, and a text layer that qpdf accepts.
func TestManyItemsPDF(t *testing.T) {
	c, ev := bigCase(1, 0, 20000)
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, c, ev, Options{Date: testDate, Version: "1.2.3", Annexes: testAnnexes, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "many.pdf")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(run(t, "pdfinfo", pdf))
	if m == nil {
		t.Fatal("pdfinfo printed no page count")
	}
	if pages, _ := strconv.Atoi(m[1]); pages > 10 {
		t.Errorf("%d pages for a narrative that cites four of 20,000 items, want at most 10", pages)
	}
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
	for _, w := range []string{"EV-00010 Video 9 of the raid", "Annex B.10 EV-00010, original", "19,996 further items, which this narrative neither cites nor links to",
		"The 19,996 files of the items the evidence index leaves out"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	for _, no := range []string{"EV-00004 Video", "Annex B.4 "} {
		if strings.Contains(text, no) {
			t.Errorf("pdftotext output has %q, an item the narrative does not cite", no)
		}
	}
	run(t, "qpdf", "--check", pdf)
}

// askedDigests is EvidenceDigests that records which items a narrative
// asks for and whether it asks for them all.
type askedDigests struct {
	m     EvidenceDigests
	of    map[string]int
	whole int
}

func (a *askedDigests) Of(id string) []FileDigest { a.of[id]++; return a.m[id] }
func (a *askedDigests) All() EvidenceDigests      { a.whole++; return a.m }
func (a *askedDigests) Any() bool                 { return len(a.m) > 0 }

// TestNarrativeAsksForListedDigests: the default templates ask for the
// digests of the items the indexes list (Digests.Of), never for every
// item's (All: .Evidence), so that a build need not make a list for each
// of 20,000 photos of which the narrative quotes two (packager/submission,
// narrativeDigests); and what they print is what they printed from the
// map of them all. A template that reads .Evidence still gets them all.
func TestNarrativeAsksForListedDigests(t *testing.T) {
	for _, tt := range []struct {
		name  string
		items int
		ed    edition.Edition
	}{
		{"all listed", 40, edition.Confidential},
		{"beyond the limit", 2 * IndexLimit, edition.Confidential},
		{"public edition, beyond the limit", 2 * IndexLimit, edition.Public},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ev := bigCase(1, 0, tt.items)
			opt := Options{Date: testDate, Edition: tt.ed, Annexes: testAnnexes, Lang: "en"}
			want, err := Markdown(c, ev, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			asked := &askedDigests{m: ev, of: map[string]int{}}
			got, err := Markdown(c, asked, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the narrative told of the digests an item at a time differs from the one told of them all")
			}
			if asked.whole != 0 {
				t.Errorf("the default templates asked for every item's digests %d times", asked.whole)
			}
			listed := len(regexp.MustCompile(`\*\*EV-\d{5}\*\*`).FindAll(want, -1))
			if len(asked.of) != listed || listed == 0 {
				t.Errorf("asked for the digests of %d items, the evidence index lists %d", len(asked.of), listed)
			}
			if !bytes.Contains(want, []byte(ev[c.Evidence[0].ID][0].SHA256())) {
				t.Errorf("the narrative does not quote the digest of %s: the test shows little", c.Evidence[0].ID)
			}
		})
	}
	c, ev := bigCase(1, 0, 3)
	asked := &askedDigests{m: ev, of: map[string]int{}}
	tmpl := fstest.MapFS{"narrative.md.tmpl": {Data: []byte(`{{ if .HasDigests }}{{ len .Evidence }}{{ end }}`)}}
	md, err := Markdown(c, asked, tmpl, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(md)) != "3" || asked.whole == 0 {
		t.Errorf("a template reading .Evidence wrote %q (asked for them all %d times), want 3", md, asked.whole)
	}
}
