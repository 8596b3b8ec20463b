package packager

import (
	"errors"
	"testing"

	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/verify"
)

// TestVerdictUnreadable: a package whose only errors are files the reader
// could not read is "cannot read" (exit 1), naming the file and saying the
// package is not verified; any other error makes it a failed verification
// (exit 4), the unreadable files included.
func TestVerdictUnreadable(t *testing.T) {
	unread := finding.Finding{Code: finding.BagUnreadable, Severity: finding.Error, Path: "data/evidence/EV-0001/a.mp4", Message: "cannot be read: permission denied"}
	other := finding.Finding{Code: finding.BagUnreadable, Severity: finding.Error, Path: "data/b.pdf", Message: "cannot be read: permission denied"}
	changed := finding.Finding{Code: finding.BagModified, Severity: finding.Error, Path: "data/c.pdf", Message: "changed"}
	warning := finding.Finding{Code: finding.BagPathUnsafe, Severity: finding.Warning, Path: "x", Message: "a warning"}
	tests := []struct {
		name     string
		findings []finding.Finding
		class    fault.Class
		msg      string
	}{
		{"intact", []finding.Finding{warning}, 0, ""},
		{"one unreadable", []finding.Finding{unread, warning}, fault.Operational,
			"out/PKG: data/evidence/EV-0001/a.mp4 cannot be read: permission denied; nothing else was found wrong, but the package is not verified until every file can be read"},
		{"two unreadable", []finding.Finding{unread, other}, fault.Operational,
			"out/PKG: data/evidence/EV-0001/a.mp4 cannot be read: permission denied (and 1 more); nothing else was found wrong, but the package is not verified until every file can be read"},
		{"unreadable and changed", []finding.Finding{unread, changed}, fault.Verification, ErrVerifyFailed.Error()},
	}
	for _, tt := range tests {
		rep := &verify.Report{Package: "out/PKG", Findings: tt.findings}
		err := verdict(&VerifyReport{Intact: rep.Intact(), Integrity: rep})
		if got := fault.ClassOf(err); (err == nil) != (tt.class == 0) || err != nil && got != tt.class {
			t.Errorf("%s: %v (class %v), want class %v", tt.name, err, got, tt.class)
		}
		if err != nil && err.Error() != tt.msg {
			t.Errorf("%s: message %q\nwant %q", tt.name, err, tt.msg)
		}
		if tt.class == fault.Operational && (errors.Is(err, ErrVerifyFailed) || fault.HintOf(err) != "check the files' permissions and the disk, then verify again") {
			t.Errorf("%s: %v, hint %q", tt.name, err, fault.HintOf(err))
		}
	}
}
