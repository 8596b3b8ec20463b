package sign

import (
	"fmt"
	"strconv"
	"strings"
)

// PlannedSignature describes a signature before it is made. VERIFY.txt is a
// tag file, so it is written (and covered by the tag manifest) before the
// signatures exist; everything the instructions need is known in advance.
type PlannedSignature struct {
	ID                 string // e.g. "1-alice"
	Format             string // FormatEd25519 or FormatCMS
	KeyFingerprint     string
	CertificateSubject string
	Name               string
	Role               string
	Organisation       string
	Timestamped        bool
}

// Plan says what SignTagManifest(…, seq) will write.
func (s *Signer) Plan(seq int) (PlannedSignature, error) {
	fp, err := s.Cred.Fingerprint()
	if err != nil {
		return PlannedSignature{}, err
	}
	p := PlannedSignature{
		ID: strconv.Itoa(seq) + "-" + s.slug(), Format: s.Format(), KeyFingerprint: fp,
		Name: s.Name, Role: s.Role, Organisation: s.Organisation, Timestamped: s.TSAURL != "",
	}
	if s.Cred.Certificate != nil {
		p.CertificateSubject = s.Cred.Certificate.Subject.String()
	}
	return p, nil
}

// VerifyInstructions returns the VERIFY.txt section that tells how to check
// each planned signature (and any added later) with OpenSSL alone. The
// commands run from the folder that holds the package, with PKG set to the
// package folder's name: CA.pem and TSA-CA.pem stay outside the package,
// where casepack verify would report them as added files. The commands are
// the ones casepack's own tests run, as written.
func VerifyInstructions(sigs []PlannedSignature) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("SIGNATURES")
	w("")
	w("Every signature in signatures/ signs the exact bytes of %s. That file", SignedFile)
	w("lists the SHA-256 of every other tag file, and those list every payload file, so")
	w("one valid signature covers the whole package once the digests are checked too.")
	w("Run the commands below from the folder that holds the package, with PKG set to")
	w("the package folder's name (OpenSSL 3.0 or later).")
	w("")
	w("A valid signature only tells who signed if you trust the key. Anyone who alters")
	w("this package can re-sign it with their own key under any name, and rewrite this")
	w("file too. So get the signer's key fingerprint from the signer, by a channel you")
	w("already trust (a letter, their website, a phone call), and compare it with the")
	w("one the commands below compute; never take it from this package. For an X.509")
	w("certificate, check it against a CA certificate you already trust: CA.pem below,")
	w("kept beside the package, not inside it. It may be the root or the CA that issued")
	w("the signer's certificate (-partial_chain accepts either; the signature carries")
	w("the intermediate certificates).")
	if len(sigs) == 0 {
		w("")
		w("This package was built without a signature.")
	}
	for _, s := range sigs {
		w("")
		b.WriteString(signatureSection(s))
	}
	w("")
	b.WriteString(LaterSignatureInstructions())
	return b.String()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// signatureSection is the part of the instructions for one signature.
