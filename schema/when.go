package schema

import (
	"fmt"
	"regexp"
	"time"
)

// When is a date with its precision, as witnesses know it: a year ("2021"),
// a month ("2021-01"), a day ("2021-01-08") or a moment with its UTC offset
// ("2021-01-08T07:30:00-04:00"). The empty When means "not given".
type When string

// Precision names how much of a When is known.
type Precision string

const (
	PrecisionYear   Precision = "year"
	PrecisionMonth  Precision = "month"
	PrecisionDay    Precision = "day"
	PrecisionMoment Precision = "moment"
)

var whenRE = regexp.MustCompile(`^([0-9]{4})(-([0-9]{2})(-([0-9]{2})(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?$`)

// Range returns the first and last instant the When stands for, and its
// precision. A date without a time is read as a calendar date in UTC; see
// Span for comparisons across time zones.
func (w When) Range() (lo, hi time.Time, p Precision, err error) {
	s := string(w)
	m := whenRE.FindStringSubmatch(s)
	if m == nil {
		return lo, hi, "", fmt.Errorf("%q is not a date: use 2021, 2021-01, 2021-01-08 or 2021-01-08T07:30:00-04:00", s)
	}
	switch {
	case m[6] != "":
		layout := "2006-01-02T15:04Z07:00"
		if m[7] != "" {
			layout = time.RFC3339Nano
		}
		t, err := time.Parse(layout, s)
		if err != nil {
			return lo, hi, "", fmt.Errorf("%q is not a valid time: %v", s, cleanTimeErr(err))
		}
		return t, t, PrecisionMoment, nil
	case m[5] != "":
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return lo, hi, "", fmt.Errorf("%q is not a valid date: %v", s, cleanTimeErr(err))
		}
		return t, t.AddDate(0, 0, 1).Add(-time.Nanosecond), PrecisionDay, nil
	case m[3] != "":
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return lo, hi, "", fmt.Errorf("%q is not a valid month: %v", s, cleanTimeErr(err))
		}
		return t, t.AddDate(0, 1, 0).Add(-time.Nanosecond), PrecisionMonth, nil
	default:
		t, err := time.Parse("2006", s)
		if err != nil {
			return lo, hi, "", fmt.Errorf("%q is not a valid year: %v", s, cleanTimeErr(err))
		}
		return t, t.AddDate(1, 0, 0).Add(-time.Nanosecond), PrecisionYear, nil
	}
}

// Widen stretches a calendar range by the largest UTC offsets (−12:00 …
// +14:00), so that a local date compared with a moment in another zone never
// gives a false "out of order". Moments are returned unchanged.
func Widen(lo, hi time.Time, p Precision) (time.Time, time.Time) {
	if p == PrecisionMoment {
		return lo, hi
	}
	return lo.Add(-14 * time.Hour), hi.Add(12 * time.Hour)
}

// Valid reports whether w is empty or a well-formed When.
func (w When) Valid() bool {
	if w == "" {
		return true
	}
	_, _, _, err := w.Range()
	return err == nil
}

// Time returns the earliest instant w stands for, or the zero time.
func (w When) Time() time.Time {
	lo, _, _, err := w.Range()
	if err != nil {
		return time.Time{}
	}
	return lo
}

// Date returns the calendar date of w as written (the first ten characters,
// or fewer for a month or a year).
func (w When) Date() string {
	if len(w) > 10 {
		return string(w[:10])
	}
	return string(w)
}

func cleanTimeErr(err error) string {
	var pe *time.ParseError
	if e, ok := err.(*time.ParseError); ok {
		pe = e
		if pe.Message != "" {
			return pe.Message[2:] // drop the ": " the time package puts first
		}
		return "out of range"
	}
	return err.Error()
}
