package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/finding"
)

// Add, list, show, find, reindex and get, on both backends, through the
// library's public surface.
func TestAddListFindGet(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	for name, newRoot := range roots(t) {
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			a := open(t, root, true)

			pubZip := add(t, a, f.pubZip)
			if pubZip.Already || pubZip.Record.Form != archive.FormZip {
				t.Fatalf("first add of the public ZIP: %+v", pubZip)
			}
			conf := add(t, a, f.conf)
			if conf.Already || conf.Record.Form != archive.FormFolder {
				t.Fatalf("first add of the confidential folder: %+v", conf)
			}
			// The same package again, as a folder or as its ZIP: a no-op.
			for _, again := range []string{f.conf, f.confZip} {
				r := add(t, a, again)
				if !r.Already || r.ID != conf.ID {
					t.Fatalf("adding %s again: already=%v id=%s, want the no-op of %s", again, r.Already, r.ID, conf.ID)
				}
			}
			if r := add(t, a, f.pub); !r.Already || r.ID != pubZip.ID {
				t.Fatalf("the public folder after its ZIP: already=%v", r.Already)
			}
			// The co-signed package: same tag manifest, new version.
			co := add(t, a, f.cosigned)
			if co.Already || co.ID == conf.ID || co.ID[:64] != conf.ID[:64] {
				t.Fatalf("co-signed package: already=%v id=%s (conf %s)", co.Already, co.ID, conf.ID)
			}

			cat, err := a.List(ctx, archive.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cat.Entries) != 3 || len(cat.Missing) != 0 {
				t.Fatalf("list: %d entries, missing %v; want 3", len(cat.Entries), cat.Missing)
			}
			byID := map[string]*archive.Entry{}
			for _, e := range cat.Entries {
				byID[e.ID] = e
			}
			ce, pe, coe := byID[conf.ID], byID[pubZip.ID], byID[co.ID]
			if ce == nil || pe == nil || coe == nil {
				t.Fatalf("list is missing a package: %v", byID)
			}
			if ce.Submission != "OCDH-2021-LV-001" || ce.Edition != "confidential" || pe.Edition != "public" || ce.BaggingDate != "2021-02-18" {
				t.Errorf("entry fields: %+v / %+v", ce, pe)
			}
			if ce.Version != 1 || coe.Version != 2 || pe.Version != 1 || coe.CoSignatureOf != conf.ID {
				t.Errorf("versions: conf %d, co-signed %d (of %q), public %d", ce.Version, coe.Version, coe.CoSignatureOf, pe.Version)
			}
			if len(ce.Signers) != 1 || len(coe.Signers) != 2 || ce.Signers[0].Name != "alice" {
				t.Errorf("signers: %+v / %+v", ce.Signers, coe.Signers)
			}
			if ce.Signers[0].Trusted() {
				t.Error("a signer is trusted although no trust was given")
			}
			if ce.Bytes <= 0 || ce.PayloadFiles == 0 {
				t.Errorf("sizes: %d bytes, %d payload files", ce.Bytes, ce.PayloadFiles)
			}

			// With a trust file, alice is trusted and bob is not.
			cat, err = a.List(ctx, archive.ListOptions{Trust: trust(t, f.alicePub)})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range cat.Entries {
				for _, s := range e.Signers {
					if want := s.Name == "alice"; s.Trusted() != want {
						t.Errorf("%s signer %s: trusted=%v, want %v (%s)", e.Short(), s.Name, s.Trusted(), want, s.Status)
					}
				}
			}

			// Disclosure tracking: the withheld evidence is in both
			// confidential versions and withheld from the public one.
			for _, q := range []archive.FindQuery{{Evidence: f.withheld}, {SHA256: strings.ToUpper(f.withSHA)}} {
				found, err := a.Find(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]bool{}
				for _, d := range found.Disclosures {
					got[d.Edition+"/"+string(rune('0'+d.Version))+"/"+map[bool]string{true: "included", false: "withheld"}[d.Included]] = true
				}
				for _, want := range []string{"confidential/1/included", "confidential/2/included", "public/1/withheld"} {
					if !got[want] {
						t.Errorf("find %+v: no %s in %v", q, want, got)
					}
				}
			}
			found, err := a.Find(ctx, archive.FindQuery{Evidence: f.sharedEv})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range found.Disclosures {
				if !d.Included {
					t.Errorf("find %s: %s withholds it, but every edition includes it", f.sharedEv, d.Name)
				}
			}
			if found, err := a.Find(ctx, archive.FindQuery{Evidence: "EV-9999"}); err != nil || len(found.Disclosures) != 0 {
				t.Errorf("find of unknown evidence: %v, %v", found, err)
			}
			if _, err := a.Find(ctx, archive.FindQuery{SHA256: "abc"}); err == nil {
				t.Error("a short SHA-256 was accepted")
			}

			// Show: by short ID prefix; the versions of its submission.
			sh, err := a.Show(ctx, conf.ID[:10], archive.ListOptions{})
			if err == nil {
				t.Fatalf("show by a root prefix shared by two versions succeeded: %s", sh.Entry.ID)
			}
			var amb *archive.AmbiguousError
			if !errors.As(err, &amb) || len(amb.Matches) != 2 {
				t.Fatalf("show ambiguous: %v", err)
			}
			sh, err = a.Show(ctx, ce.Short(), archive.ListOptions{})
			if err != nil || sh.Entry.ID != conf.ID || len(sh.Versions) != 2 {
				t.Fatalf("show %s: %v, %+v", ce.Short(), err, sh)
			}
			if id, err := a.Resolve(ctx, filepath.Base(f.pub)); err != nil || id.String() != pubZip.ID {
				t.Errorf("resolve by name: %v, %v", id, err)
			}

			// Reindex: the catalogue is derived; deleting it loses nothing.
			for _, k := range keys(t, a.Store(), archive.CataloguePrefix) {
				if err := a.Store().Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := a.Reindex(ctx, archive.ListOptions{})
			if err != nil || rep.Packages != 3 || len(rep.Failed) != 0 {
				t.Fatalf("reindex: %+v, %v", rep, err)
			}
			cat2, err := a.List(ctx, archive.ListOptions{})
			if err != nil || len(cat2.Entries) != 3 {
				t.Fatalf("list after reindex: %v", err)
			}

			// Get: the ZIP byte for byte, the folder file for file.
			out := t.TempDir()
			id, _ := archive.ParseID(pubZip.ID)
			g, err := a.Get(ctx, id, out, archive.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(f.pubZip)
			got, _ := os.ReadFile(g.Path)
			if !bytes.Equal(got, want) || filepath.Base(g.Path) != filepath.Base(f.pubZip) {
				t.Fatalf("get of the ZIP: %s is not byte-identical to %s", g.Path, f.pubZip)
			}
			if _, err := a.Get(ctx, id, out, archive.CheckOptions{}); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("a second get over the first: %v, want fs.ErrExist", err)
			}
			cid, _ := archive.ParseID(co.ID)
			g, err = a.Get(ctx, cid, out, archive.CheckOptions{Trust: trust(t, f.alicePub, f.bobPub), RequireSignature: true})
			if err != nil {
				t.Fatal(err)
			}
			sameTree(t, f.cosigned, g.Path)
			if g.Check.Signatures.TrustedValid != 2 {
				t.Errorf("get: %d trusted signatures, want 2", g.Check.Signatures.TrustedValid)
			}
		})
	}
}

