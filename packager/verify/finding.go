package verify

import (
	"cmp"
	"encoding/json"
	"slices"
)

// Code is a stable finding code. The table below is the one place codes are
// defined; packager/FORMAT.md documents it.
type Code string

// Finding codes. Every finding is an error unless noted.
const (
	CodeBagit            Code = "CP-BAG-BAGIT"                 // bagit.txt missing, unreadable or not BagIt 1.0 / UTF-8
	CodeBagInfo          Code = "CP-BAG-INFO"                  // bag-info.txt unreadable, or (warning) no Payload-Oxum
	CodeOxum             Code = "CP-BAG-OXUM"                  // Payload-Oxum disagrees with the payload found
	CodeMissing          Code = "CP-BAG-MISSING"               // a file listed (or required) is not in the package
	CodeExtra            Code = "CP-BAG-EXTRA"                 // a file is in the package but in no manifest
	CodeModified         Code = "CP-BAG-MODIFIED"              // a file's digest disagrees with every manifest that lists it
	CodeManifestModified Code = "CP-BAG-MANIFEST-MODIFIED"     // a manifest line disagrees with the file and with the other algorithm's manifest
	CodeManifestSyntax   Code = "CP-BAG-MANIFEST-SYNTAX"       // a manifest line cannot be read, or the manifest is too large
	CodeManifestNoncanon Code = "CP-BAG-MANIFEST-NONCANONICAL" // warning: readable but not in casepack's one byte form
	CodePathUnsafe       Code = "CP-BAG-PATH-UNSAFE"           // a path that is absolute, has "..", a backslash, a symlink, or is in the wrong manifest
	CodePathCollision    Code = "CP-BAG-PATH-COLLISION"        // duplicate path, or two paths equal after case folding / NFC
	CodeUnreadable       Code = "CP-BAG-UNREADABLE"            // a file could not be read
	CodeZipUnsafe        Code = "CP-ZIP-UNSAFE"                // a ZIP entry is a symlink, escapes or lies outside the top folder, is duplicated, declares an impossible size, or cannot be read as declared
	CodeCasepackManifest Code = "CP-CASEPACK-MANIFEST"         // casepack/manifest.json unreadable or of an unknown format
	CodeCasepackMismatch Code = "CP-CASEPACK-MISMATCH"         // casepack/manifest.json disagrees with the BagIt manifests or the files
	CodeCasepackWithheld Code = "CP-CASEPACK-WITHHELD"         // a file marked withheld is present in the package
)

// Codes lists every finding code Verify and Open produce, in table order.
func Codes() []Code {
	return []Code{CodeBagit, CodeBagInfo, CodeOxum, CodeMissing, CodeExtra, CodeModified, CodeManifestModified,
		CodeManifestSyntax, CodeManifestNoncanon, CodePathUnsafe, CodePathCollision, CodeUnreadable, CodeZipUnsafe,
		CodeCasepackManifest, CodeCasepackMismatch, CodeCasepackWithheld}
}

// Severity of a finding. Only errors make a package not intact.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one fact about a package. Path is slash-separated and relative
// to the package's top folder (for ZIP entries, the entry name as stored).
// Expected and Actual carry digests (or sizes, counts) when the finding is a
// disagreement; Algorithm names the digest algorithm they are in.
type Finding struct {
	Code      Code     `json:"code"`
	Severity  Severity `json:"severity"`
	Path      string   `json:"path,omitempty"`
	Message   string   `json:"message"`
	Expected  string   `json:"expected,omitempty"`
	Actual    string   `json:"actual,omitempty"`
	Algorithm string   `json:"algorithm,omitempty"`
}

// Report is the outcome of Verify. It marshals to JSON as
//
//	{"package": …, "kind": "folder"|"zip", "intact": bool,
//	 "files_checked": n, "bytes_checked": n, "findings": [Finding…]}
type Report struct {
	Package  string    `json:"package"`
	Kind     string    `json:"kind"`
	Files    int       `json:"files_checked"`
	Bytes    int64     `json:"bytes_checked"`
	Findings []Finding `json:"findings"`
}

// Intact reports whether the package passed: no finding is an error.
func (r *Report) Intact() bool {
	return !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Severity == Error })
}

// Errors returns the error findings.
func (r *Report) Errors() []Finding { return r.filter(Error) }

// Warnings returns the warning findings.
func (r *Report) Warnings() []Finding { return r.filter(Warning) }

func (r *Report) filter(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// Add merges findings from other checks (signatures) and keeps the order
// stable: by path, then code, then message.
func (r *Report) Add(fs ...Finding) {
	r.Findings = append(r.Findings, fs...)
	sortFindings(r.Findings)
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
}

// MarshalJSON adds the computed "intact" field and writes [] for no findings.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(*r)
	if p.Findings == nil {
		p.Findings = []Finding{}
	}
	return json.Marshal(struct {
		plain
		Intact bool `json:"intact"`
	}{p, r.Intact()})
}
