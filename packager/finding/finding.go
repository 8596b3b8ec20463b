// Package finding owns the one model of a problem that casepack reports about
// case data (validate, build), a package (verify) or its signatures: the
// Finding type, its Severity, the stable Code and the one table of every
// code (codes.go), which README.md and packager/FORMAT.md are generated from.
//
// It is a leaf: it imports only the standard library, so every casepack
// package may use it, the schema included.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity of a finding. Errors make a case invalid (exit 3) or a package
// fail verification (exit 4); warnings are reported and change nothing.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Code is a stable finding code such as CP-HASH-MISMATCH. Scripts, fixtures
// and documentation depend on codes: they are never renamed or reused.
type Code string

// Finding is one problem, located where the user can find it. A finding is
// about case data (File with Line and Column, Pointer; or Sheet and Cell in a
// workbook) or about a package (Path). Empty fields are left out of its JSON
// form, which packager/FORMAT.md documents.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`

	// File is the case file the finding is in, as the user named it.
	File string `json:"file,omitempty"`
	// Line and Column are 1-based; Column counts characters, as editors do.
	// Zero when the finding has no position in a text file.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Sheet and Cell locate a finding in a workbook ("Persons", "E7");
	// Field is the column (or, on a sheet of label/value rows, the label)
	// the cell is under ("age").
	Sheet string `json:"sheet,omitempty"`
	Cell  string `json:"cell,omitempty"`
	Field string `json:"field,omitempty"`
	// Pointer is the RFC 6901 JSON pointer of the value in the case data
	// ("" is the whole case).
	Pointer string `json:"pointer,omitempty"`

	// Path is a slash-separated path inside a package, relative to its top
	// folder (for a ZIP entry refused outside it, the name as stored).
	Path string `json:"path,omitempty"`

	Message string `json:"message"`
	// Hint says what to do about it, when there is something to say.
	Hint string `json:"hint,omitempty"`

	// Expected and Actual carry the two sides of a disagreement (digests,
	// sizes, counts); Algorithm names the digest algorithm they are in.
	Expected  string `json:"expected,omitempty"`
	Actual    string `json:"actual,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
}

// New makes a finding with the severity the table gives code.
func New(code Code, message, hint string) Finding {
	return Finding{Code: code, Severity: SeverityOf(code), Message: message, Hint: hint}
}

// At makes a finding about Path p inside a package, with the table's
// severity for code.
func At(code Code, p, message, hint string) Finding {
	f := New(code, message, hint)
	f.Path = p
	return f
}

// Location is where the finding is, as a user reads it: a path inside a
// package, "file:line:column: pointer" in a text file ("file:line: pointer"
// when the column is not known), or "file: Sheet!Cell (field)" in a
// workbook. It is "" when the finding has no location.
func (f Finding) Location() string {
	switch {
	case f.Path != "":
		return f.Path
	case f.Sheet != "":
		loc := f.Sheet
		if f.Cell != "" {
			loc += "!" + f.Cell
		}
		if f.Field != "" {
			loc += " (" + f.Field + ")"
		}
		if f.File != "" {
			loc = f.File + ": " + loc
		}
		return loc
	case f.File != "":
		ptr := f.Pointer
		if ptr == "" {
			ptr = "/"
		}
		switch {
		case f.Line == 0:
			return fmt.Sprintf("%s: %s", f.File, ptr)
		case f.Column == 0:
			return fmt.Sprintf("%s:%d: %s", f.File, f.Line, ptr)
		}
		return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Column, ptr)
	}
	return f.Pointer
}

// String renders the finding on one line: "location: message [CODE]".
func (f Finding) String() string {
	if loc := f.Location(); loc != "" {
		return fmt.Sprintf("%s: %s [%s]", loc, f.Message, f.Code)
	}
	return fmt.Sprintf("%s [%s]", f.Message, f.Code)
}

// Sort orders findings by where they are (file, line, column, workbook
// cell, package path, pointer), then by code and message, so that output is
// the same from run to run.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, Compare)
}

// Compare is the order Sort uses.
func Compare(a, b Finding) int {
	return cmp.Or(
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		strings.Compare(a.Sheet, b.Sheet),
		compareCells(a.Cell, b.Cell),
		strings.Compare(a.Path, b.Path),
		strings.Compare(a.Pointer, b.Pointer),
		strings.Compare(string(a.Code), string(b.Code)),
		strings.Compare(a.Message, b.Message),
	)
}

// compareCells orders A1-style cell names by row, then column, so that E7
// comes before E10 and a row is read left to right.
func compareCells(a, b string) int {
	if a == b {
		return 0
	}
	split := func(c string) (col string, row string) {
		i := strings.IndexFunc(c, func(r rune) bool { return r >= '0' && r <= '9' })
		if i < 0 {
			return c, ""
		}
		return c[:i], c[i:]
	}
	ac, ar := split(a)
	bc, br := split(b)
	return cmp.Or(
		cmp.Compare(len(ar), len(br)), strings.Compare(ar, br),
		cmp.Compare(len(ac), len(bc)), strings.Compare(ac, bc),
	)
}

// Count returns how many of fs are errors and how many warnings.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// HasErrors reports whether any of fs is an error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}

// Filter returns the findings of severity s, in order.
func Filter(fs []Finding, s Severity) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}
