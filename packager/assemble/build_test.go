package assemble

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/verify"
)

func TestBuildVerifyRoundTrip(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	var copied, verified []digest.Progress
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out, Zip: true, Workers: 2,
		Progress:       func(p digest.Progress) { copied = append(copied, p) },
		VerifyProgress: func(p digest.Progress) { verified = append(verified, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if last := copied[len(copied)-1]; last.TotalDone != res.PayloadBytes-int64(len(fileBytes(t, filepath.Join(res.Dir, "data/case/case.json"))))-int64(len(fileBytes(t, filepath.Join(res.Dir, "data/annexes/csv/evidence.csv")))) || last.FilesDone != 5 {
		t.Errorf("last copy progress %+v", last)
	}
	if len(verified) == 0 || verified[len(verified)-1].TotalDone != verified[len(verified)-1].Total {
		t.Errorf("verify progress: %d events", len(verified))
	}
	if res.EvidenceFiles != 5 || res.WithheldFiles != 0 || res.PayloadFiles != 7 || len(res.TagManifestSHA256) != 64 {
		t.Errorf("result = %+v", res)
	}
	for _, p := range []string{res.Dir, res.Zip} {
		rep := verifyPath(t, p)
		if !rep.Intact() || len(rep.Findings) != 0 || rep.Files != 13 {
			t.Errorf("%s: not clean (%d files checked): %+v", p, rep.Files, rep.Findings)
		}
		pkg, err := verify.Open(p)
		must(t, err)
		sum, err := verify.Inspect(pkg)
		pkg.Close()
		must(t, err)
		if sum.SubmissionID != "LV-2021-001" || sum.Edition != "confidential" || sum.BaggingDate != "2026-03-14" ||
			sum.PayloadFiles != 7 || sum.EvidenceFiles != 5 || sum.TagManifestSHA256 != res.TagManifestSHA256 ||
			sum.Name != "LV-2021-001_confidential" || sum.PayloadBytes != res.PayloadBytes {
			t.Errorf("%s: inspect = %+v", p, sum)
		}
	}
	if got, want := listDir(t, out), []string{"LV-2021-001_confidential", "LV-2021-001_confidential.zip"}; !slices.Equal(got, want) {
		t.Errorf("output folder holds %q, want %q", got, want)
	}
	wantLayout := []string{"VERIFY.txt", "bag-info.txt", "bagit.txt", "casepack", "data", "manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"}
	if got := listDir(t, res.Dir); !slices.Equal(got, wantLayout) {
		t.Errorf("package holds %q, want %q", got, wantLayout)
	}
	if got := string(fileBytes(t, filepath.Join(res.Dir, "bagit.txt"))); got != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
		t.Errorf("bagit.txt = %q", got)
	}
	info := string(fileBytes(t, filepath.Join(res.Dir, "bag-info.txt")))
	wantInfo := "Source-Organization: Comisión de Derechos Humanos\nContact-Email: legal@example.org\nExternal-Identifier: LV-2021-001\n" +
		"Bagging-Date: 2026-03-14\nPayload-Oxum: 336891.7\nCasepack-Version: 0.1.0\nCasepack-Edition: confidential\n"
	if info != wantInfo {
		t.Errorf("bag-info.txt =\n%s\nwant\n%s", info, wantInfo)
	}
}

// TestCoreutilsAccept runs sha256sum/sha512sum -c inside a built bag, as
// VERIFY.txt tells a reader to.
func TestCoreutilsAccept(t *testing.T) {
	c := newCase(t, defaultEvidence)
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir()})
	must(t, err)
	for _, tool := range []string{"sha256sum", "sha512sum"} {
		bin := testtool.Need(t, tool)
		alg := strings.TrimSuffix(tool, "sum")
		for _, m := range []string{bag.ManifestName(alg), bag.TagManifestName(alg)} {
			cmd := exec.Command(bin, "--strict", "-c", m)
			cmd.Dir = res.Dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s -c %s: %v\n%s", tool, m, err, out)
			}
			lines := strings.Count(string(out), ": OK\n")
			want := bytes.Count(fileBytes(t, filepath.Join(res.Dir, m)), []byte("\n"))
			if lines != want || want == 0 {
				t.Errorf("%s -c %s: %d OK lines, want %d\n%s", tool, m, lines, want, out)
			}
		}
	}
	// And it notices a change.
	flipMiddle(t, filepath.Join(res.Dir, "data/evidence/EV-0001/video.mp4"))
	cmd := exec.Command(testtool.Need(t, "sha256sum"), "-c", "manifest-sha256.txt")
	cmd.Dir = res.Dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "data/evidence/EV-0001/video.mp4: FAILED") {
		t.Errorf("sha256sum did not flag the change: %v\n%s", err, out)
	}
}

