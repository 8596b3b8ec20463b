package sign

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/failfs"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign/signtest"
)

func TestVerifyPackageStates(t *testing.T) {
	tsa := newTSA(t)
	type fixture struct {
		dir   string
		trust []TrustAnchor
	}
	edPub := func(t *testing.T, dir string) []TrustAnchor {
		data, err := os.ReadFile(filepath.Join(dir, "signatures/1-alice.pub.pem"))
		if err != nil {
			t.Fatal(err)
		}
		return trustPEM(t, "alice.pub.pem", data)
	}
	signEd := func(t *testing.T, tsaURL string) string {
		dir := newBag(t)
		s := mustSigner(t, edCred(t), "Alice")
		s.TSAURL = tsaURL
		signInto(t, dir, s, 1)
		return dir
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T) fixture
		require bool
		status  Status   // of signature 0; "" when there is none
		want    []string // "CODE path" findings that must be present
		ok      bool
	}{
		{
			name:   "ed25519 untrusted without --trust",
			setup:  func(t *testing.T) fixture { return fixture{dir: signEd(t, "")} },
			status: StatusValidUntrusted,
			want:   []string{"CP-SIG-UNTRUSTED signatures/1-alice.sig"},
			ok:     true,
		},
		{
			name: "ed25519 trusted by its public key",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			ok:     true,
		},
		{
			name: "ed25519 by a key other than the trusted one is untrusted, not valid",
			setup: func(t *testing.T) fixture {
				other, _ := MarshalPublicKeyPEM(edCred(t).Public())
				return fixture{dir: signEd(t, ""), trust: trustPEM(t, "bob.pub.pem", other)}
			},
			require: true,
			status:  StatusValidUntrusted,
			want:    []string{"CP-SIG-UNTRUSTED signatures/1-alice.sig", "CP-SIG-NONE-TRUSTED signatures/"},
			ok:      false,
		},
		{
			name: "tag manifest changed",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				flipByte(t, filepath.Join(dir, SignedFile), 10)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-INVALID signatures/1-alice.sig"},
		},
		{
			name: "signature byte flipped",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				flipByte(t, filepath.Join(dir, "signatures/1-alice.sig"), 5)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-INVALID signatures/1-alice.sig"},
		},
		{
			name: "public key swapped for another key",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				other, _ := MarshalPublicKeyPEM(edCred(t).Public())
				os.WriteFile(filepath.Join(dir, "signatures/1-alice.pub.pem"), other, 0o644)
				return fixture{dir: dir, trust: trustPEM(t, "x", other)}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-INVALID signatures/1-alice.sig"},
		},
		{
			name: "label name changed",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				p := filepath.Join(dir, "signatures/1-alice.json")
				data, _ := os.ReadFile(p)
				os.WriteFile(p, bytes.Replace(data, []byte(`"Alice"`), []byte(`"Mallory"`), 1), 0o644)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-SIG-LABEL signatures/1-alice.json"},
		},
		{
			name: "label signature removed",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.Remove(filepath.Join(dir, "signatures/1-alice.json.sig"))
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-SIG-LABEL signatures/1-alice.json"},
		},
		{
			name: "public key missing",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.Remove(filepath.Join(dir, "signatures/1-alice.pub.pem"))
				return fixture{dir: dir}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-INCOMPLETE signatures/1-alice.sig"},
		},
		{
			name: "signature removed leaves orphans",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.Remove(filepath.Join(dir, "signatures/1-alice.sig"))
				return fixture{dir: dir}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-INCOMPLETE signatures/1-alice.pub.pem", "CP-SIG-INCOMPLETE signatures/1-alice.json"},
		},
		{
			name: "unknown file in signatures is reported",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.WriteFile(filepath.Join(dir, "signatures/README.txt"), []byte("hi"), 0o644)
				os.WriteFile(filepath.Join(dir, "signatures/01-alice.sig"), []byte("hi"), 0o644)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-SIG-EXTRA signatures/README.txt", "CP-SIG-EXTRA signatures/01-alice.sig"},
		},
		{
			name: "sub-folder in signatures is reported",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.Mkdir(filepath.Join(dir, "signatures/x"), 0o755)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-SIG-EXTRA signatures/x"},
		},
		{
			name:  "no signature",
			setup: func(t *testing.T) fixture { return fixture{dir: newBag(t)} },
			want:  []string{"CP-SIG-MISSING signatures/"},
			ok:    true,
		},
		{
			name:    "no signature but one is required",
			setup:   func(t *testing.T) fixture { return fixture{dir: newBag(t)} },
			require: true,
			want:    []string{"CP-SIG-MISSING signatures/"},
		},
		{
			name: "time-stamp trusted gives the time",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, tsa.URL)
				return fixture{dir: dir, trust: append(edPub(t, dir), trustPEM(t, "tsa-ca.pem", tsa.CA.PEM())...)}
			},
			require: true,
			status:  StatusValidTrusted,
			ok:      true,
		},
		{
			name: "time-stamp from an untrusted authority",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, tsa.URL)
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-TSA-UNTRUSTED signatures/1-alice.tsr"},
			ok:     true,
		},
		{
			name: "time-stamp byte flipped",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, tsa.URL)
				flipByte(t, filepath.Join(dir, "signatures/1-alice.tsr"), -20)
				return fixture{dir: dir, trust: append(edPub(t, dir), trustPEM(t, "tsa-ca.pem", tsa.CA.PEM())...)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-TSA-INVALID signatures/1-alice.tsr"},
		},
		{
			name: "time-stamp of another signature",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, tsa.URL)
				other := signEd(t, tsa.URL)
				tsr, _ := os.ReadFile(filepath.Join(other, "signatures/1-alice.tsr"))
				os.WriteFile(filepath.Join(dir, "signatures/1-alice.tsr"), tsr, 0o644)
				return fixture{dir: dir, trust: append(edPub(t, dir), trustPEM(t, "tsa-ca.pem", tsa.CA.PEM())...)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-TSA-INVALID signatures/1-alice.tsr"},
		},
		{
			name: "time-stamp removed though the label names it",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, tsa.URL)
				os.Remove(filepath.Join(dir, "signatures/1-alice.tsr"))
				return fixture{dir: dir, trust: edPub(t, dir)}
			},
			status: StatusValidTrusted,
			want:   []string{"CP-SIG-INCOMPLETE signatures/1-alice.tsr"},
		},
		{
			name: "manifest missing",
			setup: func(t *testing.T) fixture {
				dir := signEd(t, "")
				os.Remove(filepath.Join(dir, SignedFile))
				return fixture{dir: dir}
			},
			status: StatusInvalid,
			want:   []string{"CP-SIG-NO-MANIFEST " + SignedFile},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := tc.setup(t)
			r, err := VerifyPackage(os.DirFS(fx.dir), VerifyOptions{Trust: fx.trust, RequireSignature: tc.require})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				code, p, _ := strings.Cut(w, " ")
				if !hasFinding(r, code, p) {
					t.Errorf("missing finding %s; got:\n%s", w, codes(r))
				}
			}
			if r.OK() != tc.ok {
				t.Errorf("OK() = %v, want %v; findings:\n%s", r.OK(), tc.ok, codes(r))
			}
			if tc.status == "" {
				if len(r.Signatures) != 0 {
					t.Errorf("signatures: %+v", r.Signatures)
				}
				return
			}
			if len(r.Signatures) != 1 {
				t.Fatalf("want 1 signature result, got %d", len(r.Signatures))
			}
			if got := r.Signatures[0].Status; got != tc.status {
				t.Errorf("status %s, want %s; findings:\n%s", got, tc.status, codes(r))
			}
		})
	}
}

