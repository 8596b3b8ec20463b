package sign

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/sign/signtest"
)

// signedPDF signs data with cred the way build --cert does.
func signedPDF(t testing.TB, data []byte, cred *Credential) []byte {
	t.Helper()
	var out bytes.Buffer
	opt := PDFSignOptions{Name: "Legal Unit", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := SignPDF(bytes.NewReader(data), int64(len(data)), &out, cred, opt); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// lastMatch returns the first group of re's last match in data: test code
// may read a PDF textually, because it knows what it wrote.
func lastMatch(t testing.TB, data []byte, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindAllSubmatch(data, -1)
	if len(m) == 0 {
		t.Fatalf("no %s in the PDF", re)
	}
	return string(m[len(m)-1][1])
}

// appendUpdate adds an incremental update to base: objects (numbered from
// the trailer's /Size on) with a new cross-reference section and trailer, as
// a PDF editor saving changes after the signature would. body(n) returns
// the text of each new object given its number and the offset it will
// start at (so a signature dictionary can compute its byte range).
func appendUpdate(t testing.TB, base []byte, bodies ...func(num int, at int) string) []byte {
	t.Helper()
	size, _ := strconv.Atoi(lastMatch(t, base, `/Size (\d+)`))
	root := lastMatch(t, base, `/Root (\d+ \d+ R)`)
	prev := lastMatch(t, base, `startxref\s+(\d+)`)
	out := bytes.Clone(base)
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	var offsets []int
	for i, body := range bodies {
		offsets = append(offsets, len(out))
		out = fmt.Appendf(out, "%d 0 obj\n%s\nendobj\n", size+i, body(size+i, len(out)))
	}
	xref := len(out)
	out = fmt.Appendf(out, "xref\n0 1\n0000000000 65535 f \n%d %d\n", size, len(bodies))
	for _, off := range offsets {
		out = fmt.Appendf(out, "%010d 00000 n \n", off)
	}
	out = fmt.Appendf(out, "trailer\n<< /Size %d /Root %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", size+len(bodies), root, prev, xref)
	return out
}

// wholeFileRange appends text (which holds one %d for the claimed end)
// so that the ByteRange in it claims to end exactly at the end of the file.
func wholeFileRange(base []byte, text string) []byte {
	n := len(base) + len(text)
	for {
		s := fmt.Sprintf(text, n-1)
		if len(base)+len(s) == n {
			return append(bytes.Clone(base), s...)
		}
		n = len(base) + len(s)
	}
}

// fakeSigDict is a signature dictionary whose ByteRange covers the whole
// file as it will be once the update is appended (the gap being its own
// /Contents), so only its cryptography can give it away. end is the length
// of the finished file, found by building the update twice.
func fakeSigDict(contents []byte, end *int) func(int, int) string {
	return func(num int, at int) string {
		head := "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 %010d %010d %010d] /Contents "
		gapStart := at + len(fmt.Sprintf("%d 0 obj\n", num)) + len(fmt.Sprintf(head, 0, 0, 0))
		hexed := "<" + hex.EncodeToString(contents) + ">"
		gapEnd := gapStart + len(hexed)
		return fmt.Sprintf(head, gapStart, gapEnd, *end-gapEnd) + hexed + " /Name (Forger) >>"
	}
}

// signatureContents returns the decoded /Contents of the first signature
// and where its hex string starts and ends in data.
func signatureContents(t testing.TB, data []byte) (contents []byte, start, end int) {
	t.Helper()
	m := regexp.MustCompile(`/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no signature in the PDF")
	}
	start, _ = strconv.Atoi(string(m[1]))
	end, _ = strconv.Atoi(string(m[2]))
	contents, err := hex.DecodeString(string(data[start+1 : end-1]))
	if err != nil {
		t.Fatal(err)
	}
	return contents, start, end
}

// checkPDF runs the package verifier's PDF check on data as n.pdf.
func checkPDF(t testing.TB, data []byte, trust []TrustAnchor) *Report {
	t.Helper()
	fsys := fstest.MapFS{"n.pdf": {Data: data}}
	r, err := VerifyPackage(fsys, VerifyOptions{Trust: trust, PDFs: []string{"n.pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func pdfStatuses(r *Report) string {
	var s []string
	for _, res := range r.Signatures {
		if res.Format == FormatPDF {
			s = append(s, res.ID+"="+string(res.Status))
		}
	}
	return strings.Join(s, " ")
}

// pdfVariant is a signed PDF, as signed or as changed after signing, with
// the statuses its PDF signatures must get and a word of why the invalid
// one is invalid.
type pdfVariant struct {
	name string
	data []byte
	want string // "pdf-1=valid_trusted pdf-2=invalid"
	why  string // in the invalid one's problem; "" for none invalid
}

// pdfVariants makes signed (plain, signed by cred) and every way of
// changing it after signing that the check must see through: nothing
// appended, hidden in a comment, a string, a stream or the signature's own
// gap, and no second signature dictionary, passes for "valid, trusted".
func pdfVariants(t testing.TB, plain, signed []byte, cred *Credential) []pdfVariant {
	contents, gapStart, gapEnd := signatureContents(t, signed)
	changeTitle := func(title string) func(int, int) string {
		return func(int, int) string { return "<< /Title (" + title + ") /Producer (editor) >>" }
	}
	// A fake signature dictionary needs the final length: build once to
	// measure, then again with the measured length.
	fakeUpdate := func(contents []byte) []byte {
		end := 0
		first := appendUpdate(t, signed, fakeSigDict(contents, &end))
		end = len(first)
		return appendUpdate(t, signed, fakeSigDict(contents, &end))
	}
	hiddenInGap := bytes.Clone(signed)
	// The signature's padding (zeros after the DER) is replaced by a key
	// the PDF parser reads as part of the dictionary: not hex, not signed.
	pad := bytes.LastIndex(signed[:gapEnd], bytes.Repeat([]byte("0"), 64))
	if pad < gapStart {
		t.Fatal("no padding in the signature's /Contents")
	}
	copy(hiddenInGap[pad:], ">/Hidden (unsigned words) /Pad <00")
	inStream := func(int, int) string {
		s := fmt.Sprintf("/ByteRange [0 %d %d 0]", gapStart, gapEnd)
		return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(s), s)
	}
	return []pdfVariant{
		{"genuine", signed, "pdf-1=valid_trusted", ""},
		{"signed again by a second signer", signedPDF(t, signed, cred), "pdf-1=valid_trusted pdf-2=valid_trusted", ""},
		{"comment with a whole-file ByteRange appended", wholeFileRange(signed, "%% /ByteRange [0 1 1 %d]\n"), "pdf-1=invalid", "covers"},
		{"same comment without its newline", wholeFileRange(signed, "%%/ByteRange[0 1 1 %d]"), "pdf-1=invalid", "covers"},
		{"incremental update after signing", appendUpdate(t, signed, changeTitle("Forged")), "pdf-1=invalid", "changed after it was signed"},
		{"incremental update with a ByteRange in a string", wholeFileRange(appendUpdate(t, signed, changeTitle("/ByteRange [0 1 1 99999]")), "%% /ByteRange [0 1 1 %d]\n"), "pdf-1=invalid", "covers"},
		{"incremental update with a ByteRange in a stream", appendUpdate(t, signed, inStream), "pdf-1=invalid", "covers"},
		{"second signature dictionary with a copied signature", fakeUpdate(contents), "pdf-1=valid_trusted pdf-2=invalid", "does not match"},
		{"second signature dictionary with garbage", fakeUpdate([]byte("not a CMS signature at all")), "pdf-1=valid_trusted pdf-2=invalid", "CMS"},
		{"bytes hidden in the signature's gap", hiddenInGap, "pdf-1=invalid", "not only the signature"},
		{"damaged header", append([]byte("%PDX"), signed[4:]...), "pdf-1=invalid", "cannot be read"},
		// Cut inside the signing update, the file ends at the unsigned
		// revision's %%EOF followed by junk: a reader shows that revision,
		// which nobody signed, and no signature claims to vouch for it.
		{"truncated back to the unsigned revision", signed[:len(signed)-40], "", ""},
		{"unsigned PDF with a ByteRange comment", wholeFileRange(plain, "%% /ByteRange [0 1 1 %d]\n"), "", ""},
	}
}

// TestVerifyPDFStructure: the PDF signature check reads the PDF's structure
// (trailer, cross-reference chain, signature dictionaries), not the last
// "/ByteRange" in its bytes.
func TestVerifyPDFStructure(t *testing.T) {
	cred, ca := certCred(t, signtest.ECDSAP256, true)
	trust := trustPEM(t, "ca.pem", ca.PEM())
	plain := testPDF(t)
	for _, tc := range pdfVariants(t, plain, signedPDF(t, plain, cred), cred) {
		t.Run(tc.name, func(t *testing.T) {
			r := checkPDF(t, tc.data, trust)
			if got := pdfStatuses(r); got != tc.want {
				t.Fatalf("statuses %q, want %q\n%s", got, tc.want, codes(r))
			}
			if tc.why == "" {
				if hasFinding(r, string(finding.SigInvalid), "") {
					t.Errorf("an error for a sound PDF:\n%s", codes(r))
				}
				return
			}
			if !hasFinding(r, string(finding.SigInvalid), "n.pdf") {
				t.Errorf("no %s finding on n.pdf:\n%s", finding.SigInvalid, codes(r))
			}
			found := false
			for _, res := range r.Signatures {
				found = found || res.Status == StatusInvalid && strings.Contains(res.Problem, tc.why)
			}
			if !found {
				t.Errorf("no invalid signature whose problem says %q:\n%+v", tc.why, r.Signatures)
			}
		})
	}
}

// TestVerifyPDFTimestamp: the time-stamp inside a PDF signature is checked
// by the same rules as a .tsr; it sits in the signature's unsigned part, so
// changing it leaves the signature valid but the time-stamp invalid.
func TestVerifyPDFTimestamp(t *testing.T) {
	tsa := newTSA(t)
	cred, ca := certCred(t, signtest.RSA2048, false)
	plain := testPDF(t)
	var out bytes.Buffer
	if err := SignPDF(bytes.NewReader(plain), int64(len(plain)), &out, cred, PDFSignOptions{TSAURL: tsa.URL}); err != nil {
		t.Fatal(err)
	}
	signed := out.Bytes()
	trust := append(trustPEM(t, "ca.pem", ca.PEM()), trustPEM(t, "tsa.pem", tsa.CA.PEM())...)

	r := checkPDF(t, signed, trust)
	if len(r.Signatures) != 1 || r.Signatures[0].Status != StatusValidTrusted {
		t.Fatalf("%+v\n%s", r.Signatures, codes(r))
	}
	res := r.Signatures[0]
	if res.TimeSource != "timestamp" || res.Timestamp == nil || res.Timestamp.Status != StatusValidTrusted || res.Timestamp.TrustedBy != "tsa.pem" {
		t.Errorf("time-stamp not trusted: %+v %+v", res, res.Timestamp)
	}
	if d := time.Since(res.Time); d < 0 || d > time.Hour {
		t.Errorf("signing time %v is not the time-stamp's", res.Time)
	}

	// Without the TSA's CA the time-stamp is intact but untrusted.
	r = checkPDF(t, signed, trust[:1])
	if res := r.Signatures[0]; res.TimeSource != "untrusted_timestamp" || res.Timestamp.Status != StatusValidUntrusted {
		t.Errorf("untrusted TSA: %+v %+v", res, res.Timestamp)
	}

	// One hex digit of the TSA certificate inside the token changed.
	tsaHex := []byte(hex.EncodeToString(tsa.Signer.Cert.Raw))
	i := bytes.Index(bytes.ToLower(signed), tsaHex)
	if i < 0 {
		t.Fatal("no time-stamp token in the PDF signature")
	}
	changed := bytes.Clone(signed)
	at := i + len(tsaHex) - 20 // inside the certificate's signature
	if changed[at] == '0' {    // another hex digit, so the hex string stays readable
		changed[at] = '1'
	} else {
		changed[at] = '0'
	}
	r = checkPDF(t, changed, trust)
	if !hasFinding(r, string(finding.TSAInvalid), "n.pdf") || r.Signatures[0].Timestamp.Status != StatusInvalid {
		t.Errorf("changed token accepted:\n%s", codes(r))
	}
	if r.Signatures[0].Status == StatusInvalid {
		t.Errorf("the signature itself does not cover its time-stamp, yet was found invalid: %s", r.Signatures[0].Problem)
	}
}

// hostilePDFs are tiny PDFs whose cross-reference data claims huge or
// looping structures: a parser that allocates per object number, or follows
// /Prev forever, would exhaust memory or hang on them.
func hostilePDFs() map[string][]byte {
	mk := func(xref string) []byte {
		head := "%PDF-1.5\n%" + strings.Repeat("x", 300) + "\n"
		obj := len(head)
		head += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
			"3 0 obj\n<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>\nendobj\n"
		at := len(head)
		return []byte(head + fmt.Sprintf(xref, obj) + fmt.Sprintf("startxref\n%d\n%%%%EOF\n", at))
	}
	return map[string][]byte{
		"sparse-xref-table":      mk("xref\n1000000000 1\n%010d 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\n"),
		"huge-trailer-size":      mk("xref\n0 2\n0000000000 65535 f \n%010d 00000 n \ntrailer\n<< /Size 999999999999 /Root 1 0 R >>\n"),
		"xref-stream-huge-size":  mk("9 0 obj\n<< /Type /XRef /Size 999999999999 /W [1 2 1] /Root 1 0 R /Length 4 >>\nstream\n\x01\x00\x09\x00\nendstream\nendobj\n%.0d"),
		"xref-stream-huge-width": mk("9 0 obj\n<< /Type /XRef /Size 3 /W [1 999999999999 1] /Root 1 0 R /Length 4 >>\nstream\n\x01\x00\x09\x00\nendstream\nendobj\n%.0d"),
		"xref-stream-huge-index": mk("9 0 obj\n<< /Type /XRef /Size 3 /Index [999999999 999999999] /W [1 2 1] /Root 1 0 R /Length 4 >>\nstream\n\x01\x00\x09\x00\nendstream\nendobj\n%.0d"),
		"prev-loop":              mk("xref\n0 2\n0000000000 65535 f \n%010d 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R /Prev 310 >>\n"),
	}
}

// TestVerifyPDFHostileStructure: such PDFs get an answer (never a valid
// signature) instead of exhausting memory: the parser that signs
// (digitorus/pdf) needs gigabytes for the first one.
func TestVerifyPDFHostileStructure(t *testing.T) {
	for name, data := range hostilePDFs() {
		t.Run(name, func(t *testing.T) {
			r := checkPDF(t, data, nil)
			for _, res := range r.Signatures {
				if res.Status != StatusInvalid {
					t.Errorf("%s: %s", res.ID, res.Status)
				}
			}
		})
	}
}