// TestVerifyTxtRuns runs every command VERIFY.txt gives, exactly as
// written, from the folder that holds the package (bash, as it says), and
// checks that they pass and leave nothing inside the package.
func TestVerifyTxtRuns(t *testing.T) {
	bash := testtool.Need(t, "bash")
	testtool.Need(t, "sha256sum")
	c := newCase(t, defaultEvidence)
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir()})
	must(t, err)
	text := string(fileBytes(t, filepath.Join(res.Dir, "VERIFY.txt")))
	var setup string
	var cmds []string
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "PKG="):
			setup = l
		case strings.HasPrefix(l, "(cd "):
			cmds = append(cmds, l)
		}
	}
	if setup != "PKG='"+filepath.Base(res.Dir)+"'" || len(cmds) != 5 {
		t.Fatalf("setup %q and %d commands in:\n%s", setup, len(cmds), text)
	}
	before := treeDigest(t, res.Dir)
	for _, c := range cmds {
		cmd := exec.Command(bash, "-c", setup+"; set -e; "+c)
		cmd.Dir = filepath.Dir(res.Dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", c, err, out)
		}
		if strings.Contains(c, "sum -c") && (!strings.Contains(string(out), ": OK") || strings.Contains(string(out), "FAILED")) {
			t.Errorf("%s:\n%s", c, out)
		}
		if strings.Contains(c, "diff") && len(out) != 0 {
			t.Errorf("%s printed:\n%s", c, out)
		}
	}
	if treeDigest(t, res.Dir) != before {
		t.Error("the commands changed the package")
	}
}

func TestReproducible(t *testing.T) {
	c := newCase(t, defaultEvidence)
	var trees, zips []string
	for range 2 {
		res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir(), Zip: true})
		must(t, err)
		trees = append(trees, treeDigest(t, res.Dir))
		zips = append(zips, string(fileBytes(t, res.Zip)))
		fi, err := os.Stat(res.Zip)
		must(t, err)
		if !fi.ModTime().Equal(testDate) {
			t.Errorf("zip mtime %v, want %v", fi.ModTime(), testDate)
		}
		// The package is an archive others read: its top folder too.
		top, err := os.Stat(res.Dir)
		must(t, err)
		if top.Mode().Perm() != 0o755 {
			t.Errorf("package folder mode %04o, want 0755", top.Mode().Perm())
		}
	}
	if trees[0] != trees[1] {
		t.Errorf("two builds differ:\n%s\n---\n%s", trees[0], trees[1])
	}
	if !strings.Contains(trees[0], "2026-03-14T09:26:53Z") || strings.Count(trees[0], "2026-03-14T09:26:53Z") != strings.Count(trees[0], "\n") {
		t.Errorf("not every time is the build date:\n%s", trees[0])
	}
	if zips[0] != zips[1] {
		t.Error("two ZIPs differ")
	}
}

func TestPercentEncodedNames(t *testing.T) {
	evs := []evSpec{
		{"EV-0001", "100% real.mp4", "video/mp4", 100, false},
		{"EV-0002", "line\nbreak.jpg", "image/jpeg", 100, false},
		{"EV-0003", "carriage\rreturn.txt", "text/plain", 100, false},
	}
	c := newCase(t, evs)
	res, err := Build(context.Background(), c.spec(evs), Options{OutDir: t.TempDir(), Zip: true})
	must(t, err)
	m := string(fileBytes(t, filepath.Join(res.Dir, "manifest-sha256.txt")))
	for _, want := range []string{"  data/evidence/EV-0001/100%25 real.mp4\n", "  data/evidence/EV-0002/line%0Abreak.jpg\n", "  data/evidence/EV-0003/carriage%0Dreturn.txt\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("manifest lacks %q:\n%s", want, m)
		}
	}
	for _, p := range []string{res.Dir, res.Zip} {
		if rep := verifyPath(t, p); !rep.Intact() {
			t.Errorf("%s: %+v", p, rep.Findings)
		}
	}
}

