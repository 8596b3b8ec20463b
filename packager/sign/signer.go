package sign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/smallstep/pkcs7"
)

// LabelVersion is the version of the label JSON format.
const LabelVersion = 1

// Label is the signer's self-description written beside each signature
// (n-s.json). It is signed with the same key (n-s.json.sig / .json.p7s), so
// a changed name is detected, but it is still the signer's own claim: the
// identity a verifier relies on is the trusted key or certificate.
type Label struct {
	Version      int    `json:"casepack_signature_label"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"role,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	// Format is "ed25519" or "cms".
	Format string `json:"format"`
	// SignedFile is always tagmanifest-sha256.txt.
	SignedFile     string `json:"signed_file"`
	KeyFingerprint string `json:"key_fingerprint"`
	// CertificateSubject is set for CMS signatures.
	CertificateSubject string `json:"certificate_subject,omitempty"`
	// Timestamp names the .tsr file when one was obtained.
	Timestamp string `json:"timestamp,omitempty"`
}

// Signature formats.
const (
	FormatEd25519 = "ed25519"
	FormatCMS     = "cms"
)

const maxLabelField = 200

// Signer signs a bag's tag manifest with one credential. It implements the
// builder's signer interface (SignTagManifest).
type Signer struct {
	Cred *Credential
	// Name, Role, Organisation go into the label.
	Name, Role, Organisation string
	// Slug is the signer part of file names; DefaultSlug(Name, Cred.Source) when empty.
	Slug string
	// TSAURL, when set, asks that RFC 3161 time-stamp authority for a token
	// over each new signature.
	TSAURL string
	// HTTPClient talks to the TSA; a client with a one-minute timeout when nil.
	HTTPClient *http.Client
}

// NewSigner returns a signer for cred with a label; it checks the label now
// so a bad name fails before any work is done.
//
// Errors are usage errors (*fault.Error) with a hint.
func NewSigner(cred *Credential, name, role, org string) (*Signer, error) {
	s, err := newSigner(cred, name, role, org)
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, ErrUnsupportedKey):
		return nil, fault.New(fault.Usage, err, unsupportedKeyHint)
	}
	return nil, fault.New(fault.Usage, err, "check --signer-name, --role and --org")
}

func newSigner(cred *Credential, name, role, org string) (*Signer, error) {
	if cred == nil || cred.Signer == nil {
		return nil, errors.New("no credential")
	}
	for field, v := range map[string]string{"signer name": name, "signer role": role, "signer organisation": org} {
		if err := checkLabelField(field, v); err != nil {
			return nil, err
		}
	}
	if cred.Certificate == nil {
		if _, ok := cred.Signer.(ed25519.PrivateKey); !ok {
			return nil, fmt.Errorf("%w: a key without a certificate must be Ed25519", ErrUnsupportedKey)
		}
	} else if err := cmsCapable(cred); err != nil {
		return nil, err
	}
	return &Signer{Cred: cred, Name: name, Role: role, Organisation: org}, nil
}

func checkLabelField(field, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	if utf8.RuneCountInString(v) > maxLabelField {
		return fmt.Errorf("%s is longer than %d characters", field, maxLabelField)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s contains a control character", field)
		}
	}
	return nil
}

// cmsCapable: OpenSSL 3.0 cannot verify Ed25519 inside CMS, so CMS is RSA or ECDSA only.
func cmsCapable(cred *Credential) error {
	switch cred.Signer.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		return nil
	}
	return fmt.Errorf("%w: certificates must carry an RSA or ECDSA key (Ed25519 in CMS is not verifiable with OpenSSL)", ErrUnsupportedKey)
}

// Format is the signature format this signer produces.
func (s *Signer) Format() string {
	if s.Cred.Certificate != nil {
		return FormatCMS
	}
	return FormatEd25519
}

func (s *Signer) slug() string {
	if s.Slug != "" {
		return s.Slug
	}
	return DefaultSlug(s.Name, s.Cred.Source)
}

// SignTagManifest signs the exact bytes of tagmanifest-sha256.txt as
// signature number seq and returns the new files, named relative to
// signatures/ (e.g. "1-alice.sig" → bytes).
func (s *Signer) SignTagManifest(ctx context.Context, tagManifest []byte, seq int) (map[string][]byte, error) {
	if seq < 1 || seq > maxSeq {
		return nil, fmt.Errorf("signature number %d out of range", seq)
	}
	slug := s.slug()
	if !validSlug(slug) {
		return nil, fmt.Errorf("%q is not a valid signer name for files (lowercase letters, digits, hyphens)", slug)
	}
	base := strconv.Itoa(seq) + "-" + slug
	fp, err := s.Cred.Fingerprint()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	label := Label{
		Version:        LabelVersion,
		Name:           s.Name,
		Role:           s.Role,
		Organisation:   s.Organisation,
		Format:         s.Format(),
		SignedFile:     SignedFile,
		KeyFingerprint: fp,
	}
	sig, err := signBytes(s.Cred, tagManifest)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", SignedFile, err)
	}
	sigExt, labelSigExt := ExtEd25519, ExtLabelEd25519
	if label.Format == FormatCMS {
		sigExt, labelSigExt = ExtCMS, ExtLabelCMS
		label.CertificateSubject = s.Cred.Certificate.Subject.String()
	} else {
		pub, err := MarshalPublicKeyPEM(s.Cred.Public())
		if err != nil {
			return nil, err
		}
		files[base+ExtPublicKey] = pub
	}
	files[base+sigExt] = sig
	if s.TSAURL != "" {
		tsr, err := RequestTimestamp(ctx, s.HTTPClient, s.TSAURL, sig)
		if err != nil {
			return nil, err
		}
		files[base+ExtTimestamp] = tsr
		label.Timestamp = base + ExtTimestamp
	}
	labelJSON, err := marshalLabel(label)
	if err != nil {
		return nil, err
	}
	labelSig, err := signBytes(s.Cred, labelJSON)
	if err != nil {
		return nil, fmt.Errorf("sign label: %w", err)
	}
	files[base+ExtLabel] = labelJSON
	files[base+labelSigExt] = labelSig
	return files, nil
}

// marshalLabel is the one byte form of a label: indented JSON, LF, final newline.
func marshalLabel(l Label) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("encode label: %w", err)
	}
	return buf.Bytes(), nil
}

// signBytes makes the detached signature of data: raw Ed25519 for a bare
// key, DER CMS (SHA-256, certificate chain inside) for a certificate.
func signBytes(cred *Credential, data []byte) ([]byte, error) {
	if cred.Certificate == nil {
		priv, ok := cred.Signer.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: a key without a certificate must be Ed25519", ErrUnsupportedKey)
		}
		return ed25519.Sign(priv, data), nil
	}
	if err := cmsCapable(cred); err != nil {
		return nil, err
	}
	sd, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	// The chain goes in without self-signed roots: a verifier must bring its
	// own root, and a root inside the signature would only invite trusting it.
	var parents []*x509.Certificate
	for _, c := range cred.Chain {
		if !isSelfSigned(c) {
			parents = append(parents, c)
		}
	}
	if err := sd.AddSignerChain(cred.Certificate, cred.Signer, parents, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return der, nil
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