func TestVerifyReportDetails(t *testing.T) {
	tsa := newTSA(t)
	fixed := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	tsa.Now = func() time.Time { return fixed }
	dir := newBag(t)
	cred, ca := certCred(t, signtest.ECDSAP256, true)
	s := mustSigner(t, cred, "Nicolás O'Higgins")
	s.TSAURL = tsa.URL
	signInto(t, dir, s, 1)
	ed := mustSigner(t, edCred(t), "")
	signInto(t, dir, ed, 2)

	trust := append(trustPEM(t, "root.pem", ca.PEM()), trustPEM(t, "tsa.pem", tsa.CA.PEM())...)
	r, err := VerifyPackage(os.DirFS(dir), VerifyOptions{Trust: trust})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Signatures) != 2 {
		t.Fatalf("signatures: %d", len(r.Signatures))
	}
	cms, raw := r.Signatures[0], r.Signatures[1]
	if cms.ID != "1-nicolas-o-higgins" || cms.Format != FormatCMS || cms.Status != StatusValidTrusted || cms.TrustedBy != "root.pem" {
		t.Errorf("cms result: %+v", cms)
	}
	if !strings.Contains(cms.CertificateSubject, "CN=Nicolás O'Higgins") || !strings.Contains(cms.CertificateIssuer, "Sub-CA") {
		t.Errorf("subject %q issuer %q", cms.CertificateSubject, cms.CertificateIssuer)
	}
	if !cms.Time.Equal(fixed) || cms.TimeSource != "timestamp" || cms.Timestamp == nil || cms.Timestamp.Status != StatusValidTrusted {
		t.Errorf("time %v source %q ts %+v", cms.Time, cms.TimeSource, cms.Timestamp)
	}
	if cms.Signer == nil || cms.Signer.Name != "Nicolás O'Higgins" || cms.Signer.Organisation != "Fundación Ejemplo" {
		t.Errorf("label %+v", cms.Signer)
	}
	wantFP, _ := ed.Cred.Fingerprint()
	if raw.ID != "2-alice" || raw.KeyFingerprint != wantFP || raw.Status != StatusValidUntrusted {
		t.Errorf("ed25519 result: %+v (want fingerprint %s)", raw, wantFP)
	}
	if r.TrustedValid != 1 {
		t.Errorf("trusted valid %d", r.TrustedValid)
	}
	// The report is JSON with snake_case names.
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"key_fingerprint"`, `"certificate_subject"`, `"time_source":"timestamp"`, `"status":"valid_trusted"`, `"status":"valid_untrusted"`, `"trusted_valid":1`} {
		if !bytes.Contains(js, []byte(k)) {
			t.Errorf("JSON lacks %s: %s", k, js)
		}
	}
}

func TestVerifyCMSTrust(t *testing.T) {
	dir := newBag(t)
	cred, ca := certCred(t, signtest.RSA2048, false)
	signInto(t, dir, mustSigner(t, cred, "Org Signer"), 1)
	otherCA, err := signtest.NewCA("Other Root")
	if err != nil {
		t.Fatal(err)
	}
	leafPEM := (&signtest.Cert{Cert: cred.Certificate}).PEM()
	pubPEM, _ := MarshalPublicKeyPEM(cred.Public())
	for _, tc := range []struct {
		name  string
		trust []TrustAnchor
		want  Status
	}{
		{"root CA", trustPEM(t, "root.pem", ca.PEM()), StatusValidTrusted},
		{"the signer certificate itself", trustPEM(t, "leaf.pem", leafPEM), StatusValidTrusted},
		{"the signer's public key", trustPEM(t, "leaf.pub.pem", pubPEM), StatusValidTrusted},
		{"another CA", trustPEM(t, "other.pem", otherCA.PEM()), StatusValidUntrusted},
		{"nothing", nil, StatusValidUntrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := VerifyPackage(os.DirFS(dir), VerifyOptions{Trust: tc.trust})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Signatures[0].Status; got != tc.want {
				t.Errorf("status %s, want %s: %s", got, tc.want, codes(r))
			}
		})
	}
	// Years later the certificate has expired; without a time-stamp the
	// signature can no longer be trusted, and verify says why.
	r, err := VerifyPackage(os.DirFS(dir), VerifyOptions{Trust: trustPEM(t, "root.pem", ca.PEM()), Now: time.Now().AddDate(20, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Signatures[0].Status != StatusValidUntrusted || !strings.Contains(r.Signatures[0].Problem, "expired") {
		t.Errorf("expired: %+v", r.Signatures[0])
	}
}

func TestVerifyZipSubFS(t *testing.T) {
	dir := newBag(t)
	s := mustSigner(t, edCred(t), "Alice")
	signInto(t, dir, s, 1)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		w, err := zw.Create("pkg_confidential/" + p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(zr, "pkg_confidential")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := MarshalPublicKeyPEM(s.Cred.Public())
	r, err := VerifyPackage(sub, VerifyOptions{Trust: trustPEM(t, "alice.pub.pem", pub), RequireSignature: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.TrustedValid != 1 {
		t.Errorf("zip: %s %+v", codes(r), r.Signatures)
	}
}

func TestParseTrust(t *testing.T) {
	cred := edCred(t)
	priv, _ := MarshalPrivateKeyPEM(cred.Signer)
	pub, _ := MarshalPublicKeyPEM(cred.Public())
	ca, err := signtest.NewCA("x")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		n    int
		err  string
	}{
		{"public key", pub, 1, ""},
		{"certificate and key", append(ca.PEM(), pub...), 2, ""},
		{"private key refused", priv, 0, "private key"},
		{"nothing", []byte("hello"), 0, "no public key or certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseTrust("f", tc.data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(a) != tc.n {
				t.Fatalf("got %d anchors, err %v", len(a), err)
			}
		})
	}
}

// A signature file the verifier cannot read is "cannot read" (exit 1),
// never "INVALID" (exit 4): nothing is known about it.
func TestVerifyPackageUnreadableSignature(t *testing.T) {
	dir := newBag(t)
	signInto(t, dir, mustSigner(t, edCred(t), "Alice"), 1)
	for _, errno := range []error{syscall.EACCES, syscall.EIO} {
		_, err := VerifyPackage(failfs.FS{FS: os.DirFS(dir), Name: "signatures/1-alice.sig", Err: errno}, VerifyOptions{})
		if fault.ClassOf(err) != fault.Operational {
			t.Fatalf("%v: error %v (class %v), want an operational error", errno, err, fault.ClassOf(err))
		}
		if want := "signatures/1-alice.sig: cannot read: "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%v: message %q, want it to start %q", errno, err, want)
		}
	}
}
