package sign

import (
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"flag"
	"github.com/casepack/casepack/internal/testtool"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/sign/signtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestVerifyInstructionsGolden(t *testing.T) {
	// A fixed seed makes the fingerprint, and so the text, stable. Test only.
	priv := ed25519.NewKeyFromSeed([]byte("casepack-test-only-seed-32-bytes"))
	s, err := NewSigner(&Credential{Signer: priv, Source: "demo.key"}, "Ana Díaz", "Counsel", "Fundación Ejemplo")
	if err != nil {
		t.Fatal(err)
	}
	s.TSAURL = "http://127.0.0.1:1"
	p1, err := s.Plan(1)
	if err != nil {
		t.Fatal(err)
	}
	p2 := PlannedSignature{ID: "2-ministry", Format: FormatCMS, CertificateSubject: "CN=Legal Unit,O=Ministry", Organisation: "Ministry"}
	got := VerifyInstructions([]PlannedSignature{p1, p2})
	golden := filepath.Join("testdata", "verify-instructions.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("instructions differ from %s (run go test -update):\n%s", golden, got)
	}
}

// TestVerifyInstructionsRun runs every command VERIFY.txt gives, in a signed
// package folder, with a shell and openssl as a lawyer's IT would.
func TestVerifyInstructionsRun(t *testing.T) {
	testtool.Need(t, "openssl")
	sh := testtool.Need(t, "sh")
	tsa := newTSA(t)
	dir := newBag(t)
	ed := mustSigner(t, edCred(t), "Alice")
	ed.TSAURL = tsa.URL
	cmsCred, ca := certCred(t, signtest.ECDSAP256, true)
	org := mustSigner(t, cmsCred, "Org")
	org.TSAURL = tsa.URL
	var plans []PlannedSignature
	for i, s := range []*Signer{ed, org} {
		p, err := s.Plan(i + 1)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
		signInto(t, dir, s, i+1)
	}
	// A co-signer after the build: only the loops cover it.
	late := mustSigner(t, edCred(t), "Late")
	if _, err := CoSign(context.Background(), dir, []*Signer{late}, CoSignOptions{}); err != nil {
		t.Fatal(err)
	}
	// The receiver works beside the package, never inside it. CA.pem is
	// first the CA that issued the signer's certificate (an intermediate),
	// then the root: both must work.
	outside := filepath.Dir(dir)
	os.WriteFile(filepath.Join(outside, "TSA-CA.pem"), tsa.CA.PEM(), 0o644)
	t.Setenv("PKG", filepath.Base(dir))

	text := VerifyInstructions(plans)
	for i, s := range []*Signer{ed, org} {
		if sec := s.VerifyInstructions(i + 1); !strings.Contains(text, sec) || !strings.Contains(sec, "openssl") {
			t.Errorf("Signer.VerifyInstructions(%d) = %q, not in the full text", i+1, sec)
		}
	}
	var cmds []string
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "openssl ") || strings.HasPrefix(l, "for ") {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) < 12 {
		t.Fatalf("only %d commands in:\n%s", len(cmds), text)
	}
	fp, _ := ed.Cred.Fingerprint()
	issuer := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cmsCred.Chain[0].Raw})
	for _, anchor := range [][]byte{issuer, ca.PEM()} {
		os.WriteFile(filepath.Join(outside, "CA.pem"), anchor, 0o644)
		for _, c := range cmds {
			out, ok := run(t, outside, sh, "-c", "set -e; "+c)
			if !ok {
				t.Errorf("%s\nfailed: %s", c, out)
				continue
			}
			switch {
			case strings.Contains(c, "pkeyutl") && !strings.Contains(out, "Signature Verified Successfully"):
				t.Errorf("%s: %s", c, out)
			case strings.HasPrefix(c, "openssl cms") && !strings.Contains(out, "Verification successful"):
				t.Errorf("%s: %s", c, out)
			case strings.HasPrefix(c, "openssl ts -verify") && !strings.Contains(out, "Verification: OK"):
				t.Errorf("%s: %s", c, out)
			case strings.Contains(c, "sha256sum") && strings.Contains(c, "1-alice") && !strings.Contains(out, strings.TrimPrefix(fp, "sha256:")):
				t.Errorf("%s: %s, want %s", c, out, fp)
			}
			switch {
			case strings.HasPrefix(c, "for k in") && strings.Contains(c, "pkeyutl") && strings.Count(out, "Signature Verified Successfully") != 2:
				t.Errorf("loop should check 2 Ed25519 signatures: %s", out)
			case strings.HasPrefix(c, "for k in") && strings.Contains(c, "sha256sum") && (strings.Count(out, "  -") != 2 || !strings.Contains(out, strings.TrimPrefix(fp, "sha256:"))):
				t.Errorf("loop should print 2 fingerprints, %s among them: %s", fp, out)
			}
		}
	}
	// Nothing was added to the package.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == "CA.pem" || e.Name() == "TSA-CA.pem" {
			t.Errorf("%s inside the package", e.Name())
		}
	}
}
