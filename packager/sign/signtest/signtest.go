// Package signtest makes throw-away test PKI and a local RFC 3161
// time-stamp authority for tests of casepack signing, so no private key is
// ever committed and no test talks to a public TSA. Everything here is for
// tests only: keys are generated fresh on every call.
package signtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/digitorus/timestamp"
)

// Cert is a certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PEM returns the certificate as PEM.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPEM returns the private key as PKCS#8 PEM.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err) // only for key types this package generates
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// KeyType selects the key algorithm of a generated certificate.
type KeyType int

const (
	ECDSAP256 KeyType = iota
	RSA2048
)

var serial atomic.Int64

func newKey(kt KeyType) (crypto.Signer, error) {
	if kt == RSA2048 {
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// validity: certificates are valid from a day ago for ten years, so tests
// pass whatever the clock says today.
func validity() (time.Time, time.Time) {
	now := time.Now().Truncate(time.Second)
	return now.Add(-24 * time.Hour), now.Add(10 * 365 * 24 * time.Hour)
}

// caTemplate is the certificate of a test CA (root or intermediate).
func caTemplate(cn string) *x509.Certificate {
	nb, na := validity()
	return &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1) + 1000),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"casepack TEST ONLY"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// NewCA makes a self-signed test CA.
func NewCA(cn string) (*Cert, error) {
	key, err := newKey(ECDSAP256)
	if err != nil {
		return nil, err
	}
	tmpl := caTemplate(cn)
	// Self-signed: the CA issues its own certificate.
	return (&Cert{Cert: tmpl, Key: key}).issue(tmpl, key)
}

// IssueIntermediate makes a sub-CA under ca.
func (ca *Cert) IssueIntermediate(cn string) (*Cert, error) {
	key, err := newKey(ECDSAP256)
	if err != nil {
		return nil, err
	}
	return ca.issue(caTemplate(cn), key)
}

// IssueSigner makes a document-signing leaf: keyUsage digitalSignature and
// nonRepudiation, extended key usage emailProtection.
func (ca *Cert) IssueSigner(cn string, kt KeyType) (*Cert, error) {
	key, err := newKey(kt)
	if err != nil {
		return nil, err
	}
	nb, na := validity()
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(serial.Add(1) + 1000),
		Subject:        pkix.Name{CommonName: cn, Organization: []string{"casepack TEST ONLY"}},
		NotBefore:      nb,
		NotAfter:       na,
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		EmailAddresses: []string{"signer@example.org"},
	}
	return ca.issue(tmpl, key)
}

// IssueTSA makes a time-stamping leaf with the critical timeStamping extended
// key usage RFC 3161 §2.3 demands (Go would mark it non-critical).
func (ca *Cert) IssueTSA(cn string) (*Cert, error) {
	key, err := newKey(ECDSAP256)
	if err != nil {
		return nil, err
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	nb, na := validity()
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(serial.Add(1) + 1000),
		Subject:         pkix.Name{CommonName: cn, Organization: []string{"casepack TEST ONLY"}},
		NotBefore:       nb,
		NotAfter:        na,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}
	return ca.issue(tmpl, key)
}

func (ca *Cert) issue(tmpl *x509.Certificate, key crypto.Signer) (*Cert, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: c, Key: key}, nil
}

// TSA is a local RFC 3161 time-stamp authority over HTTP on 127.0.0.1.
type TSA struct {
	CA     *Cert
	Signer *Cert
	URL    string
	// Now gives the time put into tokens; time.Now when nil.
	Now    func() time.Time
	server *httptest.Server
}

// NewTSA starts a TSA with its own CA. Close it when done.
func NewTSA() (*TSA, error) {
	ca, err := NewCA("casepack TEST TSA Root")
	if err != nil {
		return nil, err
	}
	signer, err := ca.IssueTSA("casepack TEST TSA")
	if err != nil {
		return nil, err
	}
	t := &TSA{CA: ca, Signer: signer}
	t.server = httptest.NewUnstartedServer(http.HandlerFunc(t.serve))
	// httptest listens on 127.0.0.1 already; say so explicitly, it is the point.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t.server.Listener = l
	t.server.Start()
	t.URL = t.server.URL
	return t, nil
}

// Close stops the server.
func (t *TSA) Close() { t.server.Close() }

func (t *TSA) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a time-stamp query", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              now.UTC().Truncate(time.Second),
		Nonce:             req.Nonce,
		Policy:            asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1},
		AddTSACertificate: req.Certificates,
	}
	resp, err := ts.CreateResponseWithOpts(t.Signer.Cert, t.Signer.Key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

// WriteFile writes data to dir/name and returns the path.
func WriteFile(dir, name string, data []byte, perm os.FileMode) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, perm); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, os.Chmod(p, perm)
}