func signatureSection(s PlannedSignature) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	label := strings.Join(nonEmpty(s.Name, s.Role, s.Organisation), ", ")
	base := `"$PKG/` + SignaturesDir + "/" + s.ID
	signed := `"$PKG/` + SignedFile + `"`
	if s.Format == FormatCMS {
		w("Signature %s: X.509 certificate %s", s.ID, s.CertificateSubject)
		if label != "" {
			w("  signer label: %s", label)
		}
		w("  Check the signature (expect \"CMS Verification successful\"):")
		w("    openssl cms -verify -binary -inform DER -in %s%s\" -content %s -CAfile CA.pem -partial_chain -purpose any -out /dev/null", base, ExtCMS, signed)
		w("  Check the signer label:")
		w("    openssl cms -verify -binary -inform DER -in %s%s\" -content %s%s\" -CAfile CA.pem -partial_chain -purpose any -out /dev/null", base, ExtLabelCMS, base, ExtLabel)
		w("  Show the signer's certificates:")
		w("    openssl pkcs7 -inform DER -in %s%s\" -print_certs -noout", base, ExtCMS)
	} else {
		w("Signature %s: Ed25519", s.ID)
		if label != "" {
			w("  signer label: %s", label)
		}
		w("  Check the signature (expect \"Signature Verified Successfully\"):")
		w("    openssl pkeyutl -verify -pubin -inkey %s%s\" -rawin -in %s -sigfile %s%s\"", base, ExtPublicKey, signed, base, ExtEd25519)
		w("  Check the signer label:")
		w("    openssl pkeyutl -verify -pubin -inkey %s%s\" -rawin -in %s%s\" -sigfile %s%s\"", base, ExtPublicKey, base, ExtLabel, base, ExtLabelEd25519)
		w("  Compute the key's fingerprint and compare it with the one the signer gave")
		w("  you (not with any fingerprint written in this package):")
		w("    openssl pkey -pubin -in %s%s\" -outform DER | sha256sum", base, ExtPublicKey)
	}
	if s.Timestamped {
		sig := base + ExtEd25519 + `"`
		if s.Format == FormatCMS {
			sig = base + ExtCMS + `"`
		}
		w("  Check the time-stamp over the signature (TSA-CA.pem: the time-stamp")
		w("  authority's CA certificate; expect \"Verification: OK\"), then show its time:")
		w("    openssl ts -verify -data %s -in %s%s\" -CAfile TSA-CA.pem", sig, base, ExtTimestamp)
		w("    openssl ts -reply -in %s%s\" -text", base, ExtTimestamp)
	}
	return b.String()
}

// LaterSignatureInstructions are shell loops that check every signature in
// signatures/, including those added after the build by casepack sign,
// which VERIFY.txt cannot name. Append it once, even to unsigned packages.
func LaterSignatureInstructions() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("Signatures added after the build (casepack sign) cannot be listed here, because")
	w("this file is itself signed. These loops check every signature in the package and")
	w("print each key's fingerprint. A valid signature only tells who signed if you")
	w("trust the key: anyone who alters this package can re-sign it under any name.")
	w("Get each signer's key fingerprint from the signer (a letter, their website, a")
	w("phone call) and compare; never take it from this package.")
	w("  for k in \"$PKG\"/%s/*%s; do [ -e \"$k\" ] || continue; echo \"$k\"; openssl pkey -pubin -in \"$k\" -outform DER | sha256sum; done",
		SignaturesDir, ExtPublicKey)
	w("  for k in \"$PKG\"/%s/*%s; do [ -e \"$k\" ] || continue; s=\"${k%%%s}%s\"; echo \"$s\"; openssl pkeyutl -verify -pubin -inkey \"$k\" -rawin -in \"$PKG/%s\" -sigfile \"$s\"; done",
		SignaturesDir, ExtPublicKey, ExtPublicKey, ExtEd25519, SignedFile)
	w("  for s in \"$PKG\"/%s/*%s; do case \"$s\" in *%s) continue;; esac; [ -e \"$s\" ] || continue; echo \"$s\"; openssl cms -verify -binary -inform DER -in \"$s\" -content \"$PKG/%s\" -CAfile CA.pem -partial_chain -purpose any -out /dev/null; done",
		SignaturesDir, ExtCMS, ExtLabelCMS, SignedFile)
	w("  for t in \"$PKG\"/%s/*%s; do [ -e \"$t\" ] || continue; s=\"${t%%%s}\"; [ -f \"$s%s\" ] && s=\"$s%s\" || s=\"$s%s\"; echo \"$t\"; openssl ts -verify -data \"$s\" -in \"$t\" -CAfile TSA-CA.pem; done",
		SignaturesDir, ExtTimestamp, ExtTimestamp, ExtEd25519, ExtEd25519, ExtCMS)
	return b.String()
}

// VerifyInstructions implements the builder's VerifyInstructor: the exact
// commands that check signature number seq by this signer.
func (s *Signer) VerifyInstructions(seq int) string {
	p, err := s.Plan(seq)
	if err != nil {
		return ""
	}
	return signatureSection(p)
}
