package edition_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"golang.org/x/text/unicode/norm"
)

func fixture(t testing.TB) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), "testdata", schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("fixture is invalid: %v", findings)
	}
	return doc.Case
}

// TestLeakCheckVariants: a protected value is found however it is written,
// as an adversary would write it to slip past a byte search.
func TestLeakCheckVariants(t *testing.T) {
	l := edition.NewLeakCheck(fixture(t))
	const name = "full name"
	for _, tc := range []struct {
		name, text, field string // field "": no leak
	}{
		{"clean", "Victim 01 was killed in La Vega; Maria (a neighbour) saw it.", ""},
		{"as written", "said María Fernanda Quintero", name},
		{"two spaces", "María  Fernanda  Quintero", name},
		{"tab", "María\tFernanda\tQuintero", name},
		{"newline", "María\nFernanda\r\nQuintero", name},
		{"no-break space", "María\u00a0Fernanda\u00a0Quintero", name},
		{"narrow no-break and ideographic spaces", "María\u202fFernanda\u3000Quintero", name},
		{"upper case", "MARÍA FERNANDA QUINTERO", name},
		{"lower case", "maría fernanda quintero", name},
		{"accent dropped", "Maria Fernanda Quintero", name},
		{"NFD", norm.NFD.String("María Fernanda Quintero"), name},
		{"NFC", norm.NFC.String(norm.NFD.String("María Fernanda Quintero")), name},
		{"full-width letters", "Ｍａｒｉａ Ｆｅｒｎａｎｄａ Ｑｕｉｎｔｅｒｏ", name},
		{"zero-width space inside a word", "Mar\u200bía Fer\u200dnanda Quin\u00adtero", name},
		{"direction marks", "\u202eMaría\u200e Fernanda Quintero", name},
		{"as a file name", "evidence/maria-fernanda-quintero-statement.png", name},
		{"joined in camel case", "MariaFernandaQuintero.txt", name},
		{"a run of its words", "Ms Fernanda Quintero spoke", name},
		{"another run", "she is María Fernanda, from Petare", name},
		{"a single first name is no run", "María spoke first", ""},
		{"alias, other case", "known as LA FLACA", "alias"},
		{"address", "lives at Calle Inventada 1 casa 12", "address"},
		{"contact regrouped", "call +58-412-555-01-01 now", "contact"},
		{"contact without spaces", "tel. 584125550101", "contact"},
		{"identity document digits", "document V12345678", "identity document"},
		{"notes, six words of them", "we know she lives with her aunt near the market", "notes"},
		{"a date is not a contact", "2021-01-08 07:30", ""},
		{"contact with an international prefix", "0058 412 555 0101", "contact"},
		{"a document number inside a longer number is not one", "serial 0123456789", ""},
	} {
		err := l.Text("data/case/case.json", "/analysis/summary", tc.text)
		var le *edition.LeakError
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.As(err, &le) || le.Person != "V-01" || le.Field != tc.field || le.File != "data/case/case.json" || le.Location != "/analysis/summary" {
			t.Errorf("%s: got %v, want the %s of V-01", tc.name, err, tc.field)
			continue
		}
		if msg := le.Error(); !strings.Contains(msg, "data/case/case.json (/analysis/summary)") || !strings.Contains(msg, "V-01") || strings.Contains(msg, "Quintero") {
			t.Errorf("%s: message %q", tc.name, msg)
		}
	}
}

