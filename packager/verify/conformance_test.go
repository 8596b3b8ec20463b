package verify

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateConformance = flag.Bool("update-conformance", false, "rewrite testdata/bagit-conformance.golden")

// TestBagItConformanceSuite runs the Library of Congress BagIt conformance
// suite (testdata/bagit-conformance, see its README): every bag under
// valid/ is intact and reported as a plain BagIt bag; every bag under
// invalid/, linux-only/ and windows-only/ fails with at least one error
// naming a file; every bag under warning/ is intact with at least one
// warning. The codes each bag gets are pinned in
// testdata/bagit-conformance.golden (-update-conformance rewrites it).
func TestBagItConformanceSuite(t *testing.T) {
	const root = "testdata/bagit-conformance"
	var got strings.Builder
	versions, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ver := range versions {
		if !ver.IsDir() {
			continue
		}
		cats, _ := os.ReadDir(filepath.Join(root, ver.Name()))
		for _, cat := range cats {
			bags, _ := os.ReadDir(filepath.Join(root, ver.Name(), cat.Name()))
			for _, b := range bags {
				if !b.IsDir() {
					continue
				}
				n++
				name := ver.Name() + "/" + cat.Name() + "/" + b.Name()
				pkg, err := Open(filepath.Join(root, name))
				if err != nil {
					t.Errorf("%s: open: %v", name, err)
					continue
				}
				rep, err := Verify(context.Background(), pkg, Options{})
				pkg.Close()
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				var codes []string
				for _, f := range rep.Findings {
					c := fmt.Sprintf("%s(%s)", f.Code, f.Severity)
					if !slices.Contains(codes, c) {
						codes = append(codes, c)
					}
				}
				slices.Sort(codes)
				fmt.Fprintf(&got, "%s: intact=%v format=%s %s\n", name, rep.Intact(), rep.Format, strings.Join(codes, " "))
				if testing.Verbose() {
					for _, f := range rep.Findings {
						t.Logf("%s: %s %s %s: %s", name, f.Code, f.Severity, f.Path, f.Message)
					}
				}
				if rep.Format != FormatBagIt {
					t.Errorf("%s: format %q, want %q", name, rep.Format, FormatBagIt)
				}
				switch cat.Name() {
				case "valid":
					if !rep.Intact() {
						t.Errorf("%s: a valid bag was rejected: %v", name, rep.Errors())
					}
				case "warning":
					if !rep.Intact() || len(rep.Warnings()) == 0 {
						t.Errorf("%s: want intact with a warning; intact=%v, findings %v", name, rep.Intact(), rep.Findings)
					}
				default: // invalid, linux-only, windows-only
					located := false
					for _, f := range rep.Errors() {
						located = located || f.Path != ""
					}
					if rep.Intact() || !located {
						t.Errorf("%s: an invalid bag was not rejected with a located error: %v", name, rep.Findings)
					}
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d bags found under %s", n, root)
	}
	const golden = "testdata/bagit-conformance.golden"
	if *updateConformance {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("codes differ from %s (-update-conformance rewrites it):\n%s", golden, got.String())
	}
}
