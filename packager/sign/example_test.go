package sign_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/casepack/casepack/packager/sign"
)

// A signer signs the tag manifest bytes and returns the files for signatures/.
func ExampleSigner_SignTagManifest() {
	// A fixed seed keeps the output stable; real keys come from casepack keygen.
	priv := ed25519.NewKeyFromSeed([]byte("casepack-example-test-only-seed!"))
	s, err := sign.NewSigner(&sign.Credential{Signer: priv, Source: "alice.key"}, "Alicia Pérez", "Counsel", "")
	if err != nil {
		panic(err)
	}
	files, err := s.SignTagManifest(context.Background(), []byte("…tagmanifest-sha256.txt bytes…\n"), 1)
	if err != nil {
		panic(err)
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// 1-alicia-perez.json
	// 1-alicia-perez.json.sig
	// 1-alicia-perez.pub.pem
	// 1-alicia-perez.sig
}

// VerifyPackage reads a bag folder (or a ZIP through fs.Sub) and reports each
// signature as valid_trusted, valid_untrusted or invalid.
func ExampleVerifyPackage() {
	dir, _ := os.MkdirTemp("", "casepack-example")
	defer os.RemoveAll(dir)
	manifest := []byte("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  bagit.txt\n")
	os.WriteFile(filepath.Join(dir, sign.SignedFile), manifest, 0o644)

	priv := ed25519.NewKeyFromSeed([]byte("casepack-example-test-only-seed!"))
	s, _ := sign.NewSigner(&sign.Credential{Signer: priv, Source: "alice.key"}, "Alice", "", "")
	files, _ := s.SignTagManifest(context.Background(), manifest, 1)
	os.Mkdir(filepath.Join(dir, sign.SignaturesDir), 0o755)
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, sign.SignaturesDir, n), b, 0o644)
	}

	pub, _ := sign.MarshalPublicKeyPEM(priv.Public())
	trust, _ := sign.ParseTrust("alice.pub.pem", pub)
	for _, t := range [][]sign.TrustAnchor{nil, trust} {
		r, err := sign.VerifyPackage(os.DirFS(dir), sign.VerifyOptions{Trust: t})
		if err != nil {
			panic(err)
		}
		fmt.Println(r.Signatures[0].ID, r.Signatures[0].Status, r.OK())
	}
	// Output:
	// 1-alice valid_untrusted true
	// 1-alice valid_trusted true
}
