package edition

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/casepack/casepack/schema"
)

// LeakError stops a public build that would publish a protected detail.
type LeakError struct {
	File     string // the package file that would hold it ("" for the package's name)
	Location string // where in that file: a JSON pointer, "row 4, column Title", "line 12", "file name"
	Person   string // the person's ID
	Field    string // which protected detail: "full name", "contact" …
}

func (e *LeakError) Error() string {
	at := e.File
	if e.Location != "" {
		at += " (" + e.Location + ")"
	}
	return fmt.Sprintf("the public edition would expose the protected %s of %s in %s", e.Field, e.Person, at)
}

// LeakCheck looks for the protected values of a case in the files of its
// public edition, read as an adversary reads them (see fold.go).
type LeakCheck struct {
	byPrefix map[string][]*pattern // the first bytes of a pattern's folded words → patterns
	byDigits map[string][]*pattern // the first digits of a number → patterns
	maxWords int
}

// pattern is one form of a protected value to look for: its words (or, for
// a number, its digits) run together.
type pattern struct {
	joined        string
	words         int
	number        bool
	person, field string
}

const (
	prefixLen    = 3 // bytes of a pattern's words used to find it
	digitsPrefix = 6
	minValue     = 4 // shorter values would match by chance
	minRun       = 8 // a run of words shorter than this (joined) is not looked for alone
	minNumber    = 7 // a number with fewer digits is not looked for alone
	noteWindow   = 6 // words of a long note looked for together
	// maxPrefixDigits is how many digits may come before a number.
	maxPrefixDigits = 4
)

// NewLeakCheck collects the protected values of c (the original case, not
// its redacted view): every person's full name and aliases, and every run of
// two or more of their words; address; contacts and identity documents, and
// their digits however grouped; notes, and every six consecutive words of a
// long note.
func NewLeakCheck(c *schema.Case) *LeakCheck {
	l := &LeakCheck{byPrefix: map[string][]*pattern{}, byDigits: map[string][]*pattern{}}
	seen := map[string]bool{}
	addWords := func(person, field string, ws []string) {
		j := strings.Join(ws, "")
		if utf8.RuneCountInString(j) < minValue || seen[person+field+"\x00"+j] {
			return
		}
		seen[person+field+"\x00"+j] = true
		p := &pattern{joined: j, words: len(ws), person: person, field: field}
		k := j[:min(prefixLen, len(j))]
		l.byPrefix[k] = append(l.byPrefix[k], p)
		l.maxWords = max(l.maxWords, len(ws))
	}
	significant := func(ws []string) int {
		n := 0
		for _, w := range ws {
			if utf8.RuneCountInString(w) >= 3 {
				n++
			}
		}
		return n
	}
	add := func(person, field, v string, runs, window bool, number bool) {
		ws := words(v)
		addWords(person, field, ws)
		if runs {
			for i := range ws {
				for j := i + 2; j <= len(ws); j++ {
					if j-i == len(ws) {
						continue
					}
					run := ws[i:j]
					if significant(run) >= 2 && len(strings.Join(run, "")) >= minRun {
						addWords(person, field, run)
					}
				}
			}
		}
		if window && len(ws) > noteWindow {
			for i := 0; i+noteWindow <= len(ws); i++ {
				if run := ws[i : i+noteWindow]; significant(run) >= 3 {
					addWords(person, field, run)
				}
			}
		}
		if d := digits(v); number && len(d) >= minNumber && !seen[person+"#"+d] {
			seen[person+"#"+d] = true
			l.byDigits[d[:digitsPrefix]] = append(l.byDigits[d[:digitsPrefix]], &pattern{joined: d, number: true, person: person, field: field})
		}
	}
	for _, p := range c.Persons {
		pr := p.Protected
		if pr == nil {
			continue
		}
		add(p.ID, "full name", pr.FullName, true, false, false)
		for _, a := range pr.Aliases {
			add(p.ID, "alias", a, true, false, false)
		}
		add(p.ID, "address", pr.Address, false, false, false)
		add(p.ID, "notes", pr.Notes, false, true, false)
		for _, a := range pr.Contacts {
			add(p.ID, "contact", a, false, false, true)
		}
		for _, a := range pr.IDDocuments {
			add(p.ID, "identity document", a, false, false, true)
		}
	}
	return l
}

// match looks for a protected value in a run of folded words and returns it
// with the index of the word where it starts.
func (l *LeakCheck) match(ws []string) (*pattern, int) {
	if len(ws) == 0 {
		return nil, -1
	}
	var b strings.Builder
	starts := make([]int, len(ws))
	ends := make(map[int]bool, len(ws))
	for i, w := range ws {
		starts[i] = b.Len()
		b.WriteString(w)
		ends[b.Len()] = true
	}
	s := b.String()
	for i, at := range starts {
		rest := s[at:]
		for _, p := range l.byPrefix[rest[:min(prefixLen, len(rest))]] {
			if strings.HasPrefix(rest, p.joined) && ends[at+len(p.joined)] {
				return p, i
			}
		}
	}
	if len(l.byDigits) == 0 {
		return nil, -1
	}
	// Numbers: a run of words that are all digits reads as one number.
	for i := 0; i < len(ws); {
		if !allDigits(ws[i]) {
			i++
			continue
		}
		j := i
		var d strings.Builder
		for j < len(ws) && allDigits(ws[j]) {
			d.WriteString(ws[j])
			j++
		}
		// The number is the value, or ends with it after a short prefix
		// (an international or trunk prefix: 0058…, 0…); a value inside a
		// longer number is a coincidence, not a leak.
		n := d.String()
		for k := 0; k <= min(maxPrefixDigits, len(n)-digitsPrefix); k++ {
			for _, p := range l.byDigits[n[k:k+digitsPrefix]] {
				if n[k:] == p.joined {
					return p, i
				}
			}
		}
		i = j
	}
	return nil, -1
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// Text looks for every protected value in s, which the package file named
// file holds at location, and returns a *LeakError for the first it finds.
func (l *LeakCheck) Text(file, location, s string) error {
	if p, _ := l.match(words(s)); p != nil {
		return &LeakError{File: file, Location: location, Person: p.person, Field: p.field}
	}
	return nil
}
