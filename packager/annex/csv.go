package annex

import (
	"bufio"
	"io"
	"strings"
)

// formulaTrigger reports whether a spreadsheet program that opens a CSV
// would treat a field starting with b as a formula (OWASP "CSV Injection").
func formulaTrigger(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// escapeCSVFormula prefixes a field with a single quote when a spreadsheet
// would evaluate it. A field that already starts with quotes followed by a
// trigger gets one more quote, so UnescapeCSVField can always undo this
// exactly: the mapping is reversible, and the original stays in case.json.
func escapeCSVFormula(s string) string {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i < len(s) && formulaTrigger(s[i]) {
		return "'" + s
	}
	return s
}

// UnescapeCSVField returns the value a CSV twin field stands for: it removes
// the single quote that the writer put in front of a field a spreadsheet
// would evaluate as a formula. Fields of number and date columns
// are never escaped; calling it on them returns them unchanged.
func UnescapeCSVField(s string) string {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i > 0 && i < len(s) && formulaTrigger(s[i]) {
		return s[1:]
	}
	return s
}

// csvWriter writes RFC 4180 records with CRLF line ends. It does not use
// encoding/csv: with UseCRLF that package rewrites a line feed inside a
// quoted field as CRLF and drops a lone CR, so the twin would not hold the
// sheet's text byte for byte.
type csvWriter struct {
	w *bufio.Writer
}

func newCSVWriter(w io.Writer) *csvWriter {
	return &csvWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (c *csvWriter) write(fields []string) error {
	for i, f := range fields {
		if i > 0 {
			c.w.WriteByte(',')
		}
		if !needsQuotes(f) {
			c.w.WriteString(f)
			continue
		}
		c.w.WriteByte('"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				c.w.WriteString(f)
				break
			}
			c.w.WriteString(f[:j+1])
			c.w.WriteByte('"')
			f = f[j+1:]
		}
		c.w.WriteByte('"')
	}
	_, err := c.w.WriteString("\r\n")
	return err
}

func (c *csvWriter) flush() error { return c.w.Flush() }

// needsQuotes quotes what RFC 4180 requires (comma, quote, CR, LF) and
// fields with leading or trailing spaces, which some readers trim.
func needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f[0] == ' ' || f[len(f)-1] == ' ' {
		return true
	}
	// A loop, not strings.ContainsAny, which builds its set of bytes on
	// every call: this runs for every field of every row.
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
