package serve

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// follow waits for the job a POST was redirected to, and returns its
// result page.
func (c *client) follow(rec interface{ Result() *http.Response }) string {
	c.t.Helper()
	loc := rec.Result().Header.Get("Location")
	if !strings.HasPrefix(loc, "/jobs/") {
		c.t.Fatalf("not sent to a job but to %q", loc)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var st jobState
		if err := json.Unmarshal(c.get(loc+"/state").Body.Bytes(), &st); err != nil {
			c.t.Fatal(err)
		}
		if st.Done {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s did not finish", loc)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c.get(loc).Body.String()
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("the page lacks %q:\n%s", w, body)
		}
	}
}

// TestWorkflow takes the La Vega workbook through the app: evidence
// added (a duplicate refused with the ID that holds it), a key made, the
// package built and signed, downloaded, and verified — intact, and not
// once a byte of it changed.
func TestWorkflow(t *testing.T) {
	s, c := newServer(t)
	laVegaWorkbook(t, c, "lv")

	// Evidence: a new file is added with the next ID; the same bytes
	// again are refused with the ID that holds them.
	photo := "synthetic photo bytes " + strings.Repeat("x", 5000)
	body := c.follow(c.upload("/case/lv/evidence", s.csrf, map[string]string{"title": "Photo of the wall", "actor": "A. Paralegal"},
		[3]string{"files", "wall.jpg", photo}))
	mustContain(t, body, "1 file added", "wall.jpg", "evidence/wall.jpg")
	if strings.Contains(body, s.workspace) {
		t.Error("the result names the upload's temporary folder")
	}
	got, err := os.ReadFile(filepath.Join(s.workspace, "lv", "evidence", "wall.jpg"))
	if err != nil || string(got) != photo {
		t.Fatalf("the evidence file is not in the case folder as sent: %v", err)
	}
	body = c.follow(c.upload("/case/lv/evidence", s.csrf, nil, [3]string{"files", "copy.jpg", photo}))
	mustContain(t, body, "Not added", "copy.jpg", "already held by EV-")
	mustContain(t, c.get("/case/lv/evidence").Body.String(), "Photo of the wall")
	if ups, _ := os.ReadDir(filepath.Join(s.workspace, uploadsDir)); len(ups) != 0 {
		t.Errorf("uploads left behind: %d", len(ups))
	}
	// The case is still valid (the new item is cited nowhere: a warning).
	mustContain(t, c.get("/case/lv").Body.String(), "The case is valid")

	// A key, then a signed build of the confidential edition.
	mustContain(t, c.post("/keys/new", url.Values{"name": {"alice"}, "case": {"lv"}}).Body.String(), "Fingerprint", "sha256:")
	mustContain(t, c.get("/case/lv/build").Body.String(), "alice.key", "The public edition would withhold", `value="fr"`, "français", "español")
	body = c.follow(c.post("/case/lv/build", url.Values{"edition": {"confidential"}, "key": {"alice.key"}, "signer_name": {"Alice"}}))
	mustContain(t, body, "was built", "Download the ZIP")
	pkgs := s.packages()
	if len(pkgs) != 1 {
		t.Fatalf("packages: %v", pkgs)
	}
	zipRec := c.get("/packages/" + pkgs[0] + "/zip")
	wantStatus(t, zipRec, http.StatusOK)
	if zipRec.Header().Get("Content-Type") != "application/zip" || !strings.HasPrefix(zipRec.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("the ZIP is served as %q, %q", zipRec.Header().Get("Content-Type"), zipRec.Header().Get("Content-Disposition"))
	}
	pdf := c.get("/packages/" + pkgs[0] + "/narrative")
	wantStatus(t, pdf, http.StatusOK)
	if !bytes.HasPrefix(pdf.Body.Bytes(), []byte("%PDF-")) {
		t.Error("the narrative is not a PDF")
	}
	for _, bad := range []string{"/packages/..%2F..%2Fetc/zip", "/packages/" + pkgs[0] + "/passwd", "/packages/.casepack-uploads/zip"} {
		if rec := c.get(bad); rec.Code < 400 {
			t.Errorf("GET %s: %d", bad, rec.Code)
		}
	}

	// The same edition again: refused unless asked to replace it.
	body = c.follow(c.post("/case/lv/build", url.Values{"edition": {"confidential"}, "key": {"alice.key"}}))
	mustContain(t, body, "It failed:", "already exists")
	mustContain(t, c.follow(c.post("/case/lv/build", url.Values{"edition": {"confidential"}, "key": {"alice.key"}, "signer_name": {"Alice"}, "replace": {"1"}})), "was built")
	// A language chosen on the page is the narrative's.
	mustContain(t, c.follow(c.post("/case/lv/build", url.Values{"edition": {"confidential"}, "key": {"alice.key"}, "signer_name": {"Alice"}, "lang": {"fr"}, "replace": {"1"}})),
		"was built", "<dt>Languages</dt><dd>fr</dd>")
	if rec := c.post("/case/lv/build", url.Values{"edition": {"confidential"}, "lang": {"xx"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("an unknown language: %d", rec.Code)
	}
	// The public edition: built, with what it withholds.
	mustContain(t, c.follow(c.post("/case/lv/build", url.Values{"edition": {"public"}, "key": {"alice.key"}})),
		"OCDH-2021-LV-001_public was built", "withheld", "with 1 signature")
	if rec := c.post("/case/lv/build", url.Values{"edition": {"secret"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("an unknown edition: %d", rec.Code)
	}
	pkgs = pkgs[:1]
	zipRec = c.get("/packages/" + pkgs[0] + "/zip")

	// Verify the downloaded ZIP with the public key: intact, trusted.
	pub, err := os.ReadFile(filepath.Join(s.workspace, keysDir, "alice.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	zipBytes := zipRec.Body.Bytes()
	body = c.follow(c.upload("/verify", s.csrf, map[string]string{"require": "1"},
		[3]string{"package", "pkg.zip", string(zipBytes)}, [3]string{"trust", "alice.pub.pem", string(pub)}))
	mustContain(t, body, "INTACT", "valid, by a trusted signer", "Alice")

	// The same ZIP with one evidence byte changed: not intact, and the
	// file named.
	body = c.follow(c.upload("/verify", s.csrf, nil, [3]string{"package", "pkg.zip", string(tamper(t, zipBytes, "wall.jpg"))}))
	mustContain(t, body, "NOT INTACT", "wall.jpg", "CP-BAG-MODIFIED")

	// A trusted key that is not one: named as it was uploaded (never by the
	// folder it waited in), with what to give instead.
	rec := c.upload("/verify", s.csrf, nil, [3]string{"package", "pkg.zip", string(zipBytes)}, [3]string{"trust", "junk.pem", "not a key"})
	body = rec.Body.String()
	mustContain(t, body, "A trusted key cannot be read", "junk.pem: not a public key or certificate casepack can read", "give a PEM public key")
	if strings.Contains(body, uploadsDir) || strings.Contains(body, "trust-1") || strings.Contains(body, "--trust") {
		t.Errorf("the page names the upload folder:\n%s", body)
	}

	// A package built here, by name.
	body = c.follow(c.upload("/verify", s.csrf, map[string]string{"built": pkgs[0]}))
	mustContain(t, body, "INTACT", "valid, but the signer is not among the trusted keys")
	if rec := c.upload("/verify", s.csrf, map[string]string{"built": "../" + pkgs[0]}); rec.Code < 400 {
		t.Errorf("a traversal in built: %d", rec.Code)
	}

	// The archive: none yet; keep the package (twice: the second time
	// nothing is written), list it, find an evidence file, audit.
	mustContain(t, c.get("/archive").Body.String(), "There is no archive yet")
	mustContain(t, c.follow(c.post("/archive/add", url.Values{"package": {pkgs[0]}})), "Stored, and checked again from the archive")
	mustContain(t, c.follow(c.post("/archive/add", url.Values{"package": {pkgs[0]}})), "already in the archive")
	mustContain(t, c.get("/archive").Body.String(), "1 stored package", pkgs[0])
	mustContain(t, c.get("/archive?find=EV-0001").Body.String(), "1 package with this file", "included")
	mustContain(t, c.follow(c.post("/archive/audit", url.Values{})), "All 1 package intact")
	if rec := c.post("/archive/add", url.Values{"package": {"../" + pkgs[0]}}); rec.Code < 400 {
		t.Errorf("a traversal in the package to archive: %d", rec.Code)
	}
}

// tamper rewrites a ZIP with one byte of the entry ending in name changed.
func tamper(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	done := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		content := b.Bytes()
		if strings.HasSuffix(f.Name, name) {
			content[0] ^= 1
			done = true
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	zw.Close()
	if !done {
		t.Fatalf("no entry ends in %s", name)
	}
	return out.Bytes()
}

// TestEvidenceAddedAtOnce: two additions to one case started together
// both land, under two IDs.
func TestEvidenceAddedAtOnce(t *testing.T) {
	s, c := newServer(t)
	laVegaWorkbook(t, c, "lv")
	a := c.upload("/case/lv/evidence", s.csrf, nil, [3]string{"files", "a.txt", strings.Repeat("a", 1<<20)})
	b := c.upload("/case/lv/evidence", s.csrf, nil, [3]string{"files", "b.txt", strings.Repeat("b", 1<<20)})
	pa, pb := c.follow(a), c.follow(b)
	mustContain(t, pa, "1 file added", "a.txt")
	mustContain(t, pb, "1 file added", "b.txt")
	items := c.get("/case/lv/evidence").Body.String()
	mustContain(t, items, "evidence/a.txt", "evidence/b.txt")
	mustContain(t, c.get("/case/lv").Body.String(), "The case is valid")
}