// TestLeakCheckFiles: each kind of file is read as a reader would, and the
// leak is located in it.
func TestLeakCheckFiles(t *testing.T) {
	l := edition.NewLeakCheck(fixture(t))
	for _, tc := range []struct {
		file, content, where string // where "": no leak
	}{
		{"data/case/case.json", `{"a": [1, {"b": "ok", "c/d": "Maria\u00a0Fernanda Quintero"}]}`, "/a/1/c~1d"},
		{"data/case/case.json", `{"Quintero, María Fernanda": 1}`, "/Quintero, María Fernanda (key)"},
		{"casepack/manifest.json", `{"files": ["ok"]}`, ""},
		{"data/annexes/csv/evidence.csv", "ID,Title\r\nEV-0001,ok\r\nEV-0002,\"Statement of MARIA FERNANDA QUINTERO\"\r\n", "row 3, column Title"},
		{"bag-info.txt", "Source-Organization: Org\nContact-Name: María\n  Fernanda Quintero\n", "line 2"},
		{"notes.json", "not json: María Fernanda Quintero", "line 1"},
	} {
		err := l.Bytes(tc.file, []byte(tc.content))
		var le *edition.LeakError
		if tc.where == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.file, err)
			}
			continue
		}
		if !errors.As(err, &le) || le.Location != tc.where || le.File != tc.file {
			t.Errorf("%s: got %v, want a leak at %s", tc.file, err, tc.where)
		}
	}
}

