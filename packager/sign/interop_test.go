package sign

import (
	"github.com/casepack/casepack/internal/testtool"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/sign/signtest"
)

// These tests check casepack's signatures with tools nobody here wrote: the
// exact openssl commands that VerifyInstructions puts into VERIFY.txt.

func TestOpenSSLAcceptsEd25519(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	dir := newBag(t)
	s := mustSigner(t, edCred(t), "Alice Pérez")
	signInto(t, dir, s, 1)

	for _, args := range [][]string{
		{"pkeyutl", "-verify", "-pubin", "-inkey", "signatures/1-alice-perez.pub.pem", "-rawin", "-in", SignedFile, "-sigfile", "signatures/1-alice-perez.sig"},
		{"pkeyutl", "-verify", "-pubin", "-inkey", "signatures/1-alice-perez.pub.pem", "-rawin", "-in", "signatures/1-alice-perez.json", "-sigfile", "signatures/1-alice-perez.json.sig"},
	} {
		out, ok := run(t, dir, openssl, args...)
		if !ok || !strings.Contains(out, "Signature Verified Successfully") {
			t.Fatalf("openssl %s: %s", strings.Join(args, " "), out)
		}
	}
	// openssl computes the same fingerprint casepack prints.
	fp, _ := s.Cred.Fingerprint()
	der, ok := run(t, dir, openssl, "pkey", "-pubin", "-in", "signatures/1-alice-perez.pub.pem", "-outform", "DER", "-out", "pub.der")
	if !ok {
		t.Fatal(der)
	}
	sum, ok := run(t, dir, "sha256sum", "pub.der")
	if !ok || "sha256:"+strings.Fields(sum)[0] != fp {
		t.Fatalf("fingerprint: openssl+sha256sum %q, casepack %q", sum, fp)
	}

	// A changed manifest fails in openssl too.
	flipByte(t, filepath.Join(dir, SignedFile), 3)
	out, ok := run(t, dir, openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "signatures/1-alice-perez.pub.pem", "-rawin", "-in", SignedFile, "-sigfile", "signatures/1-alice-perez.sig")
	if ok {
		t.Fatalf("openssl accepted a changed manifest: %s", out)
	}
}

func TestOpenSSLAcceptsCMS(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	for _, tc := range []struct {
		name         string
		kt           signtest.KeyType
		intermediate bool
	}{
		{"rsa", signtest.RSA2048, false},
		{"ecdsa-p256", signtest.ECDSAP256, false},
		{"ecdsa-p256-via-sub-ca", signtest.ECDSAP256, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newBag(t)
			cred, ca := certCred(t, tc.kt, tc.intermediate)
			if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca.PEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			signInto(t, dir, mustSigner(t, cred, "Nicolás O'Higgins"), 2)
			for _, f := range []string{"signatures/2-nicolas-o-higgins.p7s", "signatures/2-nicolas-o-higgins.json.p7s"} {
				content := SignedFile
				if strings.HasSuffix(f, ".json.p7s") {
					content = strings.TrimSuffix(f, ".p7s")
				}
				args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", f, "-content", content, "-CAfile", "ca.pem", "-purpose", "any", "-out", os.DevNull}
				out, ok := run(t, dir, openssl, args...)
				if !ok || !strings.Contains(out, "Verification successful") {
					t.Fatalf("openssl %s: %s", strings.Join(args, " "), out)
				}
			}
			flipByte(t, filepath.Join(dir, SignedFile), 0)
			out, ok := run(t, dir, openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", "signatures/2-nicolas-o-higgins.p7s", "-content", SignedFile, "-CAfile", "ca.pem", "-purpose", "any", "-out", os.DevNull)
			if ok {
				t.Fatalf("openssl accepted a changed manifest: %s", out)
			}
		})
	}
}

func TestOpenSSLAcceptsTimestamp(t *testing.T) {
	openssl := testtool.Need(t, "openssl")
	tsa := newTSA(t)
	for _, tc := range []struct {
		name string
		cred func(t *testing.T) *Credential
		sig  string
	}{
		{"ed25519", edCred, "signatures/1-alice.sig"},
		{"cms", func(t *testing.T) *Credential { c, _ := certCred(t, signtest.ECDSAP256, false); return c }, "signatures/1-alice.p7s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newBag(t)
			if err := os.WriteFile(filepath.Join(dir, "tsa-ca.pem"), tsa.CA.PEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			s := mustSigner(t, tc.cred(t), "Alice")
			s.TSAURL = tsa.URL
			files := signInto(t, dir, s, 1)
			if _, ok := files["1-alice.tsr"]; !ok {
				t.Fatalf("no time-stamp among %v", keys(files))
			}
			args := []string{"ts", "-verify", "-data", tc.sig, "-in", "signatures/1-alice.tsr", "-CAfile", "tsa-ca.pem"}
			out, ok := run(t, dir, openssl, args...)
			if !ok || !strings.Contains(out, "Verification: OK") {
				t.Fatalf("openssl %s: %s", strings.Join(args, " "), out)
			}
			flipByte(t, filepath.Join(dir, tc.sig), -1)
			out, ok = run(t, dir, openssl, args...)
			if ok {
				t.Fatalf("openssl accepted a time-stamp for a changed signature: %s", out)
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
