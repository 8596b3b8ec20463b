package sign

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/casepack/casepack/packager/finding"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"
)

// FormatPDF names a signature embedded in a PDF of the payload (the
// narrative), as opposed to the detached signatures in signatures/.
const FormatPDF = "pdf"

// maxPDF caps how much of a signed PDF is read: the narrative is a document,
// not evidence, and a generated one with 10,000 evidence items is 8 MiB.
const maxPDF = 256 << 20

// A PDF's signatures are found the way a PDF reader finds them: from the
// trailer at the end of the file through the cross-reference chain to the
// objects of the current revision (github.com/pdfcpu/pdfcpu reads that
// structure; it keeps the cross-reference table as a map and recovers from
// damage, where github.com/digitorus/pdf, which signs, allocates per object
// number and a 400-byte PDF can exhaust memory). Searching the bytes for
// "/ByteRange" instead would let anyone append a comment, a string or a
// stream claiming a range that covers the whole file. Each signature
// dictionary is then held to what ISO 32000 requires of it:
//
//   - its /ByteRange is [0 a b c]: one gap, from a to b, inside the file;
//   - the gap is exactly the hexadecimal string <…> that is its /Contents,
//     so no other byte escapes the signature;
//   - /Contents is a CMS signature (SubFilter adbe.pkcs7.detached or
//     ETSI.CAdES.detached) over the bytes of the two ranges, checked by the
//     same code as the detached .p7s signatures (verifyCMS), its embedded
//     time-stamp by the same code as a .tsr (checkToken);
//   - the signature reaching furthest into the file, the one applied last,
//     reaches its very end: nothing was added after it.
//
// Earlier signatures cover earlier revisions (a co-signer's incremental
// update follows them); each is checked over its own range.

// pdfSignature is one signature dictionary of a PDF.
type pdfSignature struct {
	obj       int // object number, for messages
	subFilter string
	name      string
	// byteRange is nil when /ByteRange is not an array of integers.
	byteRange []int64
	contents  []byte
	// date is /M, the signer's claimed time, as written.
	date string
}

// end is how far into the file the signature reaches.
func (s pdfSignature) end() int64 {
	if len(s.byteRange) != 4 {
		return -1
	}
	return s.byteRange[2] + s.byteRange[3]
}

var pdfConfig = sync.OnceValue(func() *model.Configuration {
	// pdfcpu would otherwise create a configuration folder in the user's
	// home on first use; verifying writes nothing.
	model.ConfigPath = "disable"
	return model.NewDefaultConfiguration()
})

// findPDFSignatures lists the signature dictionaries of the PDF's current
// revision, in object number order: every object in its cross-reference
// table that has a /ByteRange or is of /Type /Sig or /DocTimeStamp. An
// error means the structure cannot be read.
func findPDFSignatures(data []byte) (sigs []pdfSignature, err error) {
	defer func() {
		// Third-party parser, hostile bytes: a panic is a damaged file.
		if p := recover(); p != nil {
			sigs, err = nil, fmt.Errorf("%v", p)
		}
	}()
	ctx, err := pdfcpu.Read(bytes.NewReader(data), pdfConfig())
	if err != nil {
		return nil, err
	}
	xt := ctx.XRefTable
	deref := func(o types.Object) types.Object {
		d, err := xt.Dereference(o)
		if err != nil {
			return nil
		}
		return d
	}
	text := func(o types.Object) string {
		s, err := types.StringOrHexLiteral(deref(o))
		if err != nil || s == nil {
			return ""
		}
		return *s
	}
	nums := make([]int, 0, len(xt.Table))
	for n := range xt.Table {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		e := xt.Table[n]
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		var d types.Dict
		switch o := e.Object.(type) {
		case types.Dict:
			d = o
		case types.StreamDict:
			d = o.Dict
		default:
			continue
		}
		typ, _ := deref(d["Type"]).(types.Name)
		if d["ByteRange"] == nil && typ != "Sig" && typ != "DocTimeStamp" {
			continue
		}
		s := pdfSignature{obj: n, name: text(d["Name"]), date: text(d["M"])}
		if sf, ok := deref(d["SubFilter"]).(types.Name); ok {
			s.subFilter = string(sf)
		}
		switch c := deref(d["Contents"]).(type) {
		case types.HexLiteral:
			s.contents, _ = c.Bytes()
		case types.StringLiteral:
			s.contents, _ = types.Unescape(c.Value())
		}
		if br, ok := deref(d["ByteRange"]).(types.Array); ok {
			s.byteRange = []int64{}
			for _, o := range br {
				i, ok := deref(o).(types.Integer)
				if !ok {
					s.byteRange = nil
					break
				}
				s.byteRange = append(s.byteRange, int64(i))
			}
		}
		sigs = append(sigs, s)
	}
	return sigs, nil
}

