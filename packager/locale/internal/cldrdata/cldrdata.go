// Package cldrdata reads, from the Unicode CLDR XML files, the few facts of
// the Gregorian calendar that casepack prints: the month names and the long
// date pattern of a locale. The generator (../gencldr) writes them into
// ../../cldr_tables.go; the package's tests compare that table with the CLDR
// files when they are installed (Debian package unicode-cldr-core).
package cldrdata

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/cldr"
)

// Dir is where Debian's unicode-cldr-core installs the CLDR "common" tree.
const Dir = "/usr/share/unicode/cldr/common"

// Calendar is what casepack takes from one locale's Gregorian calendar.
type Calendar struct {
	// Months are the month names in the format context, wide: the form
	// used inside a date ("8 janvier 2021").
	Months [12]string
	// LongDate is the long date pattern, e.g. "d MMMM y" or
	// "d 'de' MMMM 'de' y".
	LongDate string
}

// Read reads the calendars of the given locales (CLDR names: "en_GB",
// "fr") from the CLDR common folder dir. A value the locale's file lacks is
// inherited from its parent locale ("en" for "en_GB"), as CLDR specifies.
func Read(dir string, locales ...string) (map[string]Calendar, error) {
	var files []string
	seen := map[string]bool{}
	for _, loc := range locales {
		for l := loc; l != ""; l = parent(l) {
			if !seen[l] {
				seen[l] = true
				files = append(files, filepath.Join(dir, "main", l+".xml"))
			}
		}
	}
	d := &cldr.Decoder{}
	d.SetDirFilter("main")
	d.SetSectionFilter("dates")
	data, err := d.Decode(loader(files))
	if err != nil {
		return nil, fmt.Errorf("CLDR %s: %w", dir, err)
	}
	out := map[string]Calendar{}
	for _, loc := range locales {
		var c Calendar
		for i := range c.Months {
			v, err := inherit(data, loc, func(g *cldr.Calendar) string { return month(g, i+1) })
			if err != nil {
				return nil, err
			}
			c.Months[i] = v
		}
		c.LongDate, err = inherit(data, loc, longDate)
		if err != nil {
			return nil, err
		}
		out[loc] = c
	}
	return out, nil
}

func parent(loc string) string {
	if i := strings.LastIndexByte(loc, '_'); i > 0 {
		return loc[:i]
	}
	return ""
}

// inherit reads a value from the locale's Gregorian calendar, or from its
// parents'.
func inherit(data *cldr.CLDR, loc string, get func(*cldr.Calendar) string) (string, error) {
	for l := loc; l != ""; l = parent(l) {
		ldml := data.RawLDML(l)
		if ldml == nil || ldml.Dates == nil || ldml.Dates.Calendars == nil {
			continue
		}
		for _, g := range ldml.Dates.Calendars.Calendar {
			if g.Type == "gregorian" {
				if v := get(g); v != "" {
					return v, nil
				}
			}
		}
	}
	return "", fmt.Errorf("CLDR: %s has no value in its Gregorian calendar", loc)
}

func month(g *cldr.Calendar, n int) string {
	if g.Months == nil {
		return ""
	}
	for _, ctx := range g.Months.MonthContext {
		if ctx.Type != "format" {
			continue
		}
		for _, w := range ctx.MonthWidth {
			if w.Type != "wide" {
				continue
			}
			for _, m := range w.Month {
				if m.Type == strconv.Itoa(n) && m.Alt == "" && m.Yeartype == "" {
					return m.Data()
				}
			}
		}
	}
	return ""
}

func longDate(g *cldr.Calendar) string {
	if g.DateFormats == nil {
		return ""
	}
	for _, l := range g.DateFormats.DateFormatLength {
		if l.Type != "long" {
			continue
		}
		for _, f := range l.DateFormat {
			for _, p := range f.Pattern {
				if p.Alt == "" {
					return p.Data()
				}
			}
		}
	}
	return ""
}

type loader []string

func (l loader) Len() int          { return len(l) }
func (l loader) Path(i int) string { return l[i] }
func (l loader) Reader(i int) (io.ReadCloser, error) {
	return os.Open(l[i])
}