func TestWithheldEvidence(t *testing.T) {
	evs := slices.Clone(defaultEvidence)
	evs[1].withhold = true
	c := newCase(t, evs)
	res, err := Build(context.Background(), c.spec(evs), Options{OutDir: t.TempDir(), Zip: true})
	must(t, err)
	if _, err := os.Stat(filepath.Join(res.Dir, "data/evidence/EV-0002")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("withheld evidence was copied (%v)", err)
	}
	if m := string(fileBytes(t, filepath.Join(res.Dir, "manifest-sha256.txt"))); strings.Contains(m, "photo.jpg") {
		t.Errorf("withheld file in the BagIt manifest:\n%s", m)
	}
	cm, err := bag.ParseCasepackManifest(fileBytes(t, filepath.Join(res.Dir, bag.CasepackManifestPath)))
	must(t, err)
	var found bool
	for _, it := range cm.Evidence {
		for _, f := range it.Files {
			if f.Path == "data/evidence/EV-0002/photo.jpg" {
				found = true
				if !f.Withheld || f.SHA256 != res.Evidence[1].SHA256() || f.SHA512 != res.Evidence[1].SHA512() || f.Size != 20<<10 {
					t.Errorf("withheld entry = %+v", f)
				}
			}
		}
	}
	if !found || res.WithheldFiles != 1 || res.EvidenceFiles != 4 {
		t.Errorf("withheld entry found=%v, result %+v", found, res)
	}
	for _, p := range []string{res.Dir, res.Zip} {
		if rep := verifyPath(t, p); !rep.Intact() {
			t.Errorf("%s: %+v", p, rep.Findings)
		}
	}
	// Putting the withheld file back is a finding: the edition leaked it.
	must(t, os.MkdirAll(filepath.Join(res.Dir, "data/evidence/EV-0002"), 0o755))
	must(t, os.WriteFile(filepath.Join(res.Dir, "data/evidence/EV-0002/photo.jpg"), fileBytes(t, c.files["EV-0002"]), 0o644))
	rep := verifyPath(t, res.Dir)
	if !slices.ContainsFunc(rep.Findings, func(f finding.Finding) bool { return f.Code == finding.CasepackWithheld }) {
		t.Errorf("withheld file present not reported: %+v", rep.Findings)
	}
}

func TestDeclaredDigestMismatch(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	spec.Evidence[2].DeclaredSHA256 = strings.Repeat("ab", 32)
	spec.Evidence[0].DeclaredSHA256 = strings.ToUpper(sha256Hex(t, c.files["EV-0001"])) // right, in upper case
	out := t.TempDir()
	_, err := Build(context.Background(), spec, Options{OutDir: out})
	var dm *evidence.DigestMismatch
	if !errors.As(err, &dm) || dm.ID != "EV-0003" || dm.Path != c.files["EV-0003"] || dm.Want != strings.Repeat("ab", 32) {
		t.Fatalf("err = %v, want DigestMismatch for EV-0003", err)
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left behind %q", got)
	}
}

func TestExistingTarget(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	out := t.TempDir()
	_, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true})
	must(t, err)
	target := filepath.Join(out, spec.Name)
	// Mark the old package (a listed file changed): --force replaces what
	// the package consists of, nothing else (see TestForceReplacesOnlyPackages).
	must(t, os.WriteFile(filepath.Join(target, "VERIFY.txt"), []byte("old"), 0o644))
	oldZip := fileBytes(t, target+".zip")

	_, err = Build(context.Background(), spec, Options{OutDir: out, Zip: true})
	if !errors.Is(err, ErrTargetExists) {
		t.Fatalf("err = %v, want ErrTargetExists", err)
	}
	if string(fileBytes(t, filepath.Join(target, "VERIFY.txt"))) != "old" {
		t.Error("refused build touched the existing package")
	}
	res, err := Build(context.Background(), newerSpec(c), Options{OutDir: out, Zip: true, Force: true})
	must(t, err)
	if string(fileBytes(t, filepath.Join(target, "VERIFY.txt"))) == "old" {
		t.Error("forced build kept the old package's files")
	}
	if bytes.Equal(fileBytes(t, res.Zip), oldZip) {
		t.Error("forced build kept the old zip")
	}
	if got, want := listDir(t, out), []string{spec.Name, spec.Name + ".zip"}; !slices.Equal(got, want) {
		t.Errorf("output folder holds %q, want %q", got, want)
	}
	for _, p := range []string{res.Dir, res.Zip} {
		if rep := verifyPath(t, p); !rep.Intact() {
			t.Errorf("%s: %+v", p, rep.Findings)
		}
	}
}

