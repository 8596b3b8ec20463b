package narrative

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// Words are the strings the layout engine itself prints (page furniture,
// footnotes, cross-references, redaction marks), kept in one place so that
// a translation can replace them all. The templates hold the rest of the
// narrative's wording.
type Words struct {
	Contents string // heading of the table of contents
	// PageOf prints "Page 3 of 19" in the footer.
	PageOf func(page int, total string) string
	// Para and Paras refer to numbered paragraphs: "para. 12", "paras 12, 15".
	Para, Paras string
	Section     string // a cross-reference to a numbered heading: "section 6.2"
	None        string // a list of paragraphs that is empty
	Redacted    string // the redaction mark: "Redacted"
	Through     string // a run of consecutive items: "EV-0011 to EV-0024"
	// Locators maps a pinpoint kind to its abbreviation, singular and
	// plural: {"p.", "pp."}. A time is printed as At + the time.
	Locators map[schema.LocatorKind][2]string
	At       string
	// SignatureLine is printed under the line a signatory signs on; empty
	// prints nothing.
	SignatureLine string
}

// NewWords takes the layout's words from a language's catalogue.
func NewWords(l *locale.Lang) *Words {
	return &Words{
		Contents: l.T("layout.contents"),
		PageOf: func(page int, total string) string {
			return l.T("page.of", "page", strconv.Itoa(page), "total", total)
		},
		Para: l.T("layout.para"), Paras: l.T("layout.paras"), Section: l.T("layout.section"), None: "—",
		Redacted: l.T("layout.redacted"), Through: strings.TrimSpace(l.T("range.through", "from", "", "to", "")),
		Locators: map[schema.LocatorKind][2]string{
			schema.LocPage:     {l.T("locator.page"), l.T("locator.pages")},
			schema.LocPara:     {l.T("locator.para"), l.T("locator.paras")},
			schema.LocFootnote: {l.T("locator.footnote"), l.T("locator.footnotes")},
			schema.LocArticle:  {l.T("locator.article"), l.T("locator.articles")},
			schema.LocRule:     {l.T("locator.rule"), l.T("locator.rules")},
			schema.LocSection:  {l.T("locator.section"), l.T("locator.sections")},
		},
		At: l.T("layout.at"),
	}
}

// English is the default: the layout's words in English, made on first
// use. Made at start-up they would parse every language's catalogue
// (packager/locale) for every command, a narrative or not: 2.4 MB in 32,000
// allocations before main runs.
var English = sync.OnceValue(func() *Words { return NewWords(locale.English()) })

// locator prints a pinpoint: "p. 3", "pp. 3–4", "at 00:01:12", "00:01:12–00:01:30".
func (w *Words) locator(l *schema.Locator) string {
	if l.Kind == schema.LocTime {
		if strings.Contains(l.Value, "–") {
			return l.Value
		}
		return w.At + "\u00a0" + l.Value
	}
	abbr := w.Locators[l.Kind]
	k := abbr[0]
	if l.Plural {
		k = abbr[1]
	}
	return k + "\u00a0" + l.Value
}

// paragraphs prints a list of paragraph numbers: "para. 4", "paras 4, 9–11".
func (w *Words) paragraphs(nums []int) string {
	if len(nums) == 0 {
		return w.None
	}
	var parts []string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d–%d", nums[i], nums[j]))
		case j > i:
			parts = append(parts, fmt.Sprintf("%d, %d", nums[i], nums[j]))
		default:
			parts = append(parts, fmt.Sprint(nums[i]))
		}
		i = j + 1
	}
	if len(nums) == 1 {
		return w.Para + "\u00a0" + parts[0]
	}
	return w.Paras + "\u00a0" + strings.Join(parts, ", ")
}
