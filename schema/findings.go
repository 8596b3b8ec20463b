package schema

import (
	"github.com/casepack/casepack/packager/finding"
)

// Findings are packager/finding's: one model and one code table for
// validate, verify and sign. The schema adds only the means to locate a
// finding in the case file.

// findingError lets a finding travel as an error inside the parser.
type findingError struct{ f finding.Finding }

func (e *findingError) Error() string { return e.f.String() }

func (d *Document) finding(code finding.Code, off int, ptr, msg, hint string) finding.Finding {
	line, col := d.position(off)
	return finding.Finding{Code: code, Severity: finding.SeverityOf(code), File: d.Path, Line: line, Column: col, Pointer: ptr, Message: msg, Hint: hint}
}

// NewFinding makes a finding about the value at pointer ptr, located at its
// line and column (for checks made outside Validate, such as the digest
// comparison a build makes while it copies).
func (d *Document) NewFinding(code finding.Code, ptr, msg, hint string) finding.Finding {
	fs := []finding.Finding{{Code: code, Severity: finding.SeverityOf(code), File: d.Path, Pointer: ptr, Message: msg, Hint: hint}}
	d.locate(fs, nil, nil, nil)
	return fs[0]
}
