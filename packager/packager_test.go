package packager_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
)

var date = time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)

// fixture builds the minimal case, signed by a fresh key, into a temporary
// folder and returns the package folder and the key's files.
func fixture(t *testing.T) (pkg string, key *packager.KeygenReport) {
	t.Helper()
	dir := t.TempDir()
	key, err := packager.Keygen(filepath.Join(dir, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	signers, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{key.PrivateKey}, Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := packager.Build(context.Background(), minimal, packager.BuildOptions{OutDir: filepath.Join(dir, "out"), Date: date, Signers: signers, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Package.Dir, key
}

func hasCode(fs []finding.Finding, c finding.Code) bool {
	for _, f := range fs {
		if f.Code == c {
			return true
		}
	}
	return false
}

func TestBuildRefusesInvalidCase(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	bad := filepath.Join("..", "schema", "testdata", "invalid", "CP-REF-DANGLING_evidence")
	rep, err := packager.Build(context.Background(), bad, packager.BuildOptions{OutDir: out, Date: date})
	if !errors.Is(err, packager.ErrCaseInvalid) || fault.ClassOf(err) != fault.InvalidCase {
		t.Fatalf("err = %v (class %v)", err, fault.ClassOf(err))
	}
	if rep == nil || !hasCode(rep.Findings, finding.RefDangling) || rep.Package != nil {
		t.Errorf("report %+v", rep)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused build left %s", out)
	}
}

func TestVerifyNamesTheChange(t *testing.T) {
	pkg, key := fixture(t)
	trust, err := packager.LoadTrust([]string{key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := packager.Verify(ctx, pkg, packager.VerifyOptions{Trust: trust}); err != nil {
		t.Fatalf("fresh package: %v", err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "data", "case", "case.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := packager.Verify(ctx, pkg, packager.VerifyOptions{Trust: trust})
	if !errors.Is(err, packager.ErrVerifyFailed) || fault.ClassOf(err) != fault.Verification {
		t.Fatalf("err = %v", err)
	}
	if rep.Intact || !hasCode(rep.Integrity.Findings, finding.BagModified) {
		t.Errorf("findings %v", rep.Integrity.Findings)
	}

	// A co-signer never signs over a changed package.
	signers, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{key.PrivateKey}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = packager.CoSign(ctx, pkg, packager.CoSignOptions{Signers: signers, Date: date})
	if fault.ClassOf(err) != fault.Verification || !strings.Contains(err.Error(), "it was not signed") {
		t.Errorf("co-sign of a changed package: %v", err)
	}
}

func TestVerifyNotAPackage(t *testing.T) {
	rep, err := packager.Verify(context.Background(), t.TempDir(), packager.VerifyOptions{})
	if fault.ClassOf(err) != fault.Verification || errors.Is(err, packager.ErrVerifyFailed) {
		t.Fatalf("err = %v", err)
	}
	if rep == nil || rep.Intact || !hasCode(rep.Integrity.Findings, finding.BagBagit) {
		t.Errorf("report %+v", rep)
	}
	_, err = packager.Verify(context.Background(), filepath.Join(t.TempDir(), "nowhere"), packager.VerifyOptions{})
	if fault.ClassOf(err) != fault.Operational {
		t.Errorf("missing path: %v", err)
	}
}

func TestCoSignAndInspect(t *testing.T) {
	pkg, _ := fixture(t)
	ctx := context.Background()
	bob, err := packager.Keygen(filepath.Join(t.TempDir(), "bob"))
	if err != nil {
		t.Fatal(err)
	}
	signers, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{bob.PrivateKey}, Name: "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{pkg, pkg + ".zip"} {
		var warned []string
		rep, err := packager.CoSign(ctx, p, packager.CoSignOptions{Signers: signers, Date: date, Warn: func(m string) { warned = append(warned, m) }})
		if err != nil {
			t.Fatal(err)
		}
		// The folder and its ZIP are one package: the other one lacks
		// the signature until it is signed too.
		twin := pkg + ".zip"
		if p == twin {
			twin = pkg
		}
		if len(warned) != 1 || !strings.HasPrefix(warned[0], twin+" beside it does not carry the new signature") {
			t.Errorf("%s: warnings %q", p, warned)
		}
		if len(rep.Added) != 1 || rep.Signatures != 2 || rep.Added[0].KeyFingerprint != bob.Fingerprint {
			t.Errorf("%s: %+v", p, rep)
		}
		ins, err := packager.Inspect(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(ins.Signers) != 2 || !ins.Signers[0].Valid || !ins.Signers[1].Valid || ins.Signers[1].Name != "Bob" {
			t.Errorf("%s: inspect %+v", p, ins.Signers)
		}
	}
}

func TestBuildTargetExists(t *testing.T) {
	pkg, _ := fixture(t)
	_, err := packager.Build(context.Background(), minimal, packager.BuildOptions{OutDir: filepath.Dir(pkg), Date: date})
	if !errors.Is(err, assemble.ErrTargetExists) || fault.ClassOf(err) != fault.Operational || fault.HintOf(err) == "" {
		t.Errorf("err = %v, hint %q", err, fault.HintOf(err))
	}
}

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"cert with two keys", func() error {
			_, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{"a", "b"}, Cert: "c"})
			return err
		}},
		{"missing key file", func() error {
			_, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{filepath.Join(dir, "none.key")}})
			return err
		}},
		{"missing trust file", func() error { _, err := packager.LoadTrust([]string{filepath.Join(dir, "none.pem")}); return err }},
		{"bad edition", func() error {
			_, err := packager.Build(ctx, minimal, packager.BuildOptions{OutDir: dir, Edition: "secret"})
			return err
		}},
		{"bad paper", func() error {
			_, err := packager.Narrative(ctx, minimal, packager.NarrativeOptions{Output: filepath.Join(dir, "n.pdf"), Paper: "a3"})
			return err
		}},
		{"no signer", func() error { _, err := packager.CoSign(ctx, dir, packager.CoSignOptions{}); return err }},
		{"no key name", func() error { _, err := packager.Keygen(""); return err }},
	} {
		if err := tc.err(); fault.ClassOf(err) != fault.Usage {
			t.Errorf("%s: %v (class %v)", tc.name, err, fault.ClassOf(err))
		}
	}
}

func TestNarrativeAndAnnexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "n.pdf")
	rep, err := packager.Narrative(ctx, minimal, packager.NarrativeOptions{Output: out, Date: date})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "%PDF-") || rep.Output != out {
		t.Errorf("no PDF at %s: %v", out, err)
	}
	// Never over an existing file without Force.
	if _, err := packager.Narrative(ctx, minimal, packager.NarrativeOptions{Output: out, Date: date}); fault.ClassOf(err) != fault.Operational {
		t.Errorf("second narrative: %v", err)
	}
	ann, err := packager.Annexes(ctx, minimal, packager.AnnexesOptions{OutDir: filepath.Join(dir, "annexes"), Date: date})
	if err != nil {
		t.Fatal(err)
	}
	if len(ann.Files) < 2 || len(ann.Files[0].SHA256) != 64 {
		t.Errorf("annexes %+v", ann.Files)
	}
}