// signedBytes checks the byte range against the file and returns the bytes
// it signs, or why it cannot be trusted to mean what it says.
func (s pdfSignature) signedBytes(data []byte) ([]byte, error) {
	br, size := s.byteRange, int64(len(data))
	if len(br) != 4 {
		return nil, errors.New("its /ByteRange is not four numbers [0 a b c]")
	}
	a, b, c := br[1], br[2], br[3]
	if br[0] != 0 || a <= 0 || c < 0 || b <= a+1 || b > size || c > size-b {
		return nil, fmt.Errorf("its /ByteRange %v does not describe two parts of this %d-byte file around one gap", br, size)
	}
	gap := data[a:b]
	want, err := hex.DecodeString(string(gap[1 : len(gap)-1]))
	if gap[0] != '<' || gap[len(gap)-1] != '>' || err != nil {
		return nil, fmt.Errorf("the gap its /ByteRange leaves (bytes %d to %d) holds not only the signature: those bytes are not signed", a, b)
	}
	if !bytes.Equal(want, s.contents) {
		return nil, fmt.Errorf("the gap its /ByteRange leaves (bytes %d to %d) is not its /Contents: the signature checked would not be the one shown", a, b)
	}
	out := make([]byte, 0, a+c)
	out = append(out, data[:a]...)
	return append(out, data[b:b+c]...), nil
}

// verifyPDFs checks the signatures inside each PDF named in opt.PDFs (see
// above) and whether each signer's certificate chains to a trusted anchor,
// at the time of a trusted time-stamp when the signature carries one. PDF
// signatures are reported in the same three states as the detached ones but
// are not counted by RequireSignature: they vouch for the narrative, not for
// the package.
func verifyPDFs(r *Report, fsys fs.FS, opt VerifyOptions) {
	for _, p := range opt.PDFs {
		data, err := readCapped(fsys, p, maxPDF)
		if err != nil {
			// A missing or unreadable payload file is the integrity
			// check's to report (once, as the file's problem).
			continue
		}
		sigs, err := findPDFSignatures(data)
		if err != nil {
			// Unreadable structure: nothing can be said about signatures.
			// Only a PDF that looks signed is worth a finding; the text
			// never makes a signature valid, it only decides whether to
			// complain.
			if bytes.Contains(data, []byte("/ByteRange")) {
				msg := "the PDF looks signed, but its structure cannot be read, so the signature cannot be checked: " + err.Error()
				r.add(finding.SigInvalid, finding.Error, p, msg, "the PDF was changed after it was signed, or it is damaged")
				r.Signatures = append(r.Signatures, SignatureResult{ID: "pdf-1", Format: FormatPDF, Files: []string{p}, Status: StatusInvalid, Problem: msg})
			}
			continue
		}
		// Signatures in the order they were applied: each later one
		// reaches further into the file.
		sort.SliceStable(sigs, func(i, j int) bool { return sigs[i].end() < sigs[j].end() })
		for i, s := range sigs {
			res := verifyPDFSignature(r, p, data, s, i+1, i == len(sigs)-1, opt)
			switch res.Status {
			case StatusInvalid:
				r.add(finding.SigInvalid, finding.Error, p, "the PDF signature "+res.ID+" is not valid: "+res.Problem, "the PDF was changed after it was signed, or its signature is damaged")
			case StatusValidUntrusted:
				r.add(finding.SigUntrusted, finding.Warning, p, "the PDF signature "+res.ID+" is valid but its signer is not trusted: "+res.Problem,
					"give the signer's CA certificate with --trust FILE")
			}
			r.Signatures = append(r.Signatures, res)
		}
	}
}

