package sign

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/ziptest"
)

// snapshot maps every file under dir to its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func trustOf(t *testing.T, signers ...*Signer) []TrustAnchor {
	var out []TrustAnchor
	for _, s := range signers {
		pub, err := MarshalPublicKeyPEM(s.Cred.Public())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, trustPEM(t, s.slug()+".pub.pem", pub)...)
	}
	return out
}

func TestCoSignFolder(t *testing.T) {
	dir := newBag(t)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "data/a.txt"), []byte("payload"), 0o644)
	alice := mustSigner(t, edCred(t), "Alice")
	signInto(t, dir, alice, 1)
	before := snapshot(t, dir)

	bobCred, _ := certCred(t, 0, false)
	bob := mustSigner(t, bobCred, "Bob")
	carol := mustSigner(t, edCred(t), "Carol")
	res, err := CoSign(context.Background(), dir, []*Signer{bob, carol}, CoSignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.IDs, []string{"2-bob", "3-carol"}) {
		t.Errorf("ids %v", res.IDs)
	}
	after := snapshot(t, dir)
	for p, data := range before {
		if after[p] != data {
			t.Errorf("%s changed by co-signing", p)
		}
	}
	var added []string
	for p := range after {
		if _, ok := before[p]; !ok {
			added = append(added, p)
		}
	}
	sort.Strings(added)
	got := slices.Clone(res.Files)
	sort.Strings(got)
	if !slices.Equal(added, got) {
		t.Errorf("added %v, reported %v", added, got)
	}
	for _, p := range added {
		if !strings.HasPrefix(p, "signatures/2-bob.") && !strings.HasPrefix(p, "signatures/3-carol.") {
			t.Errorf("unexpected new file %s", p)
		}
	}
	trust := append(trustOf(t, alice, carol), trustOf(t, bob)...)
	r, err := VerifyPackage(os.DirFS(dir), VerifyOptions{Trust: trust, RequireSignature: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.TrustedValid != 3 || len(r.Findings) != 0 {
		t.Errorf("after co-signing: %d trusted\n%s", r.TrustedValid, codes(r))
	}
}

func TestCoSignFolderCreatesSignatures(t *testing.T) {
	dir := newBag(t)
	s := mustSigner(t, edCred(t), "Alice")
	if _, err := CoSign(context.Background(), dir, []*Signer{s}, CoSignOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := VerifyPackage(os.DirFS(dir), VerifyOptions{Trust: trustOf(t, s), RequireSignature: true})
	if err != nil || !r.OK() {
		t.Fatalf("%v\n%s", err, codes(r))
	}
}

func TestCoSignFailureLeavesNothing(t *testing.T) {
	dir := newBag(t)
	alice := mustSigner(t, edCred(t), "Alice")
	signInto(t, dir, alice, 1)
	zipPath := filepath.Join(t.TempDir(), "pkg.zip")
	writeTestZip(t, dir, zipPath, "pkg")
	beforeDir := snapshot(t, dir)
	beforeZip, _ := os.ReadFile(zipPath)

	bad := mustSigner(t, edCred(t), "Bob")
	bad.TSAURL = "http://127.0.0.1:1/unreachable"
	for _, p := range []string{dir, zipPath} {
		if _, err := CoSign(context.Background(), p, []*Signer{bad}, CoSignOptions{}); err == nil {
			t.Fatalf("%s: co-signing with an unreachable TSA succeeded", p)
		}
	}
	if after := snapshot(t, dir); len(after) != len(beforeDir) {
		t.Errorf("folder changed: %d files, was %d", len(after), len(beforeDir))
	}
	afterZip, _ := os.ReadFile(zipPath)
	if !bytes.Equal(afterZip, beforeZip) {
		t.Error("zip changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(zipPath))
	if len(entries) != 1 {
		t.Errorf("left behind beside the zip: %v", entries)
	}
}

// writeTestZip zips dir the way bag.WriteZip does: one top folder, folder
// entries, sorted names, fixed dates.
func writeTestZip(t *testing.T, dir, zipPath, top string) {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			names = append(names, top+"/")
		} else if d.IsDir() {
			names = append(names, top+"/"+rel+"/")
		} else {
			names = append(names, top+"/"+rel)
		}
		return nil
	})
	sort.Strings(names)
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Modified: date, Method: zip.Deflate}
		if strings.HasSuffix(n, "/") {
			h.Method = zip.Store
			if _, err := zw.CreateHeader(h); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(n, top+"/")))
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func rawEntries(t *testing.T, zipPath string) (map[string][]byte, []string, *zip.ReadCloser) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		r, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		raw[f.Name] = data
		order = append(order, f.Name)
	}
	return raw, order, zr
}

