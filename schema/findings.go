package schema

import (
	"fmt"
	"sort"
)

// Severity of a finding. Errors make the case invalid (exit 3); warnings are
// reported but do not stop a build.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem found in a case. Its fields are the documented JSON
// form of `casepack validate --format json`.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Pointer  string   `json:"pointer"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`

	offset int // byte offset in the file, for sorting
}

// Error lets a Finding travel as an error inside the parser.
func (f *Finding) Error() string { return f.String() }

// String renders the finding as one line: file:line:col: pointer: message.
func (f Finding) String() string {
	ptr := f.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, f.Line, f.Column, ptr, f.Message, f.Code)
}

// The finding codes. They are stable: tools and fixtures depend on them, and
// Codes documents each one (README, `casepack validate --codes`).
const (
	CodeJSONSyntax   = "CP-JSON-SYNTAX"
	CodeJSONDupKey   = "CP-JSON-DUPKEY"
	CodeJSONUTF8     = "CP-JSON-UTF8"
	CodeJSONTrailing = "CP-JSON-TRAILING"
	CodeJSONTooBig   = "CP-JSON-TOOBIG"
	CodeJSONDepth    = "CP-JSON-DEPTH"

	CodeSchemaRequired = "CP-SCHEMA-REQUIRED"
	CodeSchemaUnknown  = "CP-SCHEMA-UNKNOWN"
	CodeSchemaType     = "CP-SCHEMA-TYPE"
	CodeSchemaEnum     = "CP-SCHEMA-ENUM"
	CodeSchemaFormat   = "CP-SCHEMA-FORMAT"
	CodeSchemaPattern  = "CP-SCHEMA-PATTERN"
	CodeSchemaRange    = "CP-SCHEMA-RANGE"
	CodeSchemaLength   = "CP-SCHEMA-LENGTH"
	CodeSchemaUnique   = "CP-SCHEMA-UNIQUE"
	CodeSchemaOther    = "CP-SCHEMA-OTHER"

	CodeIDDuplicate   = "CP-ID-DUPLICATE"
	CodeRefDangling   = "CP-REF-DANGLING"
	CodeRefRole       = "CP-REF-ROLE"
	CodeCiteDangling  = "CP-CITE-DANGLING"
	CodeCiteLocator   = "CP-CITE-LOCATOR"
	CodeCitePinpoint  = "CP-CITE-PINPOINT"
	CodeTextHTML      = "CP-TEXT-HTML"
	CodeDateInvalid   = "CP-DATE-INVALID"
	CodeDateOrder     = "CP-DATE-ORDER"
	CodeCustodyOrder  = "CP-CUSTODY-ORDER"
	CodeMinorAge      = "CP-MINOR-AGE"
	CodeDeathOutside  = "CP-DEATH-OUTSIDE"
	CodeFileMissing   = "CP-FILE-MISSING"
	CodeFileNotReg    = "CP-FILE-NOT-REGULAR"
	CodePathUnsafe    = "CP-PATH-UNSAFE"
	CodePathSymlink   = "CP-PATH-SYMLINK"
	CodePathPortable  = "CP-PATH-NONPORTABLE"
	CodeFileClash     = "CP-FILE-CLASH"
	CodePathPercent   = "CP-PATH-PERCENT"
	CodeHashMismatch  = "CP-HASH-MISMATCH"
	CodeEvidenceUncit = "CP-EVIDENCE-UNCITED"
	CodeConsentScope  = "CP-CONSENT-SCOPE"
)

// CodeInfo documents one finding code.
type CodeInfo struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Meaning  string   `json:"meaning"`
}

