package sign

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"io/fs"
	"regexp"
	"strconv"

	pdfverify "github.com/digitorus/pdfsign/verify"
)

// FormatPDF names a signature embedded in a PDF of the payload (the
// narrative), as opposed to the detached signatures in signatures/.
const FormatPDF = "pdf"

// maxPDF caps how much of a signed PDF is read: the narrative is a document,
// not evidence, and a generated one with 10,000 evidence items is 8 MiB.
const maxPDF = 256 << 20

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// verifyPDFs checks the signatures inside each PDF named in opt.PDFs: that
// each is cryptographically valid over its byte ranges, that the last one
// covers the whole file (nothing was appended after signing), and whether
// its certificate chains to a trusted anchor, at the time of a trusted
// time-stamp when the signature carries one. PDF signatures are reported in
// the same three states as the detached ones but are not counted by
// RequireSignature: they vouch for the narrative, not for the package.
func verifyPDFs(r *Report, fsys fs.FS, opt VerifyOptions) {
	for _, p := range opt.PDFs {
		data, err := readCapped(fsys, p, maxPDF)
		if err != nil {
			// A missing or unreadable payload file is the integrity
			// check's to report (once, as the file's problem).
			continue
		}
		ranges := byteRangeRE.FindAllSubmatch(data, -1)
		if len(ranges) == 0 {
			continue // an unsigned PDF
		}
		resp, err := verifyPDFBytes(data)
		if err != nil || resp == nil || len(resp.Signers) == 0 {
			msg := "the PDF carries a signature that cannot be checked"
			if err != nil {
				msg += ": " + err.Error()
			}
			r.add(finding.SigInvalid, finding.Error, p, msg, "the PDF was changed after it was signed, or its signature is damaged")
			r.Signatures = append(r.Signatures, SignatureResult{ID: "pdf-1", Format: FormatPDF, Files: []string{p}, Status: StatusInvalid, Problem: msg})
			continue
		}
		last := ranges[len(ranges)-1]
		c, _ := strconv.ParseInt(string(last[3]), 10, 64)
		d, _ := strconv.ParseInt(string(last[4]), 10, 64)
		whole := c+d == int64(len(data))
		for i, s := range resp.Signers {
			res := pdfResult(p, i+1, s, opt)
			if !whole && i == len(resp.Signers)-1 {
				res.Status, res.Problem = StatusInvalid, fmt.Sprintf("the signature covers %d of the file's %d bytes: the PDF was changed after it was signed", c+d, len(data))
			}
			switch res.Status {
			case StatusInvalid:
				r.add(finding.SigInvalid, finding.Error, p, "the PDF signature "+res.ID+" is not valid: "+res.Problem, "")
			case StatusValidUntrusted:
				r.add(finding.SigUntrusted, finding.Warning, p, "the PDF signature "+res.ID+" is valid but its signer is not trusted: "+res.Problem,
					"give the signer's CA certificate with --trust FILE")
			}
			r.Signatures = append(r.Signatures, res)
		}
	}
}

// verifyPDFBytes runs pdfsign's verifier, which is given untrusted bytes:
// a panic in it is a damaged signature, not a crash.
func verifyPDFBytes(data []byte) (resp *pdfverify.Response, err error) {
	defer func() {
		if x := recover(); x != nil {
			resp, err = nil, fmt.Errorf("malformed PDF signature (%v)", x)
		}
	}()
	o := pdfverify.DefaultVerifyOptions()
	// Trust is decided below against the user's --trust anchors; here only
	// the cryptography counts, so the embedded chain may complete itself.
	o.AllowUntrustedRoots = true
	o.EnableExternalRevocationCheck = false
	return pdfverify.VerifyWithOptions(bytes.NewReader(data), int64(len(data)), o)
}

func pdfResult(path string, n int, s pdfverify.Signer, opt VerifyOptions) SignatureResult {
	res := SignatureResult{ID: fmt.Sprintf("pdf-%d", n), Seq: 0, Format: FormatPDF, Files: []string{path}}
	if s.Name != "" {
		res.Signer = &Label{Name: s.Name, Format: FormatPDF}
	}
	var certs []*x509.Certificate
	for _, c := range s.Certificates {
		if c.Certificate != nil {
			certs = append(certs, c.Certificate)
		}
	}
	var leaf *x509.Certificate
	for _, c := range certs {
		if !c.IsCA {
			leaf = c
			break
		}
	}
	if leaf == nil && len(certs) > 0 {
		leaf = certs[0]
	}
	if leaf != nil {
		res.CertificateSubject = leaf.Subject.String()
		res.CertificateIssuer = leaf.Issuer.String()
		if fp, err := Fingerprint(leaf.PublicKey); err == nil {
			res.KeyFingerprint = fp
		}
	}
	if !s.ValidSignature || leaf == nil {
		res.Status, res.Problem = StatusInvalid, "the signature does not match the signed bytes"
		return res
	}
	switch {
	case s.TimeStamp != nil && s.TimestampStatus == "valid":
		res.Time = s.TimeStamp.Time
		res.TimeSource = "untrusted_timestamp"
		ts := &TimestampResult{File: path, Status: StatusValidUntrusted, Time: s.TimeStamp.Time}
		if s.TimeStamp.Certificates != nil && len(s.TimeStamp.Certificates) > 0 {
			tsa := s.TimeStamp.Certificates[0]
			ts.TSASubject = tsa.Subject.String()
			if roots := certPool(opt.TSATrust); roots != nil {
				inter := x509.NewCertPool()
				for _, c := range s.TimeStamp.Certificates[1:] {
					inter.AddCert(c)
				}
				if chains, err := tsa.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: s.TimeStamp.Time,
					KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err == nil {
					ts.Status, ts.TrustedBy = StatusValidTrusted, anchorFor(opt.TSATrust, chains)
					res.TimeSource = "timestamp"
				}
			}
		}
		res.Timestamp = ts
	case s.TimeStamp != nil:
		res.Timestamp = &TimestampResult{File: path, Status: StatusInvalid, Problem: "the time-stamp token in the PDF signature does not match it"}
	case s.SignatureTime != nil:
		res.Time, res.TimeSource = *s.SignatureTime, "claimed"
	}
	var keyDER []byte
	if leaf != nil {
		keyDER, _ = x509.MarshalPKIXPublicKey(leaf.PublicKey)
	}
	by, problem := decideTrust(&res, keyDER, leaf, certs, opt)
	if by != "" {
		res.Status, res.TrustedBy = StatusValidTrusted, by
	} else {
		res.Status, res.Problem = StatusValidUntrusted, problem
	}
	return res
}
