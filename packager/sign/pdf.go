package sign

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/digitorus/pdf"
	pdfsign "github.com/digitorus/pdfsign/sign"
)

// PDFSignOptions describe a PDF signature as a PDF reader shows it.
type PDFSignOptions struct {
	// Name of the signer; the certificate's common name when empty.
	Name        string
	Reason      string
	Location    string
	ContactInfo string
	// Date is the signing time written into the signature dictionary (/M)
	// when there is no time-stamp; the CMS itself records the real time.
	Date time.Time
	// TSAURL, when set, embeds an RFC 3161 time-stamp in the PDF signature.
	TSAURL string
}

// SignPDF writes to out a copy of the PDF in with a PAdES-style
// (adbe.pkcs7.detached) certification signature by cred, which must have an
// RSA or ECDSA certificate. The original bytes are kept and the signature
// is an incremental update, so the signed range covers the whole document.
// pdfsign keeps the document in memory; this is for the narrative PDF, not
// evidence.
func SignPDF(in io.ReadSeeker, size int64, out io.Writer, cred *Credential, opt PDFSignOptions) (err error) {
	if cred == nil || cred.Certificate == nil {
		return fmt.Errorf("signing the PDF: %w: a PDF signature needs an X.509 certificate (--cert or --p12)", ErrNoCertificate)
	}
	if err := cmsCapable(cred); err != nil {
		return fmt.Errorf("signing the PDF: %w", err)
	}
	defer func() {
		// The PDF parser is third-party code; a malformed PDF must not crash a build.
		if p := recover(); p != nil {
			err = fmt.Errorf("signing the PDF: cannot read the PDF (parser failed: %v)", p)
		}
	}()
	ra, ok := in.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{rs: in}
	}
	rdr, err := pdf.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("signing the PDF: read PDF: %w", err)
	}
	name := opt.Name
	if name == "" {
		name = cred.Certificate.Subject.CommonName
	}
	chain := []*x509.Certificate{cred.Certificate}
	for _, c := range cred.Chain {
		if !isSelfSigned(c) {
			chain = append(chain, c)
		}
	}
	sd := pdfsign.SignData{
		Signature: pdfsign.SignDataSignature{
			Info: pdfsign.SignDataSignatureInfo{
				Name: name, Location: opt.Location, Reason: opt.Reason,
				ContactInfo: opt.ContactInfo, Date: opt.Date,
			},
			CertType: pdfsign.CertificationSignature,
			// Later approval signatures (a co-signer in a PDF reader) stay allowed.
			DocMDPPerm: pdfsign.AllowFillingExistingFormFieldsAndSignaturesPerms,
		},
		Signer:            cred.Signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       cred.Certificate,
		CertificateChains: [][]*x509.Certificate{chain},
		TSA:               pdfsign.TSA{URL: opt.TSAURL},
		// RevocationFunction stays nil: no OCSP/CRL look-ups, signing works offline.
	}
	if err := pdfsign.Sign(in, out, rdr, size, sd); err != nil {
		return fmt.Errorf("signing the PDF: %w", err)
	}
	return nil
}

// seekReaderAt adapts an io.ReadSeeker for a parser that wants ReadAt.
type seekReaderAt struct {
	mu sync.Mutex
	rs io.ReadSeeker
}

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.rs, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}
