package main

import (
	"errors"
	"testing"
)

func TestPlainMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"co-sign: open sg/X.zip: permission denied; nothing was added", "sg/X.zip: permission denied; nothing was added"},
		{"packager: write data/case/case.json: write out/.LV_confidential.tmp-123/data/case/case.json: no space left on device", "data/case/case.json: out/LV_confidential/data/case/case.json: the disk is full"},
		{"create /proc/x: /proc/x: no such file or directory", "/proc/x: no such file or directory"},
		{"nope.txt: nope.txt: no such file or directory", "nope.txt: no such file or directory"},
		{"create /d/x.pdf: /d/.x.pdf.2400796059.tmp: no such file or directory", "/d/x.pdf: no such file or directory"},
		{`Required flag "out" not set`, "missing --out (required)"},
		{`invalid value "abc" for flag -workers: strconv.ParseInt: parsing "abc": invalid syntax`, `invalid value "abc" for flag -workers: not a whole number: "abc"`},
		{"inspect /tmp: openat bag-info.txt: no such file or directory", "inspect /tmp: bag-info.txt: no such file or directory"},
		{"a sign: b", "a sign: b"},
		{"cannot be read: openat data/annexes/csv/units.csv: permission denied", "cannot be read: data/annexes/csv/units.csv: permission denied"},
	} {
		if got := plainMessage(errors.New(tc.in)); got != tc.want {
			t.Errorf("plainMessage(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
