package packager

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/packager/verify"
)

func TestBuildVerifyRoundTrip(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{res.Dir, res.Zip} {
		pkg, err := verify.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := verify.Verify(context.Background(), pkg, verify.Options{})
		pkg.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Intact() || len(rep.Findings) != 0 {
			t.Errorf("%s: not clean: %+v", p, rep.Findings)
		}
	}
	if got, want := listDir(t, out), []string{"LV-2021-001_confidential", "LV-2021-001_confidential.zip"}; !equal(got, want) {
		t.Errorf("out dir = %q, want %q", got, want)
	}
	if d := os.Getenv("CASEPACK_KEEP"); d != "" { os.CopyFS(filepath.Join(d, "bag"), os.DirFS(res.Dir)) }
	_ = filepath.Join
	_ = os.Stat
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
