package sign

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/casepack/casepack/internal/testtool"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/casepack/casepack/packager/sign/signtest"
)

// testPDF makes a small two-page PDF with fixed dates.
func testPDF(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.SetCreationDate(date)
	p.SetModificationDate(date)
	p.SetTitle("Test submission", true)
	p.SetFont("Helvetica", "", 12)
	for i := 0; i < 2; i++ {
		p.AddPage()
		p.Cell(40, 10, "casepack test page")
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// nssDB makes an NSS database trusting ca, for pdfsig.
func nssDB(t *testing.T, ca []byte) string {
	t.Helper()
	certutil := testtool.Need(t, "certutil")
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, ca, 0o644)
	db := "sql:" + filepath.Join(dir, "nss")
	os.Mkdir(filepath.Join(dir, "nss"), 0o700)
	if out, ok := run(t, dir, certutil, "-N", "-d", db, "--empty-password"); !ok {
		t.Fatalf("certutil -N: %s", out)
	}
	if out, ok := run(t, dir, certutil, "-A", "-n", "casepack-test-ca", "-t", "CT,C,C", "-i", caFile, "-d", db); !ok {
		t.Fatalf("certutil -A: %s", out)
	}
	return db
}

func TestSignPDFWithPdfsig(t *testing.T) {
	pdfsig := testtool.Need(t, "pdfsig")
	qpdf := testtool.Need(t, "qpdf")
	tsa := newTSA(t)
	for _, tc := range []struct {
		name string
		kt   signtest.KeyType
		tsa  bool
	}{
		{"rsa", signtest.RSA2048, false},
		{"ecdsa with time-stamp", signtest.ECDSAP256, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred, ca := certCred(t, tc.kt, true)
			db := nssDB(t, ca.PEM())
			in := testPDF(t)
			opt := PDFSignOptions{Name: "Nicolás O'Higgins", Reason: "Submission to the ICC Prosecutor", Location: "Caracas", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			if tc.tsa {
				opt.TSAURL = tsa.URL
			}
			var out bytes.Buffer
			// A bytes.Reader is a ReaderAt; wrap it to exercise the Seek adapter too.
			if err := SignPDF(struct{ *bytes.Reader }{bytes.NewReader(in)}, int64(len(in)), &out, cred, opt); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out.Bytes(), in) {
				t.Fatal("the signed PDF does not keep the original bytes (not an incremental update)")
			}
			if tc.tsa {
				// The token (with the TSA certificate inside) sits in the hex /Contents.
				tsaHex := []byte(hex.EncodeToString(tsa.Signer.Cert.Raw))
				if !bytes.Contains(bytes.ToLower(out.Bytes()), tsaHex) {
					t.Error("no time-stamp token in the PDF signature")
				}
			}
			dir := t.TempDir()
			signed := filepath.Join(dir, "signed.pdf")
			os.WriteFile(signed, out.Bytes(), 0o644)
			got, _ := run(t, dir, pdfsig, "-nssdir", db, signed)
			for _, want := range []string{"Signature is Valid", "Total document signed", "Certificate is Trusted", "Nicolás O'Higgins"} {
				if !strings.Contains(got, want) {
					t.Errorf("pdfsig lacks %q:\n%s", want, got)
				}
			}
			if res, ok := run(t, dir, qpdf, "--check", signed); !ok || !strings.Contains(res, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check: %s", res)
			}
			// One changed byte in the signed range breaks the signature.
			tampered := bytes.Clone(out.Bytes())
			i := bytes.Index(tampered, []byte("/Title"))
			if i < 0 {
				t.Fatal("no /Title in the PDF")
			}
			tampered[i+8] ^= 0x01
			os.WriteFile(signed, tampered, 0o644)
			got, _ = run(t, dir, pdfsig, "-nssdir", db, signed)
			if strings.Contains(got, "Signature is Valid") {
				t.Errorf("pdfsig accepts a changed PDF:\n%s", got)
			}
		})
	}
}

func TestSignPDFRefuses(t *testing.T) {
	in := testPDF(t)
	var out bytes.Buffer
	if err := SignPDF(bytes.NewReader(in), int64(len(in)), &out, edCred(t), PDFSignOptions{}); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("bare key: %v", err)
	}
	cred, _ := certCred(t, signtest.ECDSAP256, false)
	junk := []byte("%PDF-1.4\nthis is not really a PDF")
	if err := SignPDF(bytes.NewReader(junk), int64(len(junk)), &out, cred, PDFSignOptions{}); err == nil {
		t.Error("signed a broken PDF")
	}
}