// sameTree fails unless both folders hold the same files with the same
// bytes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	list := func(root string) map[string][]byte {
		m := map[string][]byte{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			m[rel], _ = os.ReadFile(p)
			return nil
		})
		return m
	}
	ma, mb := list(a), list(b)
	if len(ma) != len(mb) {
		t.Fatalf("%s has %d files, %s has %d", a, len(ma), b, len(mb))
	}
	for k, v := range ma {
		if !bytes.Equal(v, mb[k]) {
			t.Fatalf("%s differs between %s and %s", k, a, b)
		}
	}
}

// A package that fails verification is refused before anything is stored.
func TestAddRefusesDamagedPackage(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	for name, newRoot := range roots(t) {
		t.Run(name, func(t *testing.T) {
			a := open(t, newRoot(t), true)
			bad := filepath.Join(t.TempDir(), filepath.Base(f.conf))
			if err := copyTree(f.conf, bad); err != nil {
				t.Fatal(err)
			}
			ev := firstEvidenceFile(t, bad)
			flipByte(t, ev)
			_, err := a.Add(ctx, bad, archive.AddOptions{})
			var ni *archive.NotIntactError
			if !errors.As(err, &ni) || ni.Stored {
				t.Fatalf("add of a tampered package: %v, want a NotIntactError before storing", err)
			}
			rel, _ := filepath.Rel(bad, ev)
			if !hasFinding(ni.Check.Integrity.Findings, finding.BagModified, filepath.ToSlash(rel)) {
				t.Errorf("the refusal does not name %s: %v", rel, ni.Check.Integrity.Findings)
			}
			// Not a package at all.
			if _, err := a.Add(ctx, t.TempDir(), archive.AddOptions{}); err == nil {
				t.Error("an empty folder was added")
			}
			if k := keys(t, a.Store(), archive.PackagesPrefix); len(k) != 0 {
				t.Fatalf("objects were stored for refused packages: %v", k)
			}
			// Requiring a trusted signature refuses an untrusted one.
			_, err = a.Add(ctx, f.conf, archive.AddOptions{Check: archive.CheckOptions{RequireSignature: true, Trust: trust(t, f.bobPub)}})
			if !errors.As(err, &ni) || !hasFinding(ni.Check.Integrity.Findings, finding.SigNoneTrusted, "") {
				t.Fatalf("add with a required signature by bob: %v", err)
			}
			if k := keys(t, a.Store(), archive.PackagesPrefix); len(k) != 0 {
				t.Fatalf("objects were stored for a refused package: %v", k)
			}
		})
	}
}

