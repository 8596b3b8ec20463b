package locale

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/locale/internal/cldrdata"
)

func TestDates(t *testing.T) {
	const nb = "\u00a0"
	tests := []struct {
		lang, a, b, want string
	}{
		{"en", "2021-01-08", "", "8" + nb + "January 2021"},
		{"en", "2021-01", "", "January 2021"},
		{"en", "2021", "", "2021"},
		{"en", "2021-01-08T07:30:00-04:00", "", "8" + nb + "January 2021, 07:30 (UTC−04:00)"},
		{"en", "2021-01-08T07:30Z", "", "8" + nb + "January 2021, 07:30 (UTC)"},
		{"en", "2021-01-06", "2021-01-09", "6–9" + nb + "January 2021"},
		{"en", "2021-01-30", "2021-02-02", "30" + nb + "January – 2" + nb + "February 2021"},
		{"en", "2020-12-30", "2021-01-02", "30" + nb + "December 2020 – 2" + nb + "January 2021"},
		{"en", "2021-01-08T06:30:00-04:00", "2021-01-08T09:00:00-04:00", "8" + nb + "January 2021, 06:30–09:00 (UTC−04:00)"},
		{"en", "not a date", "", "not a date"},
		{"fr", "2021-01-08", "", "8" + nb + "janvier 2021"},
		{"fr", "2021-01-01", "", "1er" + nb + "janvier 2021"},
		{"fr", "2021-08", "", "août 2021"},
		{"fr", "2021-01-08T07:30:00-04:00", "", "8" + nb + "janvier 2021 à 07:30 (UTC−04:00)"},
		{"fr", "2021-01-30", "2021-02-02", "30" + nb + "janvier – 2" + nb + "février 2021"},
		{"es", "2021-01-08", "", "8 de enero de 2021"},
		{"es", "2021-01", "", "enero de 2021"},
		{"es", "2021-01-06", "2021-01-09", "6–9 de enero de 2021"},
		{"es", "2021-01-30", "2021-02-02", "30 de enero – 2 de febrero de 2021"},
	}
	for _, tc := range tests {
		if got := Must(tc.lang).DateRange(tc.a, tc.b); got != tc.want {
			t.Errorf("%s DateRange(%q, %q) = %q, want %q", tc.lang, tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct{ lang, d, want string }{
		{"en", "2021-01-08", "on 8" + nb + "January 2021"}, {"en", "2021-01", "in January 2021"},
		{"fr", "2021-01-08", "le 8" + nb + "janvier 2021"}, {"fr", "2021", "en 2021"},
		{"es", "2021-01-08", "el 8 de enero de 2021"}, {"es", "2021-01", "en enero de 2021"},
	} {
		if got := Must(tc.lang).OnDate(tc.d); got != tc.want {
			t.Errorf("%s OnDate(%q) = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

// cldr_tables.go is what internal/gencldr makes of the CLDR files, and the
// catalogue's order of day, month and year is CLDR's long date pattern.
// The CLDR files come with Debian's unicode-cldr-core (installed by
// .ci/run): a local run without them skips, CI fails.
func TestCLDRTables(t *testing.T) {
	if _, err := os.Stat(cldrdata.Dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI requires unicode-cldr-core: see .ci/run)", cldrdata.Dir)
		}
		t.Skipf("%s is missing; install unicode-cldr-core to run this test", cldrdata.Dir)
	}
	var locales []string
	for _, l := range cldrLocale {
		locales = append(locales, l)
	}
	cals, err := cldrdata.Read(cldrdata.Dir, locales...)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2021, 1, 8, 0, 0, 0, 0, time.UTC)
	for lang, loc := range cldrLocale {
		c := cals[loc]
		if c.Months != cldrCalendar[lang].months || c.LongDate != cldrCalendar[lang].longDate {
			t.Errorf("%s: cldr_tables.go differs from CLDR %s: run go generate ./packager/locale", lang, loc)
		}
		want := formatPattern(c.LongDate, day, c.Months)
		got := strings.ReplaceAll(Must(lang).DateOf(day), "\u00a0", " ")
		if got != want {
			t.Errorf("%s: date.day writes %q; CLDR's long date pattern %q gives %q", lang, got, c.LongDate, want)
		}
	}
}

// formatPattern applies the few fields of a CLDR date pattern a long date
// uses: d, MMMM, y and 'quoted' literals.
func formatPattern(p string, t time.Time, months [12]string) string {
	var b strings.Builder
	for i := 0; i < len(p); {
		switch {
		case p[i] == '\'':
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				j = len(p) - i - 1
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
		case strings.HasPrefix(p[i:], "MMMM"):
			b.WriteString(months[t.Month()-1])
			i += 4
		case p[i] == 'd':
			b.WriteString(strconv.Itoa(t.Day()))
			i++
		case p[i] == 'y':
			b.WriteString(strconv.Itoa(t.Year()))
			i++
		default:
			b.WriteByte(p[i])
			i++
		}
	}
	return b.String()
}