// TestAlsoFiles: the files a generator writes beside its own in the same
// pass (the annexes' CSV twins) are in the package with the bytes written,
// listed in the payload manifests (under data/) or the tag manifests, and
// the package verifies.
func TestAlsoFiles(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	also := map[string]string{"data/annexes/csv/a.csv": "id,sha256\r\nEV-1,x\r\n", "data/annexes/csv/b.csv": "", "casepack/also.txt": "tag\n"}
	spec.Files = append(spec.Files, alsoGenerator("data/annexes/annexes.xlsx", slices.Sorted(maps.Keys(also)), func(w AlsoWriter) error {
		io.WriteString(w, "PK workbook")
		for _, p := range slices.Sorted(maps.Keys(also)) {
			if err := writeAlso(w, p, also[p]); err != nil {
				return err
			}
		}
		return nil
	}))
	res, err := Build(context.Background(), spec, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	also["data/annexes/annexes.xlsx"] = "PK workbook"
	pay := readFile(t, filepath.Join(res.Dir, "manifest-sha256.txt"))
	tag := readFile(t, filepath.Join(res.Dir, "tagmanifest-sha256.txt"))
	for p, want := range also {
		if got := readFile(t, filepath.Join(res.Dir, filepath.FromSlash(p))); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
		line := digest.SHA256([]byte(want)) + "  " + p + "\n"
		manifest := pay
		if !strings.HasPrefix(p, "data/") {
			manifest = tag
		}
		if !strings.Contains(manifest, line) {
			t.Errorf("%s is not listed with its digest (%q)", p, line)
		}
	}
}

// alsoGenerator is a generated file at p whose Generate writes the files
// also beside it with write.
func alsoGenerator(p string, also []string, write func(w AlsoWriter) error) GeneratedFile {
	return GeneratedFile{Path: p, Also: also, Generate: func(ctx context.Context, w io.Writer, _ *Evidence) error {
		return write(w.(AlsoWriter))
	}}
}

// writeAlso creates the file p beside a generated file, writes s and closes it.
func writeAlso(w AlsoWriter, p, s string) error {
	f, err := w.CreateAlso(p)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestCancelledBuildLeavesNothing(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Build(ctx, c.spec(defaultEvidence), Options{OutDir: out, Zip: true, Progress: func(p digest.Progress) {
		if p.TotalDone > 0 {
			cancel() // as the CLI does on SIGINT
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left behind %q", got)
	}
}

func TestFailuresLeaveNothing(t *testing.T) {
	errDisk := errors.New("injected: no space left on device")
	tests := []struct {
		name   string
		change func(*Spec, *Options)
		want   func(error) bool
	}{
		{"generator fails", func(s *Spec, _ *Options) {
			s.Files = append(s.Files, GeneratedFile{Path: "data/narrative/submission.pdf", Generate: func(ctx context.Context, w io.Writer, _ *Evidence) error {
				io.WriteString(w, "%PDF-1.7 partial")
				return errDisk
			}})
		}, func(err error) bool { return errors.Is(err, errDisk) }},
		{"signer fails", func(s *Spec, _ *Options) { s.Signers = []Signer{failingSigner{errDisk}} }, func(err error) bool { return errors.Is(err, errDisk) }},
		{"verify after write fails", func(_ *Spec, o *Options) {
			o.Checks = []verify.Check{func(ctx context.Context, fsys fs_FS) ([]finding.Finding, error) {
				return []finding.Finding{{Code: "CP-SIG-BAD", Severity: finding.Error, Path: "signatures/1-x.sig", Message: "bad"}}, nil
			}}
		}, func(err error) bool { var ve *VerifyError; return errors.As(err, &ve) }},
		{"missing evidence source", func(s *Spec, _ *Options) { s.Evidence[3].Src += ".gone" }, func(err error) bool { return errors.Is(err, os.ErrNotExist) }},
		{"unsafe evidence path", func(s *Spec, _ *Options) { s.Evidence[0].Dst = "data/../../etc/x" }, func(err error) bool { return errors.Is(err, ErrInvalidSpec) }},
		{"colliding evidence paths", func(s *Spec, _ *Options) {
			s.Evidence[1].Dst = strings.ToUpper(s.Evidence[0].Dst[:5]) + s.Evidence[0].Dst[5:]
		}, func(err error) bool { return err != nil }},
		{"reserved generated path", func(s *Spec, _ *Options) { s.Files[0].Path = "manifest-md5.txt" }, func(err error) bool { return errors.Is(err, ErrInvalidSpec) }},
		{"reserved path beside a generated file", func(s *Spec, _ *Options) { s.Files[0].Also = []string{"bag-info.txt"} }, func(err error) bool { return errors.Is(err, ErrInvalidSpec) }},
		{"path beside a generated file used twice", func(s *Spec, _ *Options) { s.Files[0].Also = []string{s.Files[1].Path} }, func(err error) bool { return errors.Is(err, ErrInvalidSpec) }},
		{"file beside a generated file not written", func(s *Spec, _ *Options) {
			s.Files = append(s.Files, alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/a.csv", "data/annexes/csv/b.csv"}, func(w AlsoWriter) error {
				return writeAlso(w, "data/annexes/csv/a.csv", "a")
			}))
		}, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "data/annexes/csv/b.csv was not written")
		}},
		{"file beside a generated file not closed", func(s *Spec, _ *Options) {
			s.Files = append(s.Files, alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/a.csv"}, func(w AlsoWriter) error {
				f, err := w.CreateAlso("data/annexes/csv/a.csv")
				if err != nil {
					return err
				}
				_, err = io.WriteString(f, "a")
				return err
			}))
		}, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "data/annexes/csv/a.csv was not closed")
		}},
		{"file beside a generated file not declared", func(s *Spec, _ *Options) {
			s.Files = append(s.Files, alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/a.csv"}, func(w AlsoWriter) error {
				if err := writeAlso(w, "data/annexes/csv/a.csv", "a"); err != nil {
					return err
				}
				return writeAlso(w, "data/annexes/csv/planted.csv", "x")
			}))
		}, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "planted.csv: not one of the files")
		}},
		{"file beside a generated file created twice", func(s *Spec, _ *Options) {
			s.Files = append(s.Files, alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/a.csv"}, func(w AlsoWriter) error {
				if err := writeAlso(w, "data/annexes/csv/a.csv", "a"); err != nil {
					return err
				}
				return writeAlso(w, "data/annexes/csv/a.csv", "b")
			}))
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "created twice") }},
		{"unsafe name", func(s *Spec, _ *Options) { s.Name = "../escape" }, func(err error) bool { return errors.Is(err, ErrInvalidSpec) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(t, defaultEvidence)
			before := treeDigest(t, c.dir)
			spec := c.spec(defaultEvidence)
			out := t.TempDir()
			opt := Options{OutDir: out, Zip: true}
			tt.change(&spec, &opt)
			_, err := Build(context.Background(), spec, opt)
			if !tt.want(err) {
				t.Fatalf("err = %v", err)
			}
			if got := listDir(t, out); len(got) != 0 {
				t.Errorf("left behind %q", got)
			}
			if after := treeDigest(t, c.dir); after != before {
				t.Errorf("the case folder changed:\n%s\n---\n%s", before, after)
			}
		})
	}
}