// setAside leaves the package as a build killed between its two renames
// leaves it where folders cannot be exchanged in one step (packager/FORMAT.md
// §11): the earlier version in the hold folder, the new one (here a copy
// of nothing) under its temporary name, the journal, no package folder.
func setAside(t *testing.T, pkg string) {
	t.Helper()
	out, name := filepath.Dir(pkg), filepath.Base(pkg)
	hold, tmp := "."+name+".old-0123456789ab", "."+name+".tmp-0123456789ab"
	if err := os.Mkdir(filepath.Join(out, hold), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(pkg, filepath.Join(out, hold, name)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(out, tmp), 0o755); err != nil {
		t.Fatal(err)
	}
	journal := `{"format": "casepack-publish/1", "hold": "` + hold + `", "changes": [{"new": "` + tmp + `", "target": "` + name + `", "had_old": true}]}`
	if err := os.WriteFile(filepath.Join(out, "."+name+".publish"), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadersPutPackageBack: a package left aside by a build killed in
// the gap between two renames is never seen missing: verify, inspect and
// sign put the earlier version back first (as the next build would), say
// so, and go on; only where the folder cannot be written do they explain
// the gap instead, with the fix.
func TestReadersPutPackageBack(t *testing.T) {
	ctx := context.Background()
	for _, reader := range []string{"verify", "inspect", "sign", "build"} {
		t.Run(reader, func(t *testing.T) {
			pkg, key := fixture(t)
			out := filepath.Dir(pkg)
			setAside(t, pkg)
			var warned []string
			warn := func(m string) { warned = append(warned, m) }
			var err error
			switch reader {
			case "verify":
				var rep *packager.VerifyReport
				rep, err = packager.Verify(ctx, pkg, packager.VerifyOptions{Warn: warn})
				if err == nil && !rep.Intact {
					t.Errorf("not intact after it was put back: %+v", rep.Integrity.Errors())
				}
			case "inspect":
				_, err = packager.Inspect(ctx, pkg) // it has no warnings to give
			case "sign":
				signers, lerr := packager.LoadSigners(packager.SignerOptions{Keys: []string{key.PrivateKey}, Name: "Alice"})
				if lerr != nil {
					t.Fatal(lerr)
				}
				_, err = packager.CoSign(ctx, pkg, packager.CoSignOptions{Signers: signers, Date: date, Warn: warn})
			case "build":
				_, err = packager.Build(ctx, minimal, packager.BuildOptions{OutDir: out, Date: date, Warn: warn})
				if errors.Is(err, assemble.ErrTargetExists) {
					err = nil // it stops: the package exists again
				}
			}
			if err != nil {
				t.Fatalf("%s: %v (hint %q)", reader, err, fault.HintOf(err))
			}
			if reader != "inspect" && (len(warned) == 0 || !strings.Contains(warned[0], "the previous version was put back")) {
				t.Errorf("%s did not say what it put right: %q", reader, warned)
			}
			rep, err := packager.Verify(ctx, pkg, packager.VerifyOptions{})
			if err != nil || !rep.Intact {
				t.Errorf("after %s: err %v", reader, err)
			}
			ents, _ := os.ReadDir(out)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if len(names) != 3 { // the folder, its ZIP and letter
				t.Errorf("after %s: left %q", reader, names)
			}
		})
	}
	// A package held by a command that never lets go (here: this test
	// holds its lock) cannot be put right: the reader explains the gap.
	t.Run("held", func(t *testing.T) {
		pkg, _ := fixture(t)
		setAside(t, pkg)
		d, err := atomicfs.OpenDir(filepath.Dir(pkg), atomicfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		u, _ := d.Unit(filepath.Base(pkg))
		l, err := u.Lock()
		if err != nil {
			t.Fatal(err)
		}
		defer l.Unlock()
		_, err = packager.Verify(ctx, pkg, packager.VerifyOptions{})
		if err == nil || !strings.Contains(err.Error(), "a build was stopped while replacing it") || !strings.Contains(fault.HintOf(err), "without --force") || fault.ClassOf(err) != fault.Operational {
			t.Fatalf("err = %v, hint %q", err, fault.HintOf(err))
		}
	})
}