// TestLeakCheckStream: a long text is read as a stream, and a value broken
// across lines far into it is still found, on the line it starts.
func TestLeakCheckStream(t *testing.T) {
	l := edition.NewLeakCheck(fixture(t))
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		b.WriteString("the quick brown fox jumps over the lazy dog 0123456789\n")
	}
	clean := b.String()
	if err := l.Reader("data/evidence/EV-0001/log.txt", strings.NewReader(clean)); err != nil {
		t.Fatal(err)
	}
	err := l.Reader("data/evidence/EV-0001/log.txt", strings.NewReader(clean+"Maria\nFernanda\nQuintero\n"+clean))
	var le *edition.LeakError
	if !errors.As(err, &le) || le.Location != "line 20001" {
		t.Errorf("got %v, want a leak at line 20001", err)
	}
	if err := l.Reader("x.txt", errReader{}); err == nil || errors.As(err, &le) {
		t.Errorf("a read error: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestLeakCheckWorkbook: a protected value in an annex workbook is found in
// its compressed parts and named by file and part.
func TestLeakCheckWorkbook(t *testing.T) {
	c := fixture(t)
	l := edition.NewLeakCheck(c)
	write := func(c *schema.Case) []byte {
		var xlsx bytes.Buffer
		err := annex.Write(context.Background(), c, nil, annex.Options{Edition: edition.Public, Date: time.Date(2021, 2, 18, 0, 0, 0, 0, time.UTC)},
			&xlsx, func(string) (io.WriteCloser, error) { return nopCloser{io.Discard}, nil })
		if err != nil {
			t.Fatal(err)
		}
		return xlsx.Bytes()
	}
	if err := l.Bytes("data/annexes/annexes.xlsx", write(c)); err != nil {
		t.Fatalf("the public annexes of the fixture: %v", err)
	}
	c.Evidence[0].Title = "Statement naming MARIA FERNANDA QUINTERO"
	err := l.Bytes("data/annexes/annexes.xlsx", write(c))
	var le *edition.LeakError
	if !errors.As(err, &le) || le.File != "data/annexes/annexes.xlsx" || !strings.HasPrefix(le.Location, "part xl/") || le.Person != "V-01" {
		t.Errorf("got %v, want the full name of V-01 in a part of annexes.xlsx", err)
	}
	if err := l.Bytes("data/annexes/annexes.xlsx", []byte("not a zip")); err == nil || errors.As(err, &le) {
		t.Errorf("a damaged workbook: %v", err)
	}
	// A shared string split into runs is read whole.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("xl/sharedStrings.xml")
	io.WriteString(w, `<sst><si><r><t>Mar</t></r><r><t>ía Fernanda Quin</t></r><r><t>tero</t></r></si></sst>`)
	zw.Close()
	if err := l.Bytes("x.xlsx", zb.Bytes()); !errors.As(err, &le) {
		t.Errorf("a string in runs: %v", err)
	}
}

// TestLeakCheckPackage walks a package folder: names and contents.
func TestLeakCheckPackage(t *testing.T) {
	l := edition.NewLeakCheck(fixture(t))
	mk := func(files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR María Fernanda Quintero"
	base := map[string]string{
		"bagit.txt":                          "BagIt-Version: 1.0\n",
		"data/case/case.json":                `{"x": "ok"}`,
		"data/evidence/EV-0001/photo.png":    png, // binary: not read
		"data/evidence/EV-0002/file-1.txt":   "withheld files are not here",
		"data/narrative/submission.pdf":      "%PDF-1.7 María Fernanda Quintero", // checked before layout
		"data/annexes/csv/evidence.csv":      "ID\r\nEV-0001\r\n",
		"data/evidence/EV-0003/notes.dat":    "plain text that sniffs as text",
		"signatures/signer-1.sig":            "untrusted comment: signed by Org\n",
		"data/evidence/EV-0004/statement.md": "# Statement\n",
	}
	text := func(rel string) bool { return strings.HasSuffix(rel, ".md") }
	if err := l.Package(context.Background(), mk(base), "ED-001_public", text); err != nil {
		t.Fatalf("a clean package: %v", err)
	}
	for _, tc := range []struct {
		name, file, body, want, where string
	}{
		{"a file name", "data/evidence/EV-0005/maria_fernanda_quintero.png", png, "data/evidence/EV-0005/maria_fernanda_quintero.png", "file name"},
		{"a folder name", "data/Quintero María Fernanda/x.bin", "\x00", "data/Quintero María Fernanda", "file name"},
		{"a text evidence file", "data/evidence/EV-0004/statement.md", "# Statement\n\nI am María\nFernanda Quintero.\n", "data/evidence/EV-0004/statement.md", "line 3"},
		{"text that sniffs as text", "data/evidence/EV-0003/notes.dat", "she said: maria fernanda quintero", "data/evidence/EV-0003/notes.dat", "line 1"},
		{"the manifest", "casepack/manifest.json", `{"evidence": [{"files": [{"path": "data/evidence/EV-0002/María Fernanda Quintero.png"}]}]}`, "casepack/manifest.json", "/evidence/0/files/0/path"},
		{"a tag manifest", "manifest-sha256.txt", "abc  data/evidence/EV-0002/maria-fernanda-quintero.png\n", "manifest-sha256.txt", "line 1"},
		{"bag-info", "bag-info.txt", "Source-Organization: Org\nExternal-Description: for  MARIA fernanda Quintero\n", "bag-info.txt", "line 2"},
		{"a CSV cell", "data/annexes/csv/evidence.csv", "ID,Title\r\nEV-0001,\"Statement of María\u00a0Fernanda Quintero\"\r\n", "data/annexes/csv/evidence.csv", "row 2, column Title"},
		{"a PDF evidence file reported as text", "data/evidence/EV-0004/statement.md", "%PDF-1.4 María Fernanda Quintero", "data/evidence/EV-0004/statement.md", "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			files[tc.file] = tc.body
			err := l.Package(context.Background(), mk(files), "ED-001_public", text)
			var le *edition.LeakError
			if !errors.As(err, &le) || le.File != tc.want || le.Location != tc.where {
				t.Errorf("got %v, want %s (%s)", err, tc.want, tc.where)
			}
		})
	}
	// A workbook that cannot be read is an error, never a pass.
	bad := map[string]string{}
	for k, v := range base {
		bad[k] = v
	}
	bad["data/annexes/annexes.xlsx"] = "not a zip María Fernanda Quintero"
	var le *edition.LeakError
	if err := l.Package(context.Background(), mk(bad), "ED-001_public", text); err == nil || errors.As(err, &le) || !strings.Contains(err.Error(), "data/annexes/annexes.xlsx") {
		t.Errorf("an unreadable workbook: %v", err)
	}
	// A file reported as text is read as text whatever its name says.
	bad["data/annexes/annexes.xlsx"] = "not a zip: María Fernanda Quintero"
	if err := l.Package(context.Background(), mk(bad), "ED-001_public", func(string) bool { return true }); !errors.As(err, &le) || le.File != "data/annexes/annexes.xlsx" {
		t.Errorf("a text file named .xlsx: %v", err)
	}
	if err := l.Package(context.Background(), mk(base), "Quintero-MariaFernanda_public", text); !errors.As(err, &le) || le.Location != "package name" {
		t.Errorf("the package's name: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Package(ctx, mk(base), "ED-001_public", text); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