// TestFullDisk builds onto a 1 MiB tmpfs (root only; skipped where mount
// is impossible) so a write hits ENOSPC: in the evidence copy, in a generated
// file whose generator ignores write errors, and in the ZIP.
func TestFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()
	tests := []struct {
		name     string
		bigVideo int
		zip      bool
		gen      bool
		also     bool
		mention  string
	}{
		{"evidence copy", 3 << 20, false, false, false, "evidence EV-000"},
		// Under a read buffer: written through a bare descriptor.
		{"small evidence copy", 1000 << 10, false, false, false, "evidence EV-000"},
		{"generated file", 1 << 10, false, true, false, "data/narrative/submission.pdf"},
		{"file beside a generated file", 1 << 10, false, false, true, "data/annexes/csv/big.csv"},
		{"zip", 600 << 10, true, false, false, "zip"}, // ~630 KiB folder fits in 1 MiB, its ZIP does not,
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := slices.Clone(defaultEvidence)
			evs[0].size = tt.bigVideo
			c := newCase(t, evs)
			spec := c.spec(evs)
			if tt.gen {
				spec.Files = append(spec.Files, GeneratedFile{Path: "data/narrative/submission.pdf", Generate: func(ctx context.Context, w io.Writer, _ *Evidence) error {
					for range 64 {
						w.Write(bytes.Repeat([]byte{'x'}, 64<<10)) // error ignored on purpose
					}
					return nil
				}})
			}
			if tt.also {
				spec.Files = append(spec.Files, alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/big.csv"}, func(w AlsoWriter) error {
					f, err := w.CreateAlso("data/annexes/csv/big.csv")
					if err != nil {
						return err
					}
					for range 64 {
						f.Write(bytes.Repeat([]byte{'x'}, 64<<10)) // error ignored on purpose
					}
					f.Close()
					return nil
				}))
			}
			if tt.gen || tt.also {
				// The file that fills the disk is made once the others are
				// written (After): beside them it could fill the disk under
				// one of them first, and the build rightly reports the
				// first failure in Spec order.
				last := &spec.Files[len(spec.Files)-1]
				for _, g := range spec.Files[:len(spec.Files)-1] {
					last.After = append(last.After, g.Path)
				}
			}
			out := filepath.Join(mnt, fmt.Sprint("out", i))
			_, err := Build(context.Background(), spec, Options{OutDir: out, Zip: tt.zip})
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("err = %v, want ENOSPC", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error does not name %s: %v", tt.mention, err)
			}
			// The build made out, so it removes it too.
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("left the output folder it created behind (%v): %q", err, listDir(t, out))
			}
		})
	}
}

