package serve

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/fault"
	"github.com/xuri/excelize/v2"
)

// client calls a server's handler as a logged-in browser would: with the
// session cookie, the app's Host and Origin, and the CSRF token.
type client struct {
	t *testing.T
	s *Server
}

func newServer(t *testing.T) (*Server, *client) {
	t.Helper()
	s, err := New(Options{Workspace: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.ln.Close() })
	return s, &client{t: t, s: s}
}

func (c *client) host() string { return strings.TrimPrefix(c.s.origin, "http://") }

func (c *client) do(req *http.Request, session bool) *httptest.ResponseRecorder {
	c.t.Helper()
	if req.Host == "" || req.Host == "example.com" {
		req.Host = c.host()
	}
	if session {
		req.AddCookie(&http.Cookie{Name: c.s.cookie, Value: c.s.session})
	}
	rec := httptest.NewRecorder()
	c.s.Handler().ServeHTTP(rec, req)
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest("GET", path, nil), true)
}

// post sends a form with the CSRF token (unless form sets csrf itself).
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.s.csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.s.origin)
	return c.do(req, true)
}

// multipartBody builds a multipart form: the token first (when csrf is
// not ""), then fields, then files (field, name, content).
func multipartBody(t *testing.T, csrf string, fields map[string]string, files ...[3]string) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f[0], f[1])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f[2])
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func (c *client) upload(path, csrf string, fields map[string]string, files ...[3]string) *httptest.ResponseRecorder {
	ct, body := multipartBody(c.t, csrf, fields, files...)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", c.s.origin)
	return c.do(req, true)
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, want, rec.Body.String())
	}
}

func TestLoginExchangesTokenForCookie(t *testing.T) {
	s, c := newServer(t)
	rec := c.do(httptest.NewRequest("GET", "/login?token=wrong", nil), false)
	wantStatus(t, rec, http.StatusUnauthorized)
	if len(rec.Result().Cookies()) != 0 {
		t.Fatal("a wrong token got a cookie")
	}
	u, _ := url.Parse(s.URL())
	rec = c.do(httptest.NewRequest("GET", u.RequestURI(), nil), false)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Errorf("login sends the browser to %q, want / (the token must leave the address bar)", loc)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 || cs[0].Value != s.session || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v: want the session, HttpOnly, SameSite=Strict", cs)
	}
	if s.session == s.token || s.csrf == s.token || s.csrf == s.session {
		t.Fatal("token, session and CSRF token must differ")
	}
}

func TestEveryPageNeedsTheSession(t *testing.T) {
	_, c := newServer(t)
	for _, p := range []string{"/", "/case/x", "/verify", "/jobs/1"} {
		rec := c.do(httptest.NewRequest("GET", p, nil), false)
		wantStatus(t, rec, http.StatusUnauthorized)
		if !strings.Contains(rec.Body.String(), "Open the address casepack serve printed") {
			t.Errorf("%s: the refusal does not say what to do:\n%s", p, rec.Body.String())
		}
	}
}

func TestForeignHostRefused(t *testing.T) {
	s, c := newServer(t)
	_, port, _ := strings.Cut(c.host(), ":")
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1:1", "localhost.evil.example:" + port, "10.0.0.1:" + port} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = host
		rec := c.do(req, true)
		wantStatus(t, rec, http.StatusMisdirectedRequest)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Host = host
		wantStatus(t, c.do(req, true), http.StatusOK)
	}
	// The login itself is refused on a foreign Host.
	u, _ := url.Parse(s.URL())
	req := httptest.NewRequest("GET", u.RequestURI(), nil)
	req.Host = "evil.example:" + port
	wantStatus(t, c.do(req, false), http.StatusMisdirectedRequest)
}

