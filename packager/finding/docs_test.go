package finding

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the code tables in README.md and packager/FORMAT.md from Table")

const (
	beginMark = "<!-- finding codes: generated from packager/finding/codes.go by `go test ./packager/finding -update`; edit there -->\n"
	endMark   = "<!-- end of finding codes -->\n"
)

// markdown renders the rows of Table in the given scopes.
func markdown(withAt bool, scopes ...Scope) string {
	var b strings.Builder
	if withAt {
		b.WriteString("| code | severity | path names | meaning |\n|---|---|---|---|\n")
	} else {
		b.WriteString("| code | severity | meaning |\n|---|---|---|\n")
	}
	for _, i := range Table {
		in := false
		for _, s := range scopes {
			in = in || i.Scope == s
		}
		if !in {
			continue
		}
		sev := string(i.Severity)
		if i.Also != "" {
			sev += " / " + string(i.Also)
		}
		if withAt {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", i.Code, sev, i.At, i.Meaning)
		} else {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", i.Code, sev, i.Meaning)
		}
	}
	return b.String()
}

// TestDocsTables: the tables in README.md (case data) and packager/FORMAT.md
// (packages, signatures) are the ones Table renders; -update rewrites them.
func TestDocsTables(t *testing.T) {
	for _, d := range []struct {
		file  string
		table string
	}{
		{"../../README.md", markdown(false, Case)},
		{"../FORMAT.md", markdown(true, Package, Signature)},
		{"../../docs/ARCHIVE.md", markdown(true, Archive)},
	} {
		b, err := os.ReadFile(d.file)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		i := strings.Index(doc, beginMark)
		j := strings.Index(doc, endMark)
		if i < 0 || j < i {
			t.Fatalf("%s: no generated code table (between %q and %q)", d.file, beginMark, endMark)
		}
		got := doc[i+len(beginMark) : j]
		if got == d.table {
			continue
		}
		if *update {
			if err := os.WriteFile(d.file, []byte(doc[:i+len(beginMark)]+d.table+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: the code table differs from packager/finding/codes.go; run go test ./packager/finding -update\n--- in the file:\n%s--- from the table:\n%s", d.file, got, d.table)
	}
}
