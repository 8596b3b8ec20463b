package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
)

var fixed = time.Date(2021, 1, 12, 9, 30, 0, 0, time.UTC)

// newCase starts the minimal case in form f in a temporary folder.
func newCase(t *testing.T, f caseform.Form) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	if _, err := caseform.Init(dir, samples.Minimal, f); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, p, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sums(s string) (string, string) {
	a := sha256.Sum256([]byte(s))
	b := sha512.Sum512([]byte(s))
	return hex.EncodeToString(a[:]), hex.EncodeToString(b[:])
}

// load reads the case back and validates it (files and digests included).
func load(t *testing.T, dir string) (*schema.Case, []finding.Finding) {
	t.Helper()
	doc, fs, err := caseform.LoadAndValidate(context.Background(), dir, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(fs); n > 0 {
		t.Fatalf("the case is invalid after adding: %v", fs)
	}
	return doc.Case, fs
}

var forms = []caseform.Form{caseform.JSON, caseform.YAML, caseform.XLSX}

func TestAddOneFile(t *testing.T) {
	for _, form := range forms {
		t.Run(string(form), func(t *testing.T) {
			dir := newCase(t, form)
			src := write(t, filepath.Join(t.TempDir(), "Video 1.mp4"), "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom some video bytes")
			opt := Options{Now: func() time.Time { return fixed }, Actor: "Collector 7", SourceURL: "https://example.org/v/1",
				CapturedAt: "2021-01-08T12:00:00Z", Title: "Convoy on Calle Zulia"}
			rep, err := Add(context.Background(), dir, []string{src}, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Added) != 1 || len(rep.Refused) != 0 {
				t.Fatalf("report: %+v", rep)
			}
			a := rep.Added[0]
			content, _ := os.ReadFile(src)
			want256, want512 := sums(string(content))
			if a.ID != "EV-0002" || a.Path != "evidence/Video 1.mp4" || a.SHA256 != want256 || a.SHA512 != want512 ||
				a.MediaType != "video/mp4" || a.Type != "video" || a.Size != int64(len(content)) {
				t.Errorf("added %+v", a)
			}
			copied, err := os.ReadFile(filepath.Join(dir, "evidence", "Video 1.mp4"))
			if err != nil || !bytes.Equal(copied, content) {
				t.Errorf("the copy differs from the file: %v", err)
			}
			if _, err := os.Stat(src); err != nil {
				t.Errorf("the source was not kept: %v", err)
			}
			c, _ := load(t, dir)
			ev := c.Evidence[len(c.Evidence)-1]
			if ev.ID != "EV-0002" || ev.Title != "Convoy on Calle Zulia" || ev.Type != "video" || ev.Classification != "confidential" {
				t.Errorf("item %+v", ev)
			}
			if len(ev.Files) != 1 || ev.Files[0].SHA256 != want256 || ev.Files[0].MediaType != "video/mp4" || ev.Files[0].Role != "original" {
				t.Errorf("files %+v", ev.Files)
			}
			if ev.Provenance == nil || ev.Provenance.URL != opt.SourceURL || ev.Provenance.CapturedAt != opt.CapturedAt {
				t.Errorf("provenance %+v", ev.Provenance)
			}
			if len(ev.Custody) != 2 || ev.Custody[0].Action != "acquired" || ev.Custody[1].Action != "hashed" {
				t.Fatalf("custody %+v", ev.Custody)
			}
			for _, cu := range ev.Custody {
				if cu.At != "2021-01-12T09:30:00Z" || cu.Actor != "Collector 7" || cu.SHA256 != want256 {
					t.Errorf("custody event %+v", cu)
				}
			}
			if !strings.Contains(ev.Custody[1].Note, want512) {
				t.Errorf("the hashed event does not record the SHA-512: %q", ev.Custody[1].Note)
			}
			// The digest recorded at acquisition is what validate checks.
			if err := os.WriteFile(filepath.Join(dir, "evidence", "Video 1.mp4"), []byte("edited"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, fs, err := caseform.LoadAndValidate(context.Background(), dir, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !hasCode(fs, finding.HashMismatch) {
				t.Errorf("an edited file is not caught: %v", fs)
			}
		})
	}
}

func hasCode(fs []finding.Finding, c finding.Code) bool {
	for _, f := range fs {
		if f.Code == c {
			return true
		}
	}
	return false
}

func TestAddFolder(t *testing.T) {
	for _, form := range forms {
		t.Run(string(form), func(t *testing.T) {
			dir := newCase(t, form)
			in := filepath.Join(t.TempDir(), "from-partner")
			write(t, filepath.Join(in, "a.txt"), "first")
			write(t, filepath.Join(in, "photos", "b.png"), "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			write(t, filepath.Join(in, ".DS_Store"), "junk")
			write(t, filepath.Join(in, ".git", "config"), "junk")
			var events int
			rep, err := Add(context.Background(), dir, []string{in}, Options{Now: func() time.Time { return fixed }, Actor: "A",
				Progress: func(p digest.Progress) { events++ }})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range rep.Added {
				got = append(got, a.ID+" "+a.Path+" "+a.Type)
			}
			want := []string{"EV-0002 evidence/from-partner/a.txt document", "EV-0003 evidence/from-partner/photos/b.png photo"}
			if strings.Join(got, "; ") != strings.Join(want, "; ") {
				t.Errorf("added %q, want %q", got, want)
			}
			if len(rep.Skipped) != 2 {
				t.Errorf("skipped %v, want the two hidden entries", rep.Skipped)
			}
			if events == 0 {
				t.Error("no progress events")
			}
			c, _ := load(t, dir)
			if len(c.Evidence) != 3 {
				t.Errorf("%d items, want 3", len(c.Evidence))
			}
		})
	}
}

func TestAddDuplicate(t *testing.T) {
	dir := newCase(t, caseform.XLSX)
	tmp := t.TempDir()
	// The minimal case's own file, under another name: refused by digest.
	orig, err := os.ReadFile(filepath.Join(dir, "evidence", "note.txt"))
	if err != nil {
		t.Fatal(err)
	}
	same := write(t, filepath.Join(tmp, "copy-of-note.txt"), string(orig))
	a := write(t, filepath.Join(tmp, "a.txt"), "new")
	b := write(t, filepath.Join(tmp, "b.txt"), "new") // the same bytes as a.txt, in the same run
	rep, err := Add(context.Background(), dir, []string{same, a, b}, Options{Now: func() time.Time { return fixed }, Actor: "A"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
	if len(rep.Added) != 1 || rep.Added[0].Path != "evidence/a.txt" {
		t.Errorf("added %+v", rep.Added)
	}
	if len(rep.Refused) != 2 || rep.Refused[0].HeldBy != "EV-0001" || rep.Refused[1].HeldBy != "EV-0002" {
		t.Errorf("refused %+v, want held by EV-0001 and EV-0002", rep.Refused)
	}
	for _, r := range rep.Refused {
		if !strings.Contains(r.Reason, "already in the case as "+r.HeldBy) {
			t.Errorf("reason %q does not name %s", r.Reason, r.HeldBy)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "evidence", "copy-of-note.txt")); err == nil {
		t.Error("a refused duplicate was left in the case folder")
	}
	load(t, dir)
}

// A file that is refused takes the folders made for it under evidence/
// with it (they were left empty in the case folder); folders that hold
// another added file stay.
func TestRefusedLeavesNoFolder(t *testing.T) {
	dir := newCase(t, caseform.JSON)
	orig, err := os.ReadFile(filepath.Join(dir, "evidence", "note.txt"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "from-partner")
	write(t, filepath.Join(in, "dup", "deeper", "copy-of-note.txt"), string(orig))
	write(t, filepath.Join(in, "kept", "dup.txt"), string(orig))
	write(t, filepath.Join(in, "kept", "new.txt"), "new")
	rep, err := Add(context.Background(), dir, []string{in}, Options{Now: func() time.Time { return fixed }, Actor: "A"})
	if !errors.Is(err, ErrRefused) || len(rep.Refused) != 2 || len(rep.Added) != 1 {
		t.Fatalf("err = %v, report %+v; want two refused, one added", err, rep)
	}
	var dirs []string
	filepath.WalkDir(filepath.Join(dir, "evidence"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return nil
	})
	want := "evidence evidence/from-partner evidence/from-partner/kept"
	if strings.Join(dirs, " ") != want {
		t.Errorf("folders %q, want %q", dirs, want)
	}
	load(t, dir)
}

func TestAddUnreadable(t *testing.T) {
	dir := newCase(t, caseform.YAML)
	tmp := t.TempDir()
	good := write(t, filepath.Join(tmp, "good.txt"), "good")
	bad := write(t, filepath.Join(tmp, "bad.txt"), "this file's disk fails half-way")
	openSource = func(name string) (io.ReadCloser, error) {
		f, err := os.Open(name)
		if err != nil || filepath.Base(name) != "bad.txt" {
			return f, err
		}
		return failing{f}, nil
	}
	t.Cleanup(func() { openSource = func(name string) (io.ReadCloser, error) { return os.Open(name) } })
	rep, err := Add(context.Background(), dir, []string{bad, good, filepath.Join(tmp, "missing.txt")}, Options{Actor: "A"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
	if len(rep.Added) != 1 || rep.Added[0].Path != "evidence/good.txt" || len(rep.Refused) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Refused {
		if !strings.Contains(r.Reason, "input/output error") && !strings.Contains(r.Reason, "no such file") {
			t.Errorf("reason %q", r.Reason)
		}
		// Source names the file; the reason is the same words wherever
		// the file was (the web app adds uploads from a temporary folder).
		if strings.Contains(r.Reason, tmp) || strings.Contains(r.Reason, filepath.Base(r.Source)) {
			t.Errorf("reason %q names the file's path", r.Reason)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "evidence"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "good.txt note.txt" {
		t.Errorf("evidence/ holds %v: a half-read file or a temporary file was left", names)
	}
	load(t, dir)
}

// failing reads a little, then fails as a broken disk does.
type failing struct{ f *os.File }

func (r failing) Read(p []byte) (int, error) {
	if len(p) > 4 {
		p = p[:4]
	}
	n, _ := r.f.Read(p)
	if n == 0 {
		return 0, &fs.PathError{Op: "read", Path: r.f.Name(), Err: syscall.EIO} // as os.File says it
	}
	return n, nil
}
func (r failing) Close() error { return r.f.Close() }

func TestAddCollidingName(t *testing.T) {
	dir := newCase(t, caseform.JSON)
	tmp := t.TempDir()
	// evidence/note.txt exists (another file); NOTE.TXT clashes with it on
	// Windows and macOS.
	n1 := write(t, filepath.Join(tmp, "1", "note.txt"), "another note")
	n2 := write(t, filepath.Join(tmp, "2", "NOTE.TXT"), "a third note")
	before, _ := os.ReadFile(filepath.Join(dir, "evidence", "note.txt"))
	rep, err := Add(context.Background(), dir, []string{n1, n2}, Options{Actor: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added[0].Path != "evidence/note (2).txt" || rep.Added[1].Path != "evidence/NOTE (3).TXT" {
		t.Errorf("paths %s, %s", rep.Added[0].Path, rep.Added[1].Path)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "evidence", "note.txt"))
	if !bytes.Equal(before, after) {
		t.Error("an existing evidence file was overwritten")
	}
	c, _ := load(t, dir)
	if !strings.Contains(c.Evidence[1].Custody[0].Note, "as note (2).txt") {
		t.Errorf("the custody note does not say the file was renamed: %q", c.Evidence[1].Custody[0].Note)
	}
}

func TestAddMove(t *testing.T) {
	dir := newCase(t, caseform.YAML)
	src := write(t, filepath.Join(t.TempDir(), "interview.wav"), "RIFF\x24\x00\x00\x00WAVEfmt ")
	rep, err := Add(context.Background(), dir, []string{src}, Options{Move: true, Actor: "A", Type: "testimony"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the moved file is still at its source: %v", err)
	}
	if rep.Added[0].Type != "testimony" || rep.Added[0].MediaType != "audio/wav" {
		t.Errorf("added %+v", rep.Added[0])
	}
	load(t, dir)
}

func TestAddInPlace(t *testing.T) {
	dir := newCase(t, caseform.JSON)
	p := write(t, filepath.Join(dir, "evidence", "dropped", "scan.pdf"), "%PDF-1.4\n%…")
	rep, err := Add(context.Background(), dir, []string{p}, Options{Actor: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added[0].Path != "evidence/dropped/scan.pdf" || rep.Added[0].MediaType != "application/pdf" {
		t.Errorf("added %+v", rep.Added[0])
	}
	// Again: it is the case's already.
	rep, err = Add(context.Background(), dir, []string{p}, Options{Actor: "A"})
	if !errors.Is(err, ErrRefused) || rep.Refused[0].HeldBy != "EV-0002" {
		t.Errorf("adding it twice: %v %+v", err, rep)
	}
}

func TestOptionsRefused(t *testing.T) {
	dir := newCase(t, caseform.JSON)
	for _, opt := range []Options{{Type: "videos"}, {Classification: "secret"}, {CapturedAt: "2021-01-08"}, {SourceURL: "not a url"}, {Title: "two\nlines"}} {
		var oe *OptionError
		if _, err := Add(context.Background(), dir, []string{"x"}, opt); !errors.As(err, &oe) {
			t.Errorf("%+v: err = %v, want *OptionError", opt, err)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"a:b?.mp4":          "a_b_.mp4",
		"100%.png":          "100_.png",
		"con.txt":           "_con.txt",
		"dir/name. ":        "dir/name__",
		"e\u0301.txt":       "é.txt",
		"normal name.mov":   "normal name.mov",
		"folder/aux/a.json": "folder/_aux/a.json",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
		if _, err := schema.CheckPath("evidence/" + sanitize(in)); err != nil {
			t.Errorf("sanitize(%q) = %q is still not portable: %v", in, sanitize(in), err)
		}
	}
}