func hasFinding(fs []finding.Finding, code finding.Code, path string) bool {
	return slices.ContainsFunc(fs, func(f finding.Finding) bool {
		return f.Code == code && (path == "" || f.Path == path)
	})
}

func firstEvidenceFile(t *testing.T, pkg string) string {
	t.Helper()
	var found string
	filepath.WalkDir(filepath.Join(pkg, "data", "evidence"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && found == "" {
			found = p
		}
		return err
	})
	if found == "" {
		t.Fatalf("no evidence file in %s", pkg)
	}
	return found
}

func flipByte(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Two adds of different packages at the same time into a new root both
// land (and the root is made once).
func TestConcurrentAdds(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	for name, newRoot := range roots(t) {
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i, p := range []string{f.conf, f.pubZip, f.conf} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a, err := archive.Open(ctx, root, true, archive.Options{Version: "test"})
					if err != nil {
						errs[i] = err
						return
					}
					defer a.Close()
					_, errs[i] = a.Add(ctx, p, archive.AddOptions{})
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("concurrent add %d: %v", i, err)
				}
			}
			a := open(t, root, false)
			cat, err := a.List(ctx, archive.ListOptions{})
			if err != nil || len(cat.Entries) != 2 {
				t.Fatalf("after concurrent adds: %v entries, %v; want 2", cat, err)
			}
			fx, err := a.Audit(ctx, archive.AuditOptions{})
			if err != nil || fx.Damaged != 0 || fx.Checked != 2 {
				t.Fatalf("audit after concurrent adds: %+v, %v", fx, err)
			}
		})
	}
}

func TestRetention(t *testing.T) {
	f := getFixtures(t)
	ctx := context.Background()
	a := open(t, filepath.Join(t.TempDir(), "a"), true)
	until := store.Retention{Mode: store.Governance, Until: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, err := a.Add(ctx, f.conf, archive.AddOptions{Retention: &until})
	if err == nil || !strings.Contains(err.Error(), "local folder") {
		t.Fatalf("retention on a local root: %v", err)
	}
	if k := keys(t, a.Store(), archive.PackagesPrefix); len(k) != 0 {
		t.Fatalf("objects stored despite the refused retention: %v", k)
	}
}

// The identity can be recomputed with coreutils alone, as docs/ARCHIVE.md
// shows.
func TestIdentityByHand(t *testing.T) {
	testtool.Need(t, "sha256sum")
	f := getFixtures(t)
	for _, pkg := range []string{f.conf, f.cosigned} {
		want, err := archive.Identify(os.DirFS(pkg))
		if err != nil {
			t.Fatal(err)
		}
		run := func(script string) string {
			cmd := exec.Command("sh", "-c", script)
			cmd.Dir = pkg
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", script, err)
			}
			return strings.Fields(string(out))[0]
		}
		root := run(`sha256sum tagmanifest-sha256.txt`)
		sigs := run(`find signatures -maxdepth 1 -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum`)
		if root != want.Root || sigs != want.Sigs {
			t.Errorf("%s: by hand %s-%s, casepack %s", pkg, root, sigs, want)
		}
	}
}
