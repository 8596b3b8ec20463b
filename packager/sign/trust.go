package sign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
)

// TrustAnchor is something the verifier's user vouches for: a bare public
// key (trusts Ed25519 signatures by that key, and certificates for that key)
// or a certificate (trusts that certificate and, when it is a CA, whatever
// chains to it).
type TrustAnchor struct {
	// Source says where the anchor came from (the --trust file), for reports.
	Source      string
	PublicKey   crypto.PublicKey
	Certificate *x509.Certificate // nil for a bare key
	// pkix is the key's SubjectPublicKeyInfo DER, what keys are compared by.
	pkix []byte
}

// maxTrustFile caps a trust file: thousands of keys and certificates fit.
const maxTrustFile = 16 << 20

// LoadTrustFile reads the anchors in a PEM file: PUBLIC KEY blocks and
// CERTIFICATE blocks, any number of each.
func LoadTrustFile(path string) ([]TrustAnchor, error) {
	data, err := source.ReadFile(path, maxTrustFile)
	if errors.Is(err, source.ErrNotRegular) {
		return nil, fault.New(fault.Usage, err, "give --trust the PEM file itself (public keys or certificates)")
	}
	if err != nil {
		return nil, fault.IO(path, err)
	}
	anchors, err := ParseTrust(path, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return anchors, nil
}

// ParseTrust reads anchors from PEM data; source labels them.
func ParseTrust(source string, data []byte) ([]TrustAnchor, error) {
	var out []TrustAnchor
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "PUBLIC KEY":
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: public key: %w", n, err)
			}
			out = append(out, TrustAnchor{Source: source, PublicKey: pub, pkix: bytes.Clone(block.Bytes)})
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: certificate: %w", n, err)
			}
			out = append(out, TrustAnchor{Source: source, PublicKey: c.PublicKey, Certificate: c, pkix: c.RawSubjectPublicKeyInfo})
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("this is a private key; trust is given with the public key (NAME.pub.pem) or a certificate")
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no public key or certificate found (expected PEM: -----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)")
	}
	return out, nil
}

// certPool holds the certificate anchors, or nil when there are none.
func certPool(anchors []TrustAnchor) *x509.CertPool {
	var pool *x509.CertPool
	for _, a := range anchors {
		if a.Certificate != nil {
			if pool == nil {
				pool = x509.NewCertPool()
			}
			pool.AddCert(a.Certificate)
		}
	}
	return pool
}

// anchorFor names the anchor at the top of the first chain.
func anchorFor(anchors []TrustAnchor, chains [][]*x509.Certificate) string {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return ""
	}
	top := chains[0][len(chains[0])-1]
	for _, a := range anchors {
		if a.Certificate != nil && a.Certificate.Equal(top) {
			return a.Source
		}
	}
	return ""
}

// keyAnchor returns the anchor whose key is exactly pkixDER, if any: a pinned
// key, or a certificate issued for that key.
func keyAnchor(anchors []TrustAnchor, pkixDER []byte) (TrustAnchor, bool) {
	for _, a := range anchors {
		if bytes.Equal(a.pkix, pkixDER) {
			return a, true
		}
	}
	return TrustAnchor{}, false
}
