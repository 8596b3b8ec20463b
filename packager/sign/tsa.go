package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/smallstep/pkcs7"
)

// ErrTSA wraps every failure to obtain a time-stamp.
var ErrTSA = errors.New("time-stamp authority")

const maxTSAResponse = 1 << 20

// tsaTimeout bounds one time-stamp request when no client is given.
const tsaTimeout = time.Minute

// RequestTimestamp asks the RFC 3161 time-stamp authority at url for a token
// over data (SHA-256 imprint, TSA certificate requested, random nonce) and
// returns the DER TimeStampResp, after checking it answers this request.
// The response, not the bare token, is what is stored, because that is what
// `openssl ts -verify -in FILE.tsr` reads.
func RequestTimestamp(ctx context.Context, client *http.Client, url string, data []byte) ([]byte, error) {
	if client == nil {
		// A TSA that never answers must not hang a build forever.
		client = &http.Client{Timeout: tsaTimeout}
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{
		Hash: crypto.SHA256, Certificates: true, Nonce: nonce,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: build request: %w", ErrTSA, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrTSA, url, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrTSA, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%w %s: read response: %w", ErrTSA, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w %s: HTTP %s", ErrTSA, url, resp.Status)
	}
	if len(body) > maxTSAResponse {
		return nil, fmt.Errorf("%w %s: response larger than %d bytes", ErrTSA, url, maxTSAResponse)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrTSA, url, err)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("%w %s: the response does not answer this request (nonce differs)", ErrTSA, url)
	}
	if err := checkImprint(ts, data); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrTSA, url, err)
	}
	if len(ts.Certificates) == 0 {
		return nil, fmt.Errorf("%w %s: the token does not include the TSA certificate", ErrTSA, url)
	}
	return body, nil
}

func checkImprint(ts *timestamp.Timestamp, data []byte) error {
	if !ts.HashAlgorithm.Available() {
		return errors.New("the token uses an unknown hash algorithm")
	}
	if ts.HashAlgorithm != crypto.SHA256 && ts.HashAlgorithm != crypto.SHA384 && ts.HashAlgorithm != crypto.SHA512 {
		return fmt.Errorf("the token uses the weak hash %s", ts.HashAlgorithm)
	}
	h := ts.HashAlgorithm.New()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return errors.New("the token is for other data (message imprint differs)")
	}
	return nil
}

// tokenInfo is what a checked time-stamp tells.
type tokenInfo struct {
	Time    time.Time
	Signer  *x509.Certificate
	Certs   []*x509.Certificate
	Trusted bool
	// TrustedBy names the anchor when Trusted.
	TrustedBy string
	// Problem explains why it is not trusted.
	Problem string
}

// checkTimestamp verifies a stored TimeStampResp over data: structure, the
// TSA's signature, the imprint, and then whether the TSA certificate chains
// (with timeStamping EKU, at the token's time) to one of the anchors. An
// error means the token is invalid; an untrusted one returns Trusted=false.
func checkTimestamp(tsr, data []byte, anchors []TrustAnchor) (*tokenInfo, error) {
	ts, err := timestamp.ParseResponse(tsr)
	if err != nil {
		return nil, fmt.Errorf("not a valid time-stamp response: %w", err)
	}
	return checkToken(ts, data, anchors)
}

// checkTimestampToken is checkTimestamp for a bare TimeStampToken, as a CMS
// signature carries it in its unsigned attributes (the PDF signature does).
func checkTimestampToken(token, data []byte, anchors []TrustAnchor) (info *tokenInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			info, err = nil, fmt.Errorf("not a readable time-stamp (parser failed: %v)", p)
		}
	}()
	ts, err := timestamp.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("not a valid time-stamp token: %w", err)
	}
	return checkToken(ts, data, anchors)
}

// checkToken is what checkTimestamp and checkTimestampToken share: one
// policy for every time-stamp casepack reads.
func checkToken(ts *timestamp.Timestamp, data []byte, anchors []TrustAnchor) (*tokenInfo, error) {
	if len(ts.Certificates) == 0 {
		// timestamp.Parse checks the signature only when certificates are present.
		return nil, errors.New("the token does not include the TSA certificate, so its signature cannot be checked")
	}
	if err := checkImprint(ts, data); err != nil {
		return nil, err
	}
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, errors.New("token: expected exactly one TSA signer")
	}
	// Parse already verified the signature; check again with the library we
	// verify CMS with, so both agree before we trust the time.
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("token signature: %w", err)
	}
	info := &tokenInfo{Time: ts.Time.UTC(), Signer: signer, Certs: p7.Certificates}
	roots := certPool(anchors)
	if roots == nil {
		info.Problem = "no trusted certificate was given for time-stamp authorities"
		return info, nil
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	chains, err := signer.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: info.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		info.Problem = "TSA certificate is not trusted: " + err.Error()
		return info, nil
	}
	info.Trusted = true
	info.TrustedBy = anchorFor(anchors, chains)
	return info, nil
}
