package verify

import (
	"encoding/json"

	"github.com/casepack/casepack/packager/finding"
)

// Report is the outcome of Verify. Its findings use the one model and code
// table of packager/finding. It marshals to JSON as
//
//	{"package": …, "kind": "folder"|"zip", "format": "casepack"|"bagit",
//	 "bagit_version": "1.0" (another tool's bag only), "intact": bool,
//	 "files_checked": n, "bytes_checked": n, "findings": [Finding…]}
type Report struct {
	Package string `json:"package"`
	Kind    string `json:"kind"`
	// Format says what was verified: a casepack package, or a bag another
	// tool made (FormatBagIt), checked by RFC 8493's rules only.
	Format       string            `json:"format"`
	BagItVersion string            `json:"bagit_version,omitempty"`
	Files        int               `json:"files_checked"`
	Bytes        int64             `json:"bytes_checked"`
	Findings     []finding.Finding `json:"findings"`
}

// The formats of Report.Format.
const (
	FormatCasepack = "casepack"
	FormatBagIt    = "bagit"
)

// PlainBag reports whether the bag verified is not a casepack package.
func (r *Report) PlainBag() bool { return r.Format == FormatBagIt }

// Intact reports whether the package passed: no finding is an error.
func (r *Report) Intact() bool { return !finding.HasErrors(r.Findings) }

// Errors returns the error findings.
func (r *Report) Errors() []finding.Finding { return finding.Filter(r.Findings, finding.Error) }

// Warnings returns the warning findings.
func (r *Report) Warnings() []finding.Finding { return finding.Filter(r.Findings, finding.Warning) }

// Add merges findings from other checks (signatures) and keeps the order
// stable: by path, then code, then message.
func (r *Report) Add(fs ...finding.Finding) {
	r.Findings = append(r.Findings, fs...)
	finding.Sort(r.Findings)
}

// MarshalJSON adds the computed "intact" field and writes [] for no findings.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(*r)
	if p.Findings == nil {
		p.Findings = []finding.Finding{}
	}
	return json.Marshal(struct {
		plain
		Intact bool `json:"intact"`
	}{p, r.Intact()})
}
