package sign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"github.com/casepack/casepack/internal/testtool"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/casepack/casepack/packager/sign/signtest"
)

func TestWriteKeyPairAndLoad(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "alice")
	priv, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := WriteKeyPair(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath := KeyPairFiles(name)
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %04o, want 0600", fi.Mode().Perm())
	}
	pubPEM, _ := os.ReadFile(pubPath)
	if !strings.HasPrefix(string(pubPEM), "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("public key: %s", pubPEM)
	}
	keyPEM, _ := os.ReadFile(keyPath)
	if !strings.HasPrefix(string(keyPEM), "-----BEGIN PRIVATE KEY-----") {
		t.Error("private key is not PKCS#8 PEM")
	}
	cred, err := LoadCredential(CredentialOptions{KeyFile: keyPath})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cred.Fingerprint(); got != fp {
		t.Errorf("fingerprint after load %s, printed %s", got, fp)
	}
	if _, err := WriteKeyPair(name, priv); !errors.Is(err, fs.ErrExist) {
		t.Errorf("overwrote an existing key: %v", err)
	}
	// openssl reads the key and derives the same public key.
	t.Run("openssl reads it", func(t *testing.T) {
		openssl := testtool.Need(t, "openssl")
		out, ok := run(t, dir, openssl, "pkey", "-in", keyPath, "-pubout")
		if !ok || out != string(pubPEM) {
			t.Errorf("openssl pkey -pubout: %s\nwant %s", out, pubPEM)
		}
	})
}

func TestLoadCredentialRefusesReadableKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions on Windows")
	}
	dir := t.TempDir()
	priv, _ := GenerateKey(nil)
	data, _ := MarshalPrivateKeyPEM(priv)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		p, err := signtest.WriteFile(dir, "k.key", data, mode)
		if err != nil {
			t.Fatal(err)
		}
		_, err = LoadCredential(CredentialOptions{KeyFile: p})
		var ie *InsecureFileError
		if !errors.Is(err, ErrInsecureKeyFile) || !errors.As(err, &ie) {
			t.Fatalf("mode %04o: %v", mode, err)
		}
		if ie.Hint() != "run: chmod 600 "+p {
			t.Errorf("hint %q", ie.Hint())
		}
	}
	p, _ := signtest.WriteFile(dir, "k.key", data, 0o400)
	if _, err := LoadCredential(CredentialOptions{KeyFile: p}); err != nil {
		t.Errorf("0400: %v", err)
	}
}

func TestLoadCredentialPEMChain(t *testing.T) {
	dir := t.TempDir()
	ca, _ := signtest.NewCA("Root")
	sub, _ := ca.IssueIntermediate("Sub")
	leaf, _ := sub.IssueSigner("Signer", signtest.RSA2048)
	keyPath, _ := signtest.WriteFile(dir, "leaf.key", leaf.KeyPEM(), 0o600)
	// Deliberately out of order: root, leaf, sub.
	chainPath, _ := signtest.WriteFile(dir, "chain.pem", append(append(ca.PEM(), leaf.PEM()...), sub.PEM()...), 0o644)
	cred, err := LoadCredential(CredentialOptions{KeyFile: keyPath, CertFile: chainPath})
	if err != nil {
		t.Fatal(err)
	}
	if !cred.Certificate.Equal(leaf.Cert) || len(cred.Chain) != 2 || !cred.Chain[0].Equal(sub.Cert) || !cred.Chain[1].Equal(ca.Cert) {
		t.Errorf("chain not ordered leaf→sub→root: %v / %v", cred.Certificate.Subject, cred.Chain)
	}
	// A certificate for another key is refused.
	other, _ := ca.IssueSigner("Other", signtest.ECDSAP256)
	otherPath, _ := signtest.WriteFile(dir, "other.pem", other.PEM(), 0o644)
	if _, err := LoadCredential(CredentialOptions{KeyFile: keyPath, CertFile: otherPath}); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("mismatch: %v", err)
	}
	// An RSA key alone cannot sign.
	if _, err := LoadCredential(CredentialOptions{KeyFile: keyPath}); err == nil {
		t.Error("RSA key without certificate accepted")
	}
}