func TestPostWithoutTokenRefused(t *testing.T) {
	s, c := newServer(t)
	form := url.Values{"name": {"a"}, "form": {"json"}, "sample": {"minimal"}}

	form.Set("csrf", "")
	wantStatus(t, c.post("/cases/new", form), http.StatusForbidden)
	form.Set("csrf", "not-the-token")
	wantStatus(t, c.post("/cases/new", form), http.StatusForbidden)

	// The right token from another site.
	form.Set("csrf", s.csrf)
	req := httptest.NewRequest("POST", "/cases/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	wantStatus(t, c.do(req, true), http.StatusForbidden)

	// A multipart upload without the token as its first field: refused
	// before the file is read.
	rec := c.upload("/cases/upload", "", map[string]string{"name": "b"}, [3]string{"file", "case.json", "{}"})
	wantStatus(t, rec, http.StatusForbidden)
	ct, body := multipartBody(t, "", map[string]string{"name": "b"}, [3]string{"file", "case.json", "{}"})
	req = httptest.NewRequest("POST", "/cases/upload", body)
	req.Header.Set("Content-Type", ct)
	wantStatus(t, c.do(req, false), http.StatusUnauthorized)

	ents, _ := os.ReadDir(s.workspace)
	for _, e := range ents {
		if e.Name() != uploadsDir {
			t.Errorf("a refused request left %s in the workspace", e.Name())
		}
	}
	if ups, _ := os.ReadDir(filepath.Join(s.workspace, uploadsDir)); len(ups) != 0 {
		t.Errorf("a refused upload left %d entries behind", len(ups))
	}
}

func TestTraversalRefused(t *testing.T) {
	s, c := newServer(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "case.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(s.workspace, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/case/..%2F..%2Fetc", "/case/..", "/case/.casepack-uploads", "/case/link", "/case/a%5Cb", "/case/%2Fetc", "/case/x%00y"} {
		rec := c.get(p)
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusBadRequest && rec.Code != http.StatusMovedPermanently && rec.Code != http.StatusTemporaryRedirect {
			t.Errorf("GET %s: status %d, want a refusal", p, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "Problems in") {
			t.Errorf("GET %s opened a case", p)
		}
	}
	for _, name := range []string{"../escape", "..", ".hidden", "a/b", `a\b`, "link", "x\x00y", "/tmp/abs"} {
		rec := c.post("/cases/new", url.Values{"name": {name}, "form": {"json"}})
		if rec.Code < 400 {
			t.Errorf("new case %q: status %d, want a refusal", name, rec.Code)
		}
		rec = c.upload("/cases/upload", s.csrf, map[string]string{"name": name}, [3]string{"file", "case.json", "{}"})
		if rec.Code < 400 {
			t.Errorf("upload to %q: status %d, want a refusal", name, rec.Code)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.workspace), "escape")); err == nil {
		t.Fatal("a case was created outside the workspace")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Fatal("something was written through the link")
	}
}

func TestNonLoopbackNeedsAllowRemote(t *testing.T) {
	dir := t.TempDir()
	for _, addr := range []string{"0.0.0.0:0", "[::]:0"} {
		_, err := New(Options{Addr: addr, Workspace: dir})
		if !errors.Is(err, ErrNotLoopback) || fault.ClassOf(err) != fault.Usage {
			t.Errorf("%s: error %v, want a usage error wrapping ErrNotLoopback", addr, err)
		}
	}
	if _, err := New(Options{Addr: "example.com:0", Workspace: dir}); fault.ClassOf(err) != fault.Usage {
		t.Errorf("a host name: error %v, want a usage error", err)
	}
	s, err := New(Options{Addr: "0.0.0.0:0", Workspace: dir, AllowRemote: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.ln.Close()
	c := &client{t: t, s: s}
	// Any IP literal with the port; never a name.
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = "192.0.2.7:" + s.port()
	wantStatus(t, c.do(req, true), http.StatusOK)
	req = httptest.NewRequest("GET", "/", nil)
	req.Host = "rebind.example:" + s.port()
	wantStatus(t, c.do(req, true), http.StatusMisdirectedRequest)
}

func TestSecurityHeaders(t *testing.T) {
	_, c := newServer(t)
	for _, rec := range []*httptest.ResponseRecorder{c.get("/"), c.get("/static/app.js"), c.do(httptest.NewRequest("GET", "/", nil), false)} {
		if got := rec.Header().Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("CSP %q", got)
		}
		if strings.Contains(rec.Header().Get("Content-Security-Policy"), "unsafe-inline") {
			t.Error("the CSP allows inline code")
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control"} {
			if rec.Header().Get(h) == "" {
				t.Errorf("no %s header", h)
			}
		}
	}
	// No inline script or style in any page: the CSP would block it.
	body := c.get("/").Body.String()
	for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload="} {
		if strings.Contains(body, bad) {
			t.Errorf("the page has inline code %q", bad)
		}
	}
}

// laVegaWorkbook starts the La Vega sample as a workbook case through the
// app, as a user would.
func laVegaWorkbook(t *testing.T, c *client, name string) string {
	t.Helper()
	rec := c.post("/cases/new", url.Values{"name": {name}, "form": {"xlsx"}, "sample": {"la-vega"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/case/"+name {
		t.Fatalf("new case goes to %q", loc)
	}
	return filepath.Join(c.s.workspace, name, "case.xlsx")
}

func setCell(t *testing.T, file, sheet, cell string, v any) {
	t.Helper()
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	x.Close()
}

func getCell(t *testing.T, file, sheet, cell string) string {
	t.Helper()
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	v, err := x.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProblemsLocatedInTheWorkbook(t *testing.T) {
	_, c := newServer(t)
	file := laVegaWorkbook(t, c, "lv")
	rec := c.get("/case/lv")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), "The case is valid") {
		t.Fatalf("the La Vega sample is not shown valid:\n%s", rec.Body.String())
	}
	stamp := c.get("/case/lv/stamp").Body.String()

	setCell(t, file, "Persons", "K2", "twelve")
	if c.get("/case/lv/stamp").Body.String() == stamp {
		t.Fatal("the stamp did not change with the case file")
	}
	body := c.get("/case/lv").Body.String()
	for _, want := range []string{"The case is not valid yet", "case.xlsx: sheet Persons, cell K2 (age)", "CP-SCHEMA-TYPE", "must be a whole number"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Problems page lacks %q:\n%s", want, body)
		}
	}
	// The filter: warnings only hides the error; a search finds it.
	if strings.Contains(c.get("/case/lv?severity=warning").Body.String(), "cell K2") {
		t.Error("severity=warning still shows an error")
	}
	if !strings.Contains(c.get("/case/lv?q=persons").Body.String(), "cell K2") {
		t.Error("q=persons does not find the finding on sheet Persons")
	}
	if strings.Contains(c.get("/case/lv?q=no-such-text").Body.String(), "cell K2") {
		t.Error("a search for absent text still shows the finding")
	}
}

func TestUploadCaseFile(t *testing.T) {
	s, c := newServer(t)
	src := laVegaWorkbook(t, c, "orig")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	rec := c.upload("/cases/upload", s.csrf, map[string]string{"name": "uploaded"}, [3]string{"file", "La Vega.xlsx", string(data)})
	wantStatus(t, rec, http.StatusSeeOther)
	got, err := os.ReadFile(filepath.Join(s.workspace, "uploaded", "case.xlsx"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the uploaded workbook is not case.xlsx of the new folder: %v", err)
	}
	// Never into an existing folder, never a file that is not a case file.
	rec = c.upload("/cases/upload", s.csrf, map[string]string{"name": "uploaded"}, [3]string{"file", "case.xlsx", string(data)})
	wantStatus(t, rec, http.StatusBadRequest)
	rec = c.upload("/cases/upload", s.csrf, map[string]string{"name": "other"}, [3]string{"file", "notes.docx", "x"})
	wantStatus(t, rec, http.StatusBadRequest)
	if _, err := os.Stat(filepath.Join(s.workspace, "other")); err == nil {
		t.Error("a refused upload made a folder")
	}
	if !strings.Contains(c.get("/").Body.String(), "Open uploaded") {
		t.Error("the Cases page does not list the uploaded case")
	}
}

// TestServedInsideACase: the app writes packages/, keys/ and its archive
// into the workspace, so a case folder (or a folder inside one) is refused
// as the workspace, with the folder to give instead; a workspace that
// becomes a case folder while the app runs is told on the Cases page.
func TestServedInsideACase(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "case")
	if _, err := packager.Init(dir, packager.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ws := range []string{dir, filepath.Join(dir, "evidence")} {
		_, err := New(Options{Workspace: ws})
		if !errors.Is(err, destination.ErrInsideCase) || fault.ClassOf(err) != fault.Usage || !strings.Contains(fault.HintOf(err), "--workspace "+parent) {
			t.Errorf("workspace %s: err %v, hint %q; want a usage error naming --workspace %s", ws, err, fault.HintOf(err), parent)
		}
	}
	s, c := newServer(t)
	if strings.Contains(c.get("/").Body.String(), "itself a case folder") {
		t.Error("an empty workspace is called a case folder")
	}
	if err := os.WriteFile(filepath.Join(s.workspace, "case.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.get("/").Body.String(), "This folder is itself a case folder", "--workspace ..")
}
