package archive_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/archive/store/s3test"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/schema"
)

// The packages the tests archive, built once per test binary from the La
// Vega sample: both editions (the public one withholds evidence), a ZIP of
// the public one, and the confidential one co-signed by a second signer.
type fixtures struct {
	dir      string
	conf     string // folder, signed by alice
	confZip  string // ZIP of conf (same package)
	pub      string // folder, signed by alice
	pubZip   string // ZIP of pub
	cosigned string // conf with bob's signature added
	alicePub string // trust file
	bobPub   string
	withheld string // an evidence ID the public edition withholds
	withSHA  string // the SHA-256 of that evidence's first file
	sharedEv string // an evidence ID both editions include
}

var (
	fixOnce sync.Once
	fix     fixtures
	fixErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fix.dir != "" {
		os.RemoveAll(fix.dir)
	}
	os.Exit(code)
}

func sampleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "samples", "la-vega")
}

func getFixtures(t testing.TB) fixtures {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = buildFixtures() })
	if fixErr != nil {
		t.Fatalf("building the fixture packages: %v", fixErr)
	}
	return fix
}

func newSigner(dir, name string) (*sign.Signer, string, error) {
	priv, err := sign.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", err
	}
	pub, err := sign.MarshalPublicKeyPEM(priv.Public())
	if err != nil {
		return nil, "", err
	}
	pubPath := filepath.Join(dir, name+".pub.pem")
	if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
		return nil, "", err
	}
	s, err := sign.NewSigner(&sign.Credential{Signer: priv, Source: name}, name, "Archivist", "Test organisation")
	if err != nil {
		return nil, "", err
	}
	s.Slug = name
	return s, pubPath, nil
}

func buildFixtures() (fixtures, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "casepack-archive-fixtures-")
	if err != nil {
		return fixtures{}, err
	}
	f := fixtures{dir: dir}
	alice, alicePub, err := newSigner(dir, "alice")
	if err != nil {
		return f, err
	}
	bob, bobPub, err := newSigner(dir, "bob")
	if err != nil {
		return f, err
	}
	f.alicePub, f.bobPub = alicePub, bobPub
	doc, findings, err := schema.LoadAndValidate(ctx, sampleDir(), schema.Options{})
	if err != nil {
		return f, err
	}
	for _, fd := range findings {
		if fd.Severity == "error" {
			return f, fmt.Errorf("sample invalid: %v", fd)
		}
	}
	date := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	build := func(ed edition.Edition, out string) (*assemble.Result, error) {
		spec, err := submission.Spec(doc, submission.Options{Edition: ed, Date: date, Version: "test", Signers: []*sign.Signer{alice}})
		if err != nil {
			return nil, err
		}
		return assemble.Build(ctx, spec, assemble.Options{OutDir: filepath.Join(dir, out), Zip: true})
	}
	conf, err := build(edition.Confidential, "conf")
	if err != nil {
		return f, err
	}
	pub, err := build(edition.Public, "pub")
	if err != nil {
		return f, err
	}
	f.conf, f.confZip, f.pub, f.pubZip = conf.Dir, conf.Zip, pub.Dir, pub.Zip
	for _, r := range pub.Evidence {
		if r.Withheld && f.withheld == "" {
			f.withheld, f.withSHA = r.ID, r.SHA256()
		}
	}
	withheld := map[string]bool{}
	for _, r := range pub.Evidence {
		if r.Withheld {
			withheld[r.ID] = true
		}
	}
	for _, r := range pub.Evidence {
		if !withheld[r.ID] && f.sharedEv == "" {
			f.sharedEv = r.ID
		}
	}
	if f.withheld == "" || f.sharedEv == "" {
		return f, fmt.Errorf("the public edition withholds nothing, or everything")
	}
	f.cosigned = filepath.Join(dir, "cosigned", filepath.Base(conf.Dir))
	if err := copyTree(conf.Dir, f.cosigned); err != nil {
		return f, err
	}
	if _, err := sign.CoSign(ctx, f.cosigned, []*sign.Signer{bob}, sign.CoSignOptions{}); err != nil {
		return f, err
	}
	return f, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// roots returns, for each backend, a function making a fresh archive root
// (a new folder, or a new bucket on the test S3 server).
func roots(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"local": func(t *testing.T) string { return filepath.Join(t.TempDir(), "archive") },
		"s3": func(t *testing.T) string {
			srv := s3test.Need(t)
			srv.Setenv(t)
			return "s3://" + srv.Bucket(t, false) + "/casepack"
		},
	}
}

func open(t testing.TB, root string, create bool) *archive.Archive {
	t.Helper()
	a, err := archive.Open(context.Background(), root, create, archive.Options{Version: "test"})
	if err != nil {
		t.Fatalf("open %s: %v", root, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func add(t testing.TB, a *archive.Archive, pkg string) *archive.AddResult {
	t.Helper()
	res, err := a.Add(context.Background(), pkg, archive.AddOptions{})
	if err != nil {
		t.Fatalf("add %s: %v", pkg, err)
	}
	return res
}

func trust(t testing.TB, files ...string) []sign.TrustAnchor {
	t.Helper()
	var out []sign.TrustAnchor
	for _, f := range files {
		a, err := sign.LoadTrustFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a...)
	}
	return out
}

// keys lists every object key under prefix.
func keys(t testing.TB, st store.Store, prefix string) []string {
	t.Helper()
	var out []string
	for fi, err := range st.List(context.Background(), prefix) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fi.Key)
	}
	return out
}