// Codes is the one table of finding codes, in the order the README lists them.
var Codes = []CodeInfo{
	{CodeJSONSyntax, SeverityError, "case.json is not valid JSON (a missing comma, quote or bracket)"},
	{CodeJSONDupKey, SeverityError, "a property appears twice in one object; JSON readers would silently keep one"},
	{CodeJSONUTF8, SeverityError, "the file is not UTF-8 text"},
	{CodeJSONTrailing, SeverityError, "there is data after the end of the case object"},
	{CodeJSONTooBig, SeverityError, fmt.Sprintf("the file is larger than %d MiB", MaxCaseSize>>20)},
	{CodeJSONDepth, SeverityError, fmt.Sprintf("objects and lists are nested more than %d deep", MaxDepth)},
	{CodeSchemaRequired, SeverityError, "a required field is missing"},
	{CodeSchemaUnknown, SeverityError, "a field the format does not know (often a typo)"},
	{CodeSchemaType, SeverityError, "a value of the wrong kind (text where a number is needed, …)"},
	{CodeSchemaEnum, SeverityError, "a value outside the allowed list"},
	{CodeSchemaFormat, SeverityError, "a malformed date, time, e-mail address or URL"},
	{CodeSchemaPattern, SeverityError, "a value not in the required form (IDs, digests, dates with precision)"},
	{CodeSchemaRange, SeverityError, "a number out of range"},
	{CodeSchemaLength, SeverityError, "text or a list that is empty or too long"},
	{CodeSchemaUnique, SeverityError, "a list that repeats an item"},
	{CodeSchemaOther, SeverityError, "another schema rule"},
	{CodeIDDuplicate, SeverityError, "two items share one ID"},
	{CodeRefDangling, SeverityError, "a reference to an ID that does not exist"},
	{CodeRefRole, SeverityError, "a reference to a person without the role it needs (e.g. a victim ID that is not a victim)"},
	{CodeCiteDangling, SeverityError, "a citation in text ([EV-…] or [RS …]) of evidence or an authority that does not exist"},
	{CodeCiteLocator, SeverityError, "a citation whose pinpoint cannot be read (write [EV-0005 @ 00:01:12], [EV-0025 p. 3], [EV-0026 para. 4])"},
	{CodeCitePinpoint, SeverityWarning, "a pinpoint that does not fit the item: a time in something that is not a recording, past its duration, or a page past its page count"},
	{CodeTextHTML, SeverityError, "raw HTML in a Markdown text of the analysis, which the narrative refuses"},
	{CodeDateInvalid, SeverityError, "a date that does not exist (e.g. 2021-02-30)"},
	{CodeDateOrder, SeverityError, "an end before its start"},
	{CodeCustodyOrder, SeverityError, "custody events out of time order"},
	{CodeMinorAge, SeverityError, "the minor flag disagrees with the age"},
	{CodeDeathOutside, SeverityWarning, "a death outside its incident's dates"},
	{CodeFileMissing, SeverityError, "an evidence file that is not in the case folder"},
	{CodeFileNotReg, SeverityError, "an evidence path that is a folder or a device, not a file"},
	{CodePathUnsafe, SeverityError, "an evidence path that is absolute or leaves the case folder"},
	{CodePathSymlink, SeverityError, "an evidence path through a symbolic link that leads out of the case folder"},
	{CodePathPortable, SeverityError, "a file name Windows or macOS cannot hold"},
	{CodeFileClash, SeverityError, "two files of one item whose names would collide in the package"},
	{CodePathPercent, SeverityWarning, "a file name with '%', which the manifests must write as %25, so sha256sum -c cannot check it by hand"},
	{CodeHashMismatch, SeverityError, "an evidence file whose SHA-256 differs from the one recorded at acquisition"},
	{CodeEvidenceUncit, SeverityWarning, "an evidence item cited nowhere"},
	{CodeConsentScope, SeverityWarning, "evidence covered by a consent that does not allow sharing with the ICC, or was withdrawn"},
}

func (d *Document) finding(code string, off int, ptr, msg, hint string) Finding {
	line, col := d.position(off)
	return Finding{Code: code, Severity: severityOf(code), File: d.Path, Line: line, Column: col, Pointer: ptr, Message: msg, Hint: hint, offset: off}
}

func severityOf(code string) Severity {
	for _, c := range Codes {
		if c.Code == code {
			return c.Severity
		}
	}
	return SeverityError
}

// SortFindings orders findings by position in the file, then by code, so
// output is stable from run to run.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.offset != b.offset {
			return a.offset < b.offset
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}

// Count returns the number of errors and warnings among fs.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == SeverityError {
			errors++
		} else {
			warnings++
		}
	}
	return
}

// NewFinding makes a finding about the value at pointer ptr, located at its
// line and column (for checks made outside Validate, such as the digest
// comparison a build makes while it copies).
func (d *Document) NewFinding(code, ptr, msg, hint string) Finding {
	fs := []Finding{{Code: code, Severity: severityOf(code), File: d.Path, Pointer: ptr, Message: msg, Hint: hint}}
	d.locate(fs, nil, nil)
	return fs[0]
}