// verifyPDFSignature checks the n-th signature of the PDF at path; last
// says it is the one that must reach the end of the file.
func verifyPDFSignature(r *Report, path string, data []byte, s pdfSignature, n int, last bool, opt VerifyOptions) SignatureResult {
	res := SignatureResult{ID: fmt.Sprintf("pdf-%d", n), Format: FormatPDF, Files: []string{path}, Status: StatusInvalid}
	if s.name != "" {
		res.Signer = &Label{Name: s.name, Format: FormatPDF}
	}
	invalid := func(problem string) SignatureResult {
		res.Status, res.Problem = StatusInvalid, problem
		return res
	}
	signed, err := s.signedBytes(data)
	if err != nil {
		return invalid(fmt.Sprintf("signature dictionary %d 0 obj: %v", s.obj, err))
	}
	if last && s.end() != int64(len(data)) {
		return invalid(fmt.Sprintf("the signature covers %d of the file's %d bytes: the PDF was changed after it was signed", s.end(), len(data)))
	}
	if s.subFilter != "adbe.pkcs7.detached" && s.subFilter != "ETSI.CAdES.detached" {
		return invalid(fmt.Sprintf("a %q signature, which casepack cannot check (it checks adbe.pkcs7.detached and ETSI.CAdES.detached)", s.subFilter))
	}
	leaf, certs, claimed, err := verifyCMS(s.contents, signed)
	if leaf != nil {
		res.CertificateSubject = leaf.Subject.String()
		res.CertificateIssuer = leaf.Issuer.String()
		res.KeyFingerprint, _ = Fingerprint(leaf.PublicKey)
	}
	if err != nil {
		return invalid(err.Error())
	}
	if claimed.IsZero() {
		claimed = parsePDFDate(s.date)
	}
	if !claimed.IsZero() {
		res.Time, res.TimeSource = claimed.UTC(), "claimed"
	}
	if token, sigValue := cmsTimestampToken(s.contents); token != nil {
		tr := &TimestampResult{File: path, Status: StatusInvalid}
		res.Timestamp = tr
		info, err := checkTimestampToken(token, sigValue, opt.TSATrust)
		switch {
		case err != nil:
			tr.Problem = err.Error()
			r.add(finding.TSAInvalid, finding.Error, path, "the time-stamp in the PDF signature "+res.ID+" is not valid: "+err.Error(), "the time-stamp or the signature was altered")
		case info.Trusted:
			tr.Status, tr.TrustedBy, tr.Time, tr.TSASubject = StatusValidTrusted, info.TrustedBy, info.Time, info.Signer.Subject.String()
			res.Time, res.TimeSource = info.Time, "timestamp"
		default:
			tr.Status, tr.Problem, tr.Time, tr.TSASubject = StatusValidUntrusted, info.Problem, info.Time, info.Signer.Subject.String()
			res.Time, res.TimeSource = info.Time, "untrusted_timestamp"
		}
	}
	by, problem := decideTrust(&res, leaf.RawSubjectPublicKeyInfo, leaf, certs, opt)
	if by != "" {
		res.Status, res.TrustedBy = StatusValidTrusted, by
	} else {
		res.Status, res.Problem = StatusValidUntrusted, problem
	}
	return res
}

// oidTimeStampToken is id-aa-timeStampToken (RFC 3161 appendix A), the
// unsigned attribute that carries a time-stamp over the signature value.
var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// cmsTimestampToken returns the time-stamp token embedded in a CMS
// signature and the signature value it time-stamps, or nil.
func cmsTimestampToken(der []byte) (token, sigValue []byte) {
	defer func() {
		if recover() != nil {
			token, sigValue = nil, nil
		}
	}()
	p7, err := pkcs7.Parse(der)
	if err != nil || len(p7.Signers) != 1 {
		return nil, nil
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if a.Type.Equal(oidTimeStampToken) {
			return a.Value.Bytes, si.EncryptedDigest
		}
	}
	return nil, nil
}

var pdfDateRE = regexp.MustCompile(`^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:Z|([+-])(\d{2})'?(\d{2})'?)?`)

// parsePDFDate reads a PDF date (D:YYYYMMDDHHmmSS+HH'mm'); the zero time
// when it is not one.
func parsePDFDate(s string) time.Time {
	m := pdfDateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}
	}
	n := make([]int, 10)
	for i := 1; i < len(m); i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	offset := (n[8]*60 + n[9]) * 60
	if m[7] == "-" {
		offset = -offset
	}
	t := time.Date(n[1], time.Month(n[2]), n[3], n[4], n[5], n[6], 0, time.FixedZone("", offset))
	if t.Month() != time.Month(n[2]) || t.Day() != n[3] {
		return time.Time{}
	}
	return t
}