func TestSourcesOnlyRead(t *testing.T) {
	c := newCase(t, defaultEvidence)
	before := treeDigest(t, c.dir)
	// Read-only sources and folders: a build that tried to write, move or
	// chmod them would fail (for non-root) or change the digest below.
	must(t, filepathWalkChmod(c.dir))
	defer exec.Command("chmod", "-R", "u+w", c.dir).Run()
	before = strings.ReplaceAll(before, "-rw-r--r--", "-r--r--r--")
	before = strings.ReplaceAll(before, "drwxr-xr-x", "dr-xr-xr-x")
	_, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir(), Zip: true})
	must(t, err)
	if after := treeDigest(t, c.dir); after != before {
		t.Errorf("case folder changed:\n%s\n---\n%s", before, after)
	}
}

func sha256Hex(t *testing.T, p string) string {
	f, err := os.Open(p)
	must(t, err)
	defer f.Close()
	d, err := digest.Read(context.Background(), f)
	must(t, err)
	return d.SHA256
}

// TestForceReplacesOnlyPackages: --force never deletes what is not a
// package — a folder without bagit.txt, or a folder where the ZIP goes.
func TestForceReplacesOnlyPackages(t *testing.T) {
	c := newCase(t, defaultEvidence)
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, out, name string)
		zip   bool
	}{
		{"folder of someone's work", func(t *testing.T, out, name string) {
			must(t, os.MkdirAll(filepath.Join(out, name), 0o755))
			must(t, os.WriteFile(filepath.Join(out, name, "thesis.docx"), []byte("precious"), 0o644))
		}, false},
		{"a file with the package's name", func(t *testing.T, out, name string) {
			must(t, os.WriteFile(filepath.Join(out, name), []byte("precious"), 0o644))
		}, false},
		{"a folder where the ZIP goes", func(t *testing.T, out, name string) {
			must(t, os.MkdirAll(filepath.Join(out, name+".zip"), 0o755))
			must(t, os.WriteFile(filepath.Join(out, name+".zip", "thesis.docx"), []byte("precious"), 0o644))
		}, true},
		{"a folder with bagit.txt and someone's notes", func(t *testing.T, out, name string) {
			must(t, os.MkdirAll(filepath.Join(out, name), 0o755))
			must(t, os.WriteFile(filepath.Join(out, name, "bagit.txt"), []byte(bag.BagitTxt), 0o644))
			must(t, os.WriteFile(filepath.Join(out, name, "notes.txt"), []byte("precious"), 0o644))
		}, false},
		{"a package with a note added", func(t *testing.T, out, name string) {
			c := newCase(t, defaultEvidence)
			_, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out})
			must(t, err)
			must(t, os.WriteFile(filepath.Join(out, name, "data", "my-notes.txt"), []byte("precious"), 0o644))
		}, false},
		{"a package with a note in signatures/", func(t *testing.T, out, name string) {
			c := newCase(t, defaultEvidence)
			_, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out})
			must(t, err)
			must(t, os.MkdirAll(filepath.Join(out, name, "signatures"), 0o755))
			must(t, os.WriteFile(filepath.Join(out, name, "signatures", "README"), []byte("precious"), 0o644))
		}, false},
		{"a ZIP that is not the package's", func(t *testing.T, out, name string) {
			must(t, os.WriteFile(filepath.Join(out, name+".zip"), []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			spec := c.spec(defaultEvidence)
			tc.setup(t, out, spec.Name)
			before := treeDigest(t, out)
			_, err := Build(context.Background(), spec, Options{OutDir: out, Force: true, Zip: tc.zip})
			if !errors.Is(err, ErrNotReplaceable) {
				t.Fatalf("err = %v, want ErrNotReplaceable", err)
			}
			if after := treeDigest(t, out); after != before {
				t.Errorf("the output folder changed:\n%s\n---\n%s", before, after)
			}
		})
	}
}

