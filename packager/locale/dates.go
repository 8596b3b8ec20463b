package locale

import (
	"strconv"
	"strings"
	"time"
)

// precision of a date as written in case data.
type precision int

const (
	invalid precision = iota
	year
	month
	day
	moment
)

// parseWhen reads a date as the case data writes it ("2021", "2021-01",
// "2021-01-08", "2021-01-08T07:30-04:00" or a full RFC 3339 timestamp).
func parseWhen(s string) (time.Time, precision) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 4:
		if t, err := time.Parse("2006", s); err == nil {
			return t, year
		}
	case 7:
		if t, err := time.Parse("2006-01", s); err == nil {
			return t, month
		}
	case 10:
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, day
		}
	}
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, moment
		}
	}
	return time.Time{}, invalid
}

// Month is the month's name as used inside a date: "January", "janvier".
func (l *Lang) Month(m time.Month) string { return l.cal.months[m-1] }

// day writes a calendar day: "8 January 2021", "1er janvier 2021",
// "8 de enero de 2021".
func (l *Lang) day(t time.Time) string {
	return l.T("date.day", "day", l.T("date.dom", "n", t.Day()), "month", l.Month(t.Month()), "year", strconv.Itoa(t.Year()))
}

// DateOf writes the calendar day of t in long form.
func (l *Lang) DateOf(t time.Time) string { return l.day(t) }

// Date writes a date of the case data in long form, as precise as it is
// known: "8 January 2021", "January 2021", "2021", or "8 January 2021,
// 07:30 (UTC−04:00)". A value that is not a date is returned as it is.
func (l *Lang) Date(s string) string {
	t, p := parseWhen(s)
	switch p {
	case year:
		return strconv.Itoa(t.Year())
	case month:
		return l.T("date.month", "month", l.Month(t.Month()), "year", strconv.Itoa(t.Year()))
	case day:
		return l.day(t)
	case moment:
		return l.moment(t)
	}
	return strings.TrimSpace(s)
}

// OnDate writes a date with its preposition: "on 8 January 2021", "in
// January 2021", "in 2021"; "le 8 janvier 2021", "en janvier 2021".
func (l *Lang) OnDate(s string) string {
	d := l.Date(s)
	if _, p := parseWhen(s); p == month || p == year {
		return l.T("date.in", "date", d)
	}
	return l.T("date.on", "date", d)
}

func (l *Lang) moment(t time.Time) string {
	return l.T("date.moment", "date", l.day(t), "time", t.Format("15:04"), "zone", zone(t))
}

func zone(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	return "UTC" + sign + pad2(off/3600) + ":" + pad2(off%3600/60)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// DateRange writes a period: "6–9 January 2021", "30 January – 2 February
// 2021", "8 January 2021, 06:30–09:00 (UTC−04:00)", or the two dates
// joined by a dash.
func (l *Lang) DateRange(a, b string) string {
	if strings.TrimSpace(b) == "" || a == b {
		return l.Date(a)
	}
	ta, pa := parseWhen(a)
	tb, pb := parseWhen(b)
	if pa == moment && pb == moment && a[:10] == b[:10] && zone(ta) == zone(tb) {
		return l.T("date.range.times", "date", l.day(ta), "from", ta.Format("15:04"), "to", tb.Format("15:04"), "zone", zone(ta))
	}
	if pa == day && pb == day && ta.Year() == tb.Year() {
		y := strconv.Itoa(ta.Year())
		if ta.Month() == tb.Month() {
			return l.T("date.range.days", "from", l.T("date.dom", "n", ta.Day()), "to", l.T("date.dom", "n", tb.Day()),
				"month", l.Month(ta.Month()), "year", y)
		}
		return l.T("date.range.months", "from", l.T("date.dom", "n", ta.Day()), "from_month", l.Month(ta.Month()),
			"to", l.T("date.dom", "n", tb.Day()), "to_month", l.Month(tb.Month()), "year", y)
	}
	return l.T("date.range", "from", l.Date(a), "to", l.Date(b))
}