func TestCoSignZip(t *testing.T) {
	for _, withSigDir := range []bool{true, false} {
		name := "with signatures folder"
		if !withSigDir {
			name = "first signature"
		}
		t.Run(name, func(t *testing.T) {
			dir := newBag(t)
			var signers []*Signer
			if withSigDir {
				alice := mustSigner(t, edCred(t), "Alice")
				signInto(t, dir, alice, 1)
				signers = append(signers, alice)
			}
			zipPath := filepath.Join(t.TempDir(), "pkg_confidential.zip")
			writeTestZip(t, dir, zipPath, "pkg_confidential")
			before, _, zr := rawEntries(t, zipPath)
			zr.Close()

			tsa := newTSA(t)
			bob := mustSigner(t, edCred(t), "Bob")
			bob.TSAURL = tsa.URL
			date := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			res, err := CoSign(context.Background(), zipPath, []*Signer{bob}, CoSignOptions{Date: date})
			if err != nil {
				t.Fatal(err)
			}
			after, order, zr := rawEntries(t, zipPath)
			defer zr.Close()
			for n, data := range before {
				if !bytes.Equal(after[n], data) {
					t.Errorf("entry %s changed", n)
				}
			}
			if !slices.IsSorted(order) {
				t.Errorf("entries not sorted: %v", order)
			}
			for _, f := range res.Files {
				if _, ok := after["pkg_confidential/"+f]; !ok {
					t.Errorf("new file %s not in zip", f)
				}
			}
			if _, ok := after["pkg_confidential/signatures/"]; !ok {
				t.Error("no folder entry for signatures/")
			}
			for _, f := range zr.File {
				if _, old := before[f.Name]; !old && !f.Modified.Equal(date) {
					t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, date)
				}
			}
			// The stored signature files carry their CRC and size up front,
			// so Java's ZipInputStream reads the co-signed ZIP.
			zipBytes, _ := os.ReadFile(zipPath)
			ziptest.CheckStreamable(t, zipBytes)
			if out := ziptest.JavaRead(t, zipPath); !strings.Contains(out, "pkg_confidential/signatures/") {
				t.Errorf("java read:\n%s", out)
			}
			sub, _ := fs.Sub(zr, "pkg_confidential")
			trust := append(trustOf(t, append(signers, bob)...), trustPEM(t, "tsa", tsa.CA.PEM())...)
			r, err := VerifyPackage(sub, VerifyOptions{Trust: trust, RequireSignature: true})
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || r.TrustedValid != len(signers)+1 || len(r.Findings) != 0 {
				t.Errorf("%d trusted\n%s", r.TrustedValid, codes(r))
			}
		})
	}
}

// TestCoSignWaitsForNoBuild: while a build (or another co-sign) holds the
// package, a co-sign of its folder or its ZIP stops at once and says so,
// instead of signing a package that is being replaced or rewriting a ZIP
// another co-sign is rewriting.
func TestCoSignWaitsForNoBuild(t *testing.T) {
	dir := newBag(t)
	zipPath := filepath.Join(filepath.Dir(dir), filepath.Base(dir)+".zip")
	writeTestZip(t, dir, zipPath, filepath.Base(dir))
	d, err := atomicfs.OpenDir(filepath.Dir(dir), atomicfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := d.Unit(filepath.Base(dir))
	if err != nil {
		t.Fatal(err)
	}
	l, err := u.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	before := snapshot(t, filepath.Dir(dir))
	s := mustSigner(t, edCred(t), "Alice")
	for _, p := range []string{dir, zipPath} {
		_, err := CoSign(context.Background(), p, []*Signer{s}, CoSignOptions{})
		if !errors.Is(err, atomicfs.ErrBusy) || !strings.Contains(err.Error(), "another casepack command") {
			t.Errorf("%s: err %v, want the package named busy", p, err)
		}
	}
	if after := snapshot(t, filepath.Dir(dir)); len(after) != len(before) {
		t.Errorf("co-signing a busy package changed its folder")
	}
}
