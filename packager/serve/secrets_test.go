package serve

import (
	"bytes"
	"crypto/x509"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/casepack/casepack/packager/sign/signtest"
	"software.sslmate.com/src/go-pkcs12"
)

// syncBuffer is a log a server writes from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsStayOut: the PKCS#12 password typed into the Build page
// signs the package and is found nowhere afterwards — not in the log, not
// in any page, not in any file of the workspace; nor are the token, the
// session or the CSRF token ever logged.
func TestSecretsStayOut(t *testing.T) {
	var log syncBuffer
	s, err := New(Options{Workspace: t.TempDir(), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.ln.Close()
	c := &client{t: t, s: s}
	laVegaWorkbook(t, c, "lv")

	const password = "correct horse 7 battery"
	ca, err := signtest.NewCA("Root")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner("Org Signer", signtest.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pkcs12.Modern2023.Encode(leaf.Key, leaf.Cert, []*x509.Certificate{ca.Cert}, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(s.workspace, keysDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := signtest.WriteFile(filepath.Join(s.workspace, keysDir), "org.p12", pfx, 0o600); err != nil {
		t.Fatal(err)
	}

	var pages []string
	rec := c.post("/case/lv/build", url.Values{"key": {"org.p12"}, "password": {"wrong " + password}})
	wantStatus(t, rec, http.StatusBadRequest)
	pages = append(pages, rec.Body.String())
	mustContain(t, rec.Body.String(), "org.p12")

	body := c.follow(c.post("/case/lv/build", url.Values{"key": {"org.p12"}, "password": {password}}))
	mustContain(t, body, "with 1 signature")
	pages = append(pages, body, c.get("/case/lv/build").Body.String())

	for _, p := range pages {
		if strings.Contains(p, password) {
			t.Fatal("a page shows the password")
		}
	}
	for name, secret := range map[string]string{"password": password, "token": s.token, "session": s.session, "CSRF token": s.csrf} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the log holds the %s:\n%s", name, log.String())
		}
	}
	filepath.WalkDir(s.workspace, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(password)) {
			t.Errorf("%s holds the password", p)
		}
		return nil
	})
	if !strings.Contains(log.String(), "built OCDH-2021-LV-001_confidential") {
		t.Errorf("the log does not say what was built:\n%s", log.String())
	}
}

// TestUploadCap: an upload over the cap is refused (413) and leaves
// nothing behind, in the case or in the upload folder.
func TestUploadCap(t *testing.T) {
	s, err := New(Options{Workspace: t.TempDir(), MaxUpload: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.ln.Close()
	c := &client{t: t, s: s}
	laVegaWorkbook(t, c, "lv")
	before, _ := os.ReadFile(filepath.Join(s.workspace, "lv", "case.xlsx"))
	rec := c.upload("/case/lv/evidence", s.csrf, nil, [3]string{"files", "big.bin", strings.Repeat("x", 128<<10)})
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	mustContain(t, rec.Body.String(), "big.bin is larger than this app accepts (64.0 KiB)")
	if _, err := os.Stat(filepath.Join(s.workspace, "lv", "evidence", "big.bin")); err == nil {
		t.Error("the refused file reached the case")
	}
	if after, _ := os.ReadFile(filepath.Join(s.workspace, "lv", "case.xlsx")); !bytes.Equal(before, after) {
		t.Error("the refused upload changed the case file")
	}
	if ups, _ := os.ReadDir(filepath.Join(s.workspace, uploadsDir)); len(ups) != 0 {
		t.Errorf("the refused upload left %d entries", len(ups))
	}
}

// FuzzCheckName: a name checkName accepts is one element directly under
// the folder it is joined to, whatever bytes a request carries.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"lv", "..", "../x", "a/b", `a\b`, ".hidden", "x\x00", "C:", "La Vega 2021", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if checkName(name) != nil {
			return
		}
		ws := filepath.FromSlash("/work/space")
		p := filepath.Join(ws, name)
		if filepath.Dir(p) != ws || filepath.Base(p) != name {
			t.Fatalf("%q accepted but joins to %q", name, p)
		}
	})
}
