package assemble

import (
	"context"
	"github.com/casepack/casepack/packager/finding"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/verify"
)

// flipMiddle changes one bit of the file's middle byte.
func flipMiddle(t *testing.T, p string) {
	t.Helper()
	b := fileBytes(t, p)
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipFirstDigit changes the first hex digit of the file (a manifest's first
// digest) to another hex digit, so the line stays readable.
func flipFirstDigit(t *testing.T, p string) {
	t.Helper()
	b := fileBytes(t, p)
	if b[0] == '0' {
		b[0] = '1'
	} else {
		b[0] = '0'
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTamperMatrix(t *testing.T) {
	c := newCase(t, defaultEvidence)
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	const (
		video = "data/evidence/EV-0001/video.mp4"
		photo = "data/evidence/EV-0002/photo.jpg"
		pdf   = "data/evidence/EV-0003/statement.pdf"
	)
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		paths  []string     // exactly the paths error findings name (CP-BAG-OXUM aside)
		code   finding.Code // a code that must be among them
		oxum   bool         // Payload-Oxum must disagree too
	}{
		{"evidence byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, video)) }, []string{video}, finding.BagModified, false},
		{"case.json byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "data/case/case.json")) }, []string{"data/case/case.json"}, finding.BagModified, false},
		{"bag-info byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "bag-info.txt")) }, []string{"bag-info.txt"}, finding.BagModified, false},
		{"VERIFY.txt byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "VERIFY.txt")) }, []string{"VERIFY.txt"}, finding.BagModified, false},
		{"bagit.txt byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "bagit.txt")) }, []string{"bagit.txt"}, finding.BagModified, false},
		{"manifest-sha256 digest", func(t *testing.T, d string) { flipFirstDigit(t, filepath.Join(d, "manifest-sha256.txt")) }, []string{"manifest-sha256.txt"}, finding.BagManifestModified, false},
		// The payload's SHA-512 is not recomputed where its SHA-256 agrees
		// (verify.Options.EveryDigest): the tag manifests name the change.
		{"manifest-sha512 digest", func(t *testing.T, d string) { flipFirstDigit(t, filepath.Join(d, "manifest-sha512.txt")) }, []string{"manifest-sha512.txt"}, finding.BagModified, false},
		{"manifest-sha256 middle byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "manifest-sha256.txt")) }, []string{"manifest-sha256.txt"}, finding.BagModified, false},
		{"tagmanifest-sha256 digest", func(t *testing.T, d string) { flipFirstDigit(t, filepath.Join(d, "tagmanifest-sha256.txt")) }, []string{"tagmanifest-sha256.txt"}, finding.BagManifestModified, false},
		{"tagmanifest-sha512 digest", func(t *testing.T, d string) { flipFirstDigit(t, filepath.Join(d, "tagmanifest-sha512.txt")) }, []string{"tagmanifest-sha512.txt"}, finding.BagManifestModified, false},
		{"tagmanifest-sha512 middle byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, "tagmanifest-sha512.txt")) }, []string{"tagmanifest-sha512.txt"}, finding.BagManifestModified, false},
		{"casepack manifest byte", func(t *testing.T, d string) { flipMiddle(t, filepath.Join(d, bag.CasepackManifestPath)) }, []string{bag.CasepackManifestPath}, finding.BagModified, false},
		{"delete evidence", func(t *testing.T, d string) { must(t, os.Remove(filepath.Join(d, photo))) }, []string{photo}, finding.BagMissing, true},
		{"delete tag manifest", func(t *testing.T, d string) { must(t, os.Remove(filepath.Join(d, "tagmanifest-sha512.txt"))) }, []string{"tagmanifest-sha512.txt"}, finding.BagMissing, false},
		{"delete both payload manifests", func(t *testing.T, d string) {
			must(t, os.Remove(filepath.Join(d, "manifest-sha256.txt")))
			must(t, os.Remove(filepath.Join(d, "manifest-sha512.txt")))
		}, []string{"manifest-sha256.txt", "manifest-sha512.txt"}, finding.BagMissing, false},
		{"delete casepack manifest", func(t *testing.T, d string) { must(t, os.Remove(filepath.Join(d, bag.CasepackManifestPath))) }, []string{bag.CasepackManifestPath}, finding.BagMissing, false},
		{"delete bag-info", func(t *testing.T, d string) { must(t, os.Remove(filepath.Join(d, "bag-info.txt"))) }, []string{"bag-info.txt"}, finding.BagMissing, false},
		{"add payload file", func(t *testing.T, d string) {
			must(t, os.WriteFile(filepath.Join(d, "data/evidence/EV-0002/extra.jpg"), []byte("x"), 0o644))
		}, []string{"data/evidence/EV-0002/extra.jpg"}, finding.BagExtra, true},
		{"add tag file", func(t *testing.T, d string) {
			must(t, os.WriteFile(filepath.Join(d, "README.txt"), []byte("x"), 0o644))
		}, []string{"README.txt"}, finding.BagExtra, false},
		{"rename evidence", func(t *testing.T, d string) {
			must(t, os.Rename(filepath.Join(d, pdf), filepath.Join(d, "data/evidence/EV-0003/statement-v2.pdf")))
		}, []string{"data/evidence/EV-0003/statement-v2.pdf", pdf}, finding.BagMissing, false},
		{"signature added is not extra", func(t *testing.T, d string) {
			must(t, os.MkdirAll(filepath.Join(d, "signatures"), 0o755))
			must(t, os.WriteFile(filepath.Join(d, "signatures/1-x.sig"), []byte("sig"), 0o644))
		}, nil, "", false},
	}
	for _, form := range []string{"folder", "zip"} {
		for _, tt := range tests {
			t.Run(form+"/"+tt.name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), filepath.Base(res.Dir))
				must(t, os.CopyFS(dir, os.DirFS(res.Dir)))
				tt.mutate(t, dir)
				p := dir
				if form == "zip" {
					p = dir + ".zip"
					f, err := os.Create(p)
					must(t, err)
					must(t, bag.WriteZip(f, os.DirFS(dir), filepath.Base(dir), testDate))
					must(t, f.Close())
				}
				rep := verifyPath(t, p)
				if os.Getenv("SHOW") != "" {
					for _, f := range rep.Findings {
						t.Logf("%s %s %s: %s [%s %s]", f.Severity, f.Code, f.Path, f.Message, f.Expected, f.Actual)
					}
				}
				var paths []string
				var codes []finding.Code
				oxum := false
				for _, f := range rep.Errors() {
					codes = append(codes, f.Code)
					if f.Code == finding.BagOxum {
						oxum = true
						continue
					}
					if !slices.Contains(paths, f.Path) {
						paths = append(paths, f.Path)
					}
				}
				slices.Sort(paths)
				if !slices.Equal(paths, tt.paths) {
					t.Errorf("findings name %q, want exactly %q\n%+v", paths, tt.paths, rep.Findings)
				}
				if tt.code != "" && !slices.Contains(codes, tt.code) {
					t.Errorf("codes %q lack %s", codes, tt.code)
				}
				if oxum != tt.oxum {
					t.Errorf("Payload-Oxum finding = %v, want %v", oxum, tt.oxum)
				}
				if rep.Intact() != (len(tt.paths) == 0) {
					t.Errorf("Intact() = %v", rep.Intact())
				}
			})
		}
	}
}

func verifyPath(t *testing.T, p string) *verify.Report {
	t.Helper()
	pkg, err := verify.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.Close()
	rep, err := verify.Verify(context.Background(), pkg, verify.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
