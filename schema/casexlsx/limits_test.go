package casexlsx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// TestSheetLimits: a sheet with more text or more cells than a case can
// hold is refused with a finding that names it, not held in memory.
func TestSheetLimits(t *testing.T) {
	book := minimalWorkbook(t)
	for _, tc := range []struct {
		name  string
		limit *int
		value int
		want  string
	}{
		{"cells", &maxSheetCells, 3, "cells, more than a case can"},
		{"text", &maxSheetText, 8, "of text, more than a case can"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := *tc.limit
			*tc.limit = tc.value
			defer func() { *tc.limit = old }()
			doc, fs := Read(bytes.NewReader(book), int64(len(book)))
			if doc.Value != nil {
				t.Errorf("the workbook was read despite the limit")
			}
			if len(fs) != 1 || fs[0].Code != finding.XLSXRead || fs[0].Sheet == "" || !strings.Contains(fs[0].Message, tc.want) {
				t.Errorf("want one %s finding naming a sheet and saying %q, got %+v", finding.XLSXRead, tc.want, fs)
			}
		})
	}
	if doc, fs := Read(bytes.NewReader(book), int64(len(book))); doc.Value == nil || len(fs) > 0 {
		t.Errorf("the minimal workbook is not read within the limits: %v", fs)
	}
}
