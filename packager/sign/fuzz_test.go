package sign

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Everything a package's signatures/ holds comes from whoever handed over
// the package, so every parser of it is fuzzed. Seeds live in
// testdata/fuzz/<Fuzz…>/ (regenerate with go test -run TestFuzzSeeds -update).

// fuzzKey is a fixed, test-only key so seeds are stable.
var fuzzKey = ed25519.NewKeyFromSeed([]byte("casepack-fuzz-test-only-seed-32b"))

// genuine returns a signed package's signature files made with fuzzKey.
func genuine(tb testing.TB) map[string][]byte {
	tb.Helper()
	s, err := NewSigner(&Credential{Signer: fuzzKey, Source: "fuzz.key"}, "Fuzz Signer", "Tester", "casepack")
	if err != nil {
		tb.Fatal(err)
	}
	files, err := s.SignTagManifest(context.Background(), []byte(testManifest), 1)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func FuzzParseLabel(f *testing.F) {
	f.Add(genuine(f)["1-fuzz-signer.json"])
	f.Add([]byte(`{"casepack_signature_label":1,"format":"cms","signed_file":"tagmanifest-sha256.txt","key_fingerprint":"x"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseLabel(data)
		if err != nil {
			return
		}
		// What parses must survive a round trip unchanged.
		out, err := marshalLabel(l)
		if err != nil {
			t.Fatal(err)
		}
		l2, err := ParseLabel(out)
		if err != nil || l2 != l {
			t.Fatalf("round trip: %+v → %s → %+v, %v", l, out, l2, err)
		}
	})
}

func FuzzParseSigName(f *testing.F) {
	for _, s := range []string{"1-alice.sig", "12-bob-smith.json.p7s", "01-a.sig", "1-a--b.sig", "1-A.sig", "999999-z.tsr", "1-x.pub.pem.sig"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, ok := parseSigName(name)
		if !ok {
			return
		}
		// One spelling per signature file: the parse re-forms the name exactly.
		if n.ID()+n.Ext != name {
			t.Fatalf("%q parsed as %+v", name, n)
		}
		if n.Seq < 1 || n.Seq > maxSeq || !validSlug(n.Slug) {
			t.Fatalf("%q: out of range %+v", name, n)
		}
	})
}

func FuzzVerifyPackage(f *testing.F) {
	g := genuine(f)
	f.Add(g["1-fuzz-signer.sig"], g["1-fuzz-signer.pub.pem"], g["1-fuzz-signer.json"], g["1-fuzz-signer.json.sig"], []byte(nil))
	f.Add(g["1-fuzz-signer.sig"][:10], []byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"), []byte("{}"), []byte{}, []byte{0x30, 0x03, 0x02, 0x01, 0x00})
	pub, _ := MarshalPublicKeyPEM(fuzzKey.Public())
	trust, err := ParseTrust("fuzz.pub.pem", pub)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sig, pubPEM, label, labelSig, tsr []byte) {
		fsys := fstest.MapFS{
			SignedFile:                          {Data: []byte(testManifest)},
			"signatures/1-fuzz-signer.sig":      {Data: sig},
			"signatures/1-fuzz-signer.pub.pem":  {Data: pubPEM},
			"signatures/1-fuzz-signer.json":     {Data: label},
			"signatures/1-fuzz-signer.json.sig": {Data: labelSig},
		}
		if tsr != nil {
			fsys["signatures/1-fuzz-signer.tsr"] = &fstest.MapFile{Data: tsr}
		}
		r, err := VerifyPackage(fsys, VerifyOptions{Trust: trust, Now: time.Unix(1800000000, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Signatures) != 1 {
			t.Fatalf("%d results", len(r.Signatures))
		}
		res := r.Signatures[0]
		// Ed25519 signatures are unique: only the genuine bytes can be trusted-valid.
		if res.Status == StatusValidTrusted && !bytes.Equal(sig, g["1-fuzz-signer.sig"]) {
			t.Fatalf("forged signature accepted: %x", sig)
		}
		if res.Signer != nil && !bytes.Equal(label, g["1-fuzz-signer.json"]) {
			t.Fatalf("changed label accepted: %s", label)
		}
		if r.OK() && res.Status == StatusInvalid {
			t.Fatal("invalid signature but report OK")
		}
	})
}

func FuzzVerifyCMS(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		leaf, _, _, err := verifyCMS(der, []byte(testManifest))
		if err == nil && leaf == nil {
			t.Fatal("valid CMS without a signer certificate")
		}
	})
}

func FuzzCheckTimestamp(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, tsr []byte) {
		info, err := safeCheckTimestamp(tsr, []byte("signature bytes"), nil)
		if err == nil && (info == nil || info.Signer == nil || info.Trusted) {
			t.Fatalf("accepted token without signer or trusted without anchors: %+v", info)
		}
	})
}

func FuzzParseTrust(f *testing.F) {
	pub, _ := MarshalPublicKeyPEM(fuzzKey.Public())
	f.Add(pub)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseTrust("f", data)
		if err == nil && len(a) == 0 {
			t.Fatal("no anchors and no error")
		}
		for _, x := range a {
			if x.PublicKey == nil || len(x.pkix) == 0 {
				t.Fatalf("anchor without key: %+v", x)
			}
		}
	})
}

// pdfFixture is a PDF signed by a test-only certificate under root, kept in
// testdata so fuzz seeds derived from it stay meaningful across runs.
func pdfFixture(tb testing.TB) (signed []byte, trust []TrustAnchor, now time.Time) {
	tb.Helper()
	signed, err := os.ReadFile(filepath.Join("testdata", "pdf", "signed.pdf"))
	if err != nil {
		tb.Fatal(err)
	}
	rootPEM, err := os.ReadFile(filepath.Join("testdata", "pdf", "root.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	trust, err = ParseTrust("root.pem", rootPEM)
	if err != nil {
		tb.Fatal(err)
	}
	// Inside every certificate's validity, whatever today's date.
	return signed, trust, trust[0].Certificate.NotBefore.Add(48 * time.Hour)
}

// FuzzVerifyPDF: whatever bytes stand for the narrative, the PDF check never
// panics, and its last signature (the one that must cover the file) is
// valid and trusted only for the bytes the signer signed (the /Contents gap
// aside, which holds the signature and nothing else). The fixture's key was
// thrown away, so no input can carry a second trusted signature.
func FuzzVerifyPDF(f *testing.F) {
	signed, trust, now := pdfFixture(f)
	f.Add(signed)
	_, gapStart, gapEnd := signatureContents(f, signed)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"n.pdf": {Data: data}}
		r, err := VerifyPackage(fsys, VerifyOptions{Trust: trust, Now: now, PDFs: []string{"n.pdf"}})
		if err != nil {
			t.Fatal(err)
		}
		// The last PDF signature is the one that must cover the file.
		var last *SignatureResult
		for i, res := range r.Signatures {
			if res.Format == FormatPDF {
				last = &r.Signatures[i]
			}
		}
		if last == nil || last.Status != StatusValidTrusted {
			return
		}
		if len(data) != len(signed) || !bytes.Equal(data[:gapStart], signed[:gapStart]) || !bytes.Equal(data[gapEnd:], signed[gapEnd:]) {
			t.Fatalf("bytes nobody signed reported as signed and trusted:\n%s", codes(r))
		}
	})
}

// TestFuzzSeeds writes the checked-in seed corpus from genuine signatures
// made with the test-only key, with -update.
func TestFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/fuzz seeds")
	}
	g := genuine(t)
	write := func(fuzz, name string, args ...any) {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			switch v := a.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%s)\n", strconv.Quote(string(v)))
			case string:
				fmt.Fprintf(&b, "string(%s)\n", strconv.Quote(v))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzParseLabel", "genuine", g["1-fuzz-signer.json"])
	write("FuzzParseSigName", "label-sig", "3-ana-diaz.json.sig")
	write("FuzzVerifyPackage", "genuine", g["1-fuzz-signer.sig"], g["1-fuzz-signer.pub.pem"], g["1-fuzz-signer.json"], g["1-fuzz-signer.json.sig"], []byte{})
	flipped := bytes.Clone(g["1-fuzz-signer.sig"])
	flipped[7] ^= 1
	write("FuzzVerifyPackage", "flipped-sig", flipped, g["1-fuzz-signer.pub.pem"], g["1-fuzz-signer.json"], g["1-fuzz-signer.json.sig"], []byte{})
	pub, _ := MarshalPublicKeyPEM(fuzzKey.Public())
	write("FuzzParseTrust", "public-key", pub)

	// CMS and time-stamp seeds come from throw-away test PKI.
	tsa := newTSA(t)
	cred, _ := certCred(t, 0, true)
	s := mustSigner(t, cred, "Seed")
	s.TSAURL = tsa.URL
	files, err := s.SignTagManifest(context.Background(), []byte(testManifest), 1)
	if err != nil {
		t.Fatal(err)
	}
	write("FuzzVerifyCMS", "genuine", files["1-seed.p7s"])
	write("FuzzCheckTimestamp", "genuine", files["1-seed.tsr"])

	// The signed PDF fixture, and every forgery of it as a PDF seed.
	pdfCred, root := certCred(t, 0, true)
	plain := testPDF(t)
	signedPDFBytes := signedPDF(t, plain, pdfCred)
	if err := os.MkdirAll(filepath.Join("testdata", "pdf"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"signed.pdf": signedPDFBytes, "root.pem": root.PEM()} {
		if err := os.WriteFile(filepath.Join("testdata", "pdf", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A co-signer's update comes from someone the fixture does not trust.
	other, _ := certCred(t, 0, false)
	for _, v := range pdfVariants(t, plain, signedPDFBytes, other) {
		write("FuzzVerifyPDF", strings.NewReplacer(" ", "-", "'", "").Replace(v.name), v.data)
	}
	for name, data := range hostilePDFs() {
		write("FuzzVerifyPDF", name, data)
	}
}