// TestForceReplacesCoSignedPackage: a package that was co-signed since
// consists of its manifests' files and its signatures: --force replaces it.
func TestForceReplacesCoSignedPackage(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	spec := c.spec(defaultEvidence)
	_, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true})
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(out, spec.Name, "signatures"), 0o755))
	for _, n := range []string{"1-alice.sig", "1-alice.pub.pem", "1-alice.json", "1-alice.json.sig"} {
		must(t, os.WriteFile(filepath.Join(out, spec.Name, "signatures", n), []byte("x"), 0o644))
	}
	if _, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true, Force: true}); err != nil {
		t.Fatalf("a co-signed package was not replaced: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, spec.Name, "signatures")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the old signatures are still there: %v", err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWritebackOnlyForLargeFiles: a generated file, a file of its Also and
// a tag file start for the disk as they are handed over only when larger
// than a MiB (atomicfs.Tree.Wrote's rule for evidence copies); a smaller
// one is left to the kernel and the final sync. Asked of every small
// generated file, the hint blocked the bench set's workbook in
// sync_file_range for up to 0.8 s while the disk wrote the evidence back.
func TestWritebackOnlyForLargeFiles(t *testing.T) {
	c := newCase(t, defaultEvidence)
	spec := c.spec(defaultEvidence)
	large := strings.Repeat("x", 3<<20/2)
	spec.Files = append(spec.Files,
		alsoGenerator("data/annexes/annexes.xlsx", []string{"data/annexes/csv/large.csv", "data/annexes/csv/small.csv"}, func(w AlsoWriter) error {
			io.WriteString(w, "PK workbook")
			if err := writeAlso(w, "data/annexes/csv/large.csv", large); err != nil {
				return err
			}
			return writeAlso(w, "data/annexes/csv/small.csv", "id\r\n")
		}),
		GeneratedFile{Path: "data/large.bin", Generate: func(_ context.Context, w io.Writer, _ *Evidence) error {
			_, err := io.WriteString(w, large)
			return err
		}})
	var mu sync.Mutex
	got := map[string][2]int64{}
	_, err := Build(context.Background(), spec, Options{OutDir: t.TempDir(), writeback: func(name string, off, n int64) {
		// name is in the temporary package folder, ".<Name>.tmp-*".
		_, rel, ok := strings.Cut(filepath.ToSlash(name), "/."+spec.Name+".tmp-")
		if _, rel, ok = strings.Cut(rel, "/"); !ok {
			t.Errorf("write-back of %s, outside the package", name)
		}
		mu.Lock()
		got[rel] = [2]int64{off, n}
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{"data/large.bin": {0, int64(len(large))}, "data/annexes/csv/large.csv": {0, int64(len(large))}}
	if !maps.Equal(got, want) {
		t.Errorf("write-back started for %v, want %v (the files over a MiB, each whole)", got, want)
	}
}