func TestLoadCredentialP12(t *testing.T) {
	dir := t.TempDir()
	ca, _ := signtest.NewCA("Root")
	leaf, _ := ca.IssueSigner("P12 Signer", signtest.ECDSAP256)
	pfx, err := pkcs12.Modern2023.Encode(leaf.Key, leaf.Cert, []*x509.Certificate{ca.Cert}, "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	pwFile, _ := signtest.WriteFile(dir, "pw.txt", []byte("s3cret pass\n"), 0o600)
	pw, err := ReadPassword(pwFile, "")
	if err != nil {
		t.Fatal(err)
	}
	// A PKCS#12 file holds a private key: others may not read it either.
	open, _ := signtest.WriteFile(dir, "open.p12", pfx, 0o644)
	_, err = LoadCredential(CredentialOptions{P12File: open, Password: pw})
	var ie *InsecureFileError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "PKCS#12 file is readable by other users") {
		t.Errorf("world-readable .p12: %v", err)
	}
	p12, _ := signtest.WriteFile(dir, "org.p12", pfx, 0o600)
	if _, err := LoadCredential(CredentialOptions{P12File: p12}); err == nil || !strings.Contains(err.Error(), "no password given") {
		t.Errorf("no password: %v", err)
	}
	cred, err := LoadCredential(CredentialOptions{P12File: p12, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if !cred.Certificate.Equal(leaf.Cert) || len(cred.Chain) != 1 {
		t.Errorf("p12 credential: %v %v", cred.Certificate.Subject, cred.Chain)
	}
	t.Setenv("CASEPACK_TEST_P12_PASSWORD", "wrong")
	pw, err = ReadPassword("", "CASEPACK_TEST_P12_PASSWORD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredential(CredentialOptions{P12File: p12, Password: pw}); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestReadPassword(t *testing.T) {
	dir := t.TempDir()
	open, _ := signtest.WriteFile(dir, "open.txt", []byte("pw\n"), 0o644)
	empty, _ := signtest.WriteFile(dir, "empty.txt", []byte("\n"), 0o600)
	crlf, _ := signtest.WriteFile(dir, "crlf.txt", []byte("pw\r\nignored"), 0o600)
	t.Setenv("CASEPACK_TEST_EMPTY", "")
	for _, tc := range []struct {
		name, file, env string
		want            string
		err             error
	}{
		{"crlf file", crlf, "", "pw", nil},
		{"readable file", open, "", "", ErrInsecureKeyFile},
		{"empty file", empty, "", "", ErrNoPassword},
		{"empty env", "", "CASEPACK_TEST_EMPTY", "", ErrNoPassword},
		{"unset env", "", "CASEPACK_TEST_UNSET_XYZ", "", ErrNoPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadPassword(tc.file, tc.env)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
	if _, err := ReadPassword(crlf, "X"); err == nil {
		t.Error("two password sources accepted")
	}
}

func TestParsePrivateKeyPEM(t *testing.T) {
	rsaSmall, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edPEM, _ := MarshalPrivateKeyPEM(edKey)
	small, _ := MarshalPrivateKeyPEM(rsaSmall)
	p224PEM, _ := MarshalPrivateKeyPEM(p224)
	for _, tc := range []struct {
		name string
		data []byte
		err  string
	}{
		{"ed25519 pkcs8", edPEM, ""},
		{"sec1 ec", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), ""},
		{"small rsa", small, "2048"},
		{"p224", p224PEM, "P-256"},
		{"encrypted", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), "encrypted"},
		{"public key only", mustPubPEM(t, edKey.Public()), "a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKeyPEM(tc.data)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
		})
	}
}

func mustPubPEM(t *testing.T, pub any) []byte {
	p, err := MarshalPublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSlugAndLabelChecks(t *testing.T) {
	for _, tc := range []struct{ name, source, want string }{
		{"Nicolás O'Higgins", "", "nicolas-o-higgins"},
		{"", "/keys/Fiscalía.key", "fiscalia"},
		{"  ", "", "signer"},
		{"A very long name that goes on and on beyond any file name", "", "a-very-long-name-that-goes-on-an"},
	} {
		if got := DefaultSlug(tc.name, tc.source); got != tc.want || !validSlug(got) {
			t.Errorf("DefaultSlug(%q, %q) = %q, want %q", tc.name, tc.source, got, tc.want)
		}
	}
	cred := edCred(t)
	if _, err := NewSigner(cred, "bad\nname", "", ""); err == nil {
		t.Error("control character in a name accepted")
	}
	if _, err := NewSigner(cred, strings.Repeat("x", 201), "", ""); err == nil {
		t.Error("overlong name accepted")
	}
}
