package sign

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/sign/signtest"
)

// run runs a command in dir and returns combined output and whether it succeeded.
func run(t *testing.T, dir string, name string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// OPENSSL_CONF pointing nowhere keeps local config from changing results.
	cmd.Env = append(os.Environ(), "OPENSSL_CONF=/dev/null")
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// testManifest is a stand-in for a real tag manifest: only its bytes matter here.
const testManifest = "0f343b0931126a20f133d67c2b018a3b5e2a8b5f1f7e1e5d4c3b2a1908070605  bag-info.txt\n" +
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  bagit.txt\n"

// newBag makes a folder holding a tag manifest and nothing else.
func newBag(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SignedFile), []byte(testManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeSigFiles puts signer output into dir/signatures.
func writeSigFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	sd := filepath.Join(dir, SignaturesDir)
	if err := os.MkdirAll(sd, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(sd, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func edCred(t *testing.T) *Credential {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Credential{Signer: priv, Source: "alice.key"}
}

// certCred issues a signer certificate under a fresh CA (optionally via an
// intermediate) and returns the credential and the root.
func certCred(t *testing.T, kt signtest.KeyType, intermediate bool) (*Credential, *signtest.Cert) {
	t.Helper()
	ca, err := signtest.NewCA("casepack TEST Root")
	if err != nil {
		t.Fatal(err)
	}
	issuer := ca
	var chain []*signtest.Cert
	if intermediate {
		if issuer, err = ca.IssueIntermediate("casepack TEST Sub-CA"); err != nil {
			t.Fatal(err)
		}
		chain = append(chain, issuer)
	}
	leaf, err := issuer.IssueSigner("Nicolás O'Higgins", kt)
	if err != nil {
		t.Fatal(err)
	}
	cred := &Credential{Signer: leaf.Key, Certificate: leaf.Cert, Source: "nicolas.p12"}
	for _, c := range chain {
		cred.Chain = append(cred.Chain, c.Cert)
	}
	cred.Chain = append(cred.Chain, ca.Cert)
	return cred, ca
}

func newTSA(t *testing.T) *signtest.TSA {
	t.Helper()
	tsa, err := signtest.NewTSA()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tsa.Close)
	return tsa
}

func mustSigner(t *testing.T, cred *Credential, name string) *Signer {
	t.Helper()
	s, err := NewSigner(cred, name, "Legal officer", "Fundación Ejemplo")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signInto(t *testing.T, dir string, s *Signer, seq int) map[string][]byte {
	t.Helper()
	manifest, err := os.ReadFile(filepath.Join(dir, SignedFile))
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.SignTagManifest(context.Background(), manifest, seq)
	if err != nil {
		t.Fatal(err)
	}
	writeSigFiles(t, dir, files)
	return files
}

func trustPEM(t *testing.T, name string, pemData []byte) []TrustAnchor {
	t.Helper()
	a, err := ParseTrust(name, pemData)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// codes lists finding codes with their paths, for failure messages and checks.
func codes(r *Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(string(f.Severity) + " " + string(f.Code) + " " + f.Path + ": " + f.Message + "\n")
	}
	return b.String()
}

func hasFinding(r *Report, code, path string) bool {
	for _, f := range r.Findings {
		if string(f.Code) == code && (path == "" || f.Path == path) {
			return true
		}
	}
	return false
}

func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 {
		at = len(data) + at
	}
	data[at] ^= 0x01
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func pemOf(t *testing.T, c *signtest.Cert) []byte { t.Helper(); return c.PEM() }

var _ = bytes.Equal
