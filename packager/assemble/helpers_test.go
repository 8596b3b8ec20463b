package assemble

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/bag"
)

var testDate = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// crashChild is this test binary run again as a child, to run only the
// test named, which os.Exit stops mid-build. Nothing after os.Exit runs,
// t.TempDir's clean-up neither: the child's temporary folders go inside
// one of the parent's (TMPDIR), which is removed, not left in /tmp by
// every run.
func crashChild(t *testing.T, test string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), "TMPDIR="+t.TempDir())
	return cmd
}

// caseFolder is a generated case folder: evidence files with seeded random
// bytes and a case.json.
type caseFolder struct {
	dir   string
	files map[string]string // evidence ID -> source path
}

type evSpec struct {
	id, name, mediaType string
	size                int
	withhold            bool
}

var defaultEvidence = []evSpec{
	{"EV-0001", "video.mp4", "video/mp4", 300 << 10, false},
	{"EV-0002", "photo.jpg", "image/jpeg", 20 << 10, false},
	{"EV-0003", "statement.pdf", "application/pdf", 7 << 10, false},
	{"EV-0004", "notes.txt", "text/plain", 1500, false},
	{"EV-0005", "empty.bin", "application/octet-stream", 0, false},
}

func newCase(t testing.TB, evs []evSpec) *caseFolder {
	t.Helper()
	dir := t.TempDir()
	c := &caseFolder{dir: dir, files: map[string]string{}}
	r := rand.New(rand.NewPCG(1, 2))
	for _, e := range evs {
		src := filepath.Join(dir, "evidence", e.id, e.name)
		if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, e.size)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if err := os.WriteFile(src, b, 0o644); err != nil {
			t.Fatal(err)
		}
		c.files[e.id] = src
	}
	if err := os.WriteFile(filepath.Join(dir, "case.json"), []byte(`{"submission":{"id":"LV-2021-001"}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *caseFolder) spec(evs []evSpec) Spec {
	s := Spec{
		Name: "LV-2021-001_confidential",
		Date: testDate,
		BagInfo: []bag.Field{
			{Label: "Casepack-Version", Value: "0.1.0"},
			{Label: "Casepack-Edition", Value: "confidential"},
			{Label: "Source-Organization", Value: "Comisión de Derechos Humanos"},
			{Label: "External-Identifier", Value: "LV-2021-001"},
			{Label: "Contact-Email", Value: "legal@example.org"},
		},
		Manifest: bag.CasepackManifest{SubmissionID: "LV-2021-001", Edition: "confidential", CasepackVersion: "0.1.0",
			Build: map[string]string{"edition": "confidential"}},
	}
	for _, e := range evs {
		s.Evidence = append(s.Evidence, EvidenceFile{ID: e.id, Src: c.files[e.id], Dst: "data/evidence/" + e.id + "/" + e.name, MediaType: e.mediaType, Withhold: e.withhold})
		s.Manifest.Evidence = append(s.Manifest.Evidence, bag.EvidenceItem{ID: e.id, Title: "Item " + e.id,
			Custody: json.RawMessage(`[{"at":"2021-01-09T10:00:00-04:00","action":"captured"}]`)})
	}
	caseJSON := filepath.Join(c.dir, "case.json")
	s.Files = []GeneratedFile{
		{Path: "data/case/case.json", Generate: func(ctx context.Context, w io.Writer, ev *Evidence) error {
			f, err := os.Open(caseJSON)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}},
		{Path: "data/annexes/csv/evidence.csv", Generate: func(ctx context.Context, w io.Writer, ev *Evidence) error {
			keys := make([]string, 0, len(ev.All()))
			for _, r := range ev.All() {
				keys = append(keys, r.Dst)
			}
			slices.Sort(keys)
			io.WriteString(w, "path,sha256\r\n")
			for _, k := range keys {
				r, _ := ev.Lookup(k)
				io.WriteString(w, k+","+r.SHA256()+"\r\n")
			}
			return nil
		}},
	}
	return s
}

// treeDigest lists every file and folder under dir with its mode, mtime and
// content digest, so two trees can be compared byte for byte.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := ""
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			sum = hex.EncodeToString(h[:])
		}
		b.WriteString(rel + " " + info.Mode().String() + " " + info.ModTime().UTC().Format(time.RFC3339Nano) + " " + sum + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type fs_FS = fs.FS

type failingSigner struct{ err error }

func (f failingSigner) SignTagManifest(context.Context, []byte, int) (map[string][]byte, error) {
	return nil, f.err
}

// filepathWalkChmod makes every file and folder under dir read-only,
// deepest first.
func filepathWalkChmod(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil {
		return err
	}
	slices.Reverse(paths)
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if err := os.Chmod(p, fi.Mode().Perm()&^0o222); err != nil {
			return err
		}
	}
	return nil
}
