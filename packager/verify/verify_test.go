package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"hash/crc32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
)

var update = flag.Bool("update", false, "rewrite testdata/zip fixtures")

var fixDate = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// smallBag returns the files of a minimal valid casepack bag, built with the
// bag package the way Build builds one.
func smallBag(t testing.TB) map[string][]byte { return bagWith(t, nil) }

// bagWith is smallBag with extra payload files.
func bagWith(t testing.TB, extra map[string][]byte) map[string][]byte {
	t.Helper()
	files := map[string][]byte{
		"data/evidence/EV-0001/a.txt": []byte("first evidence file\n"),
		"data/evidence/EV-0002/b.bin": bytes.Repeat([]byte{0, 1, 2, 3}, 300),
		"data/case/case.json":         []byte("{}\n"),
	}
	for p, b := range extra {
		files[p] = b
	}
	pay := [2]bag.Manifest{{Alg: bag.SHA256}, {Alg: bag.SHA512}}
	cm := bag.CasepackManifest{SubmissionID: "S-1", Edition: "confidential"}
	var ox bag.Oxum
	for _, p := range sortedKeys(files) {
		d := digests(files[p])
		pay[0].Entries = append(pay[0].Entries, bag.Entry{Path: p, Digest: d.SHA256})
		pay[1].Entries = append(pay[1].Entries, bag.Entry{Path: p, Digest: d.SHA512})
		ox.Bytes += d.Size
		ox.Files++
		if strings.HasPrefix(p, "data/evidence/") {
			id := strings.Split(p, "/")[2]
			cm.Evidence = append(cm.Evidence, bag.EvidenceItem{ID: id, Files: []bag.ManifestFile{{Path: p, Size: d.Size, SHA256: d.SHA256, SHA512: d.SHA512}}})
		}
	}
	cm.Evidence = append(cm.Evidence, bag.EvidenceItem{ID: "EV-0003", Files: []bag.ManifestFile{{Path: "data/evidence/EV-0003/w.mp4", Size: 5,
		SHA256: strings.Repeat("1", 64), SHA512: strings.Repeat("2", 128), Withheld: true}}})
	var err error
	files["bagit.txt"] = []byte(bag.BagitTxt)
	files["bag-info.txt"], err = bag.MarshalBagInfo([]bag.Field{{Label: "External-Identifier", Value: "S-1"}, {Label: "Payload-Oxum", Value: ox.String()}})
	must(t, err)
	for i := range pay {
		files[bag.ManifestName(pay[i].Alg)], err = pay[i].Marshal()
		must(t, err)
	}
	files[bag.CasepackManifestPath], err = cm.Marshal()
	must(t, err)
	files["VERIFY.txt"] = []byte("check me\n")
	tag := [2]bag.Manifest{{Alg: bag.SHA256}, {Alg: bag.SHA512}}
	for p, b := range files {
		if strings.HasPrefix(p, "data/") {
			continue
		}
		d := digests(b)
		tag[0].Entries = append(tag[0].Entries, bag.Entry{Path: p, Digest: d.SHA256})
		tag[1].Entries = append(tag[1].Entries, bag.Entry{Path: p, Digest: d.SHA512})
	}
	for i := range tag {
		files[bag.TagManifestName(tag[i].Alg)], err = tag[i].Marshal()
		must(t, err)
	}
	return files
}

func mapsKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func digests(b []byte) digest.Digests { return digest.Sum(b) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeBag(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "PKG")
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, b, 0o644))
	}
	return dir
}

func run(t testing.TB, p string) *Report {
	t.Helper()
	pkg, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.Close()
	rep, err := Verify(context.Background(), pkg, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func hasFinding(rep *Report, code finding.Code, path string) bool {
	return slices.ContainsFunc(rep.Findings, func(f finding.Finding) bool { return f.Code == code && f.Path == path })
}

func TestSmallBagIntact(t *testing.T) {
	dir := writeBag(t, smallBag(t))
	rep := run(t, dir)
	pkg, err := Open(dir)
	must(t, err)
	defer pkg.Close()
	var last digest.Progress
	_, err = Verify(context.Background(), pkg, Options{Progress: func(p digest.Progress) { last = p }})
	must(t, err)
	if last.FilesDone != 9 || last.FilesTotal != 9 || last.TotalDone != last.Total || last.Total == 0 {
		t.Errorf("last progress event %+v", last)
	}
	if !rep.Intact() || len(rep.Findings) != 0 {
		t.Fatalf("%+v", rep.Findings)
	}
	b, err := json.Marshal(rep)
	must(t, err)
	if !strings.Contains(string(b), `"intact":true`) || !strings.Contains(string(b), `"findings":[]`) || !strings.Contains(string(b), `"files_checked":9`) {
		t.Errorf("json = %s", b)
	}
}

// TestHostileManifestLines: paths a manifest must never make the verifier
// open are refused and reported against the manifest.
func TestHostileManifestLines(t *testing.T) {
	d := strings.Repeat("a", 64)
	tests := []struct {
		name string
		line string
		code finding.Code
	}{
		{"dotdot", d + "  data/../../../etc/passwd\n", finding.BagPathUnsafe},
		{"absolute", d + "  /etc/passwd\n", finding.BagPathUnsafe},
		{"backslash", d + "  data\\evidence\\x\n", finding.BagPathUnsafe},
		{"drive letter", d + "  C:/Windows/x\n", finding.BagPathUnsafe},
		{"outside data", d + "  bagit.txt\n", finding.BagPathUnsafe},
		{"duplicate", d + "  data/case/case.json\n", finding.BagPathCollision},
		{"case collision", d + "  data/CASE/case.json\n", finding.BagPathCollision},
		{"NFC collision", d + "  data/evidence/EV-0001/a\u0301.txt\n" + d + "  data/evidence/EV-0001/\u00e1.txt\n", finding.BagPathCollision},
		{"bad hex", strings.Repeat("z", 64) + "  data/x\n", finding.BagManifestSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := smallBag(t)
			files["manifest-sha256.txt"] = append(files["manifest-sha256.txt"], tt.line...)
			rep := run(t, writeBag(t, files))
			if rep.Intact() || !hasFinding(rep, tt.code, "manifest-sha256.txt") {
				t.Fatalf("want %s on manifest-sha256.txt, got %+v", tt.code, rep.Findings)
			}
			for _, f := range rep.Errors() {
				if f.Path != "manifest-sha256.txt" {
					t.Errorf("finding names another file: %+v", f)
				}
			}
		})
	}
}

func TestSymlinkInFolderNotFollowed(t *testing.T) {
	files := smallBag(t)
	dir := writeBag(t, files)
	target := filepath.Join(t.TempDir(), "outside.txt")
	must(t, os.WriteFile(target, files["data/case/case.json"], 0o644))
	p := filepath.Join(dir, "data/case/case.json")
	must(t, os.Remove(p))
	must(t, os.Symlink(target, p))
	rep := run(t, dir)
	if !hasFinding(rep, finding.BagPathUnsafe, "data/case/case.json") || !hasFinding(rep, finding.BagMissing, "data/case/case.json") {
		t.Fatalf("%+v", rep.Findings)
	}
}

func TestOneManifestOnly(t *testing.T) {
	// A file whose SHA-256 line is changed while SHA-512 still agrees:
	// the manifest is named, never the file.
	files := smallBag(t)
	files["manifest-sha256.txt"] = bytes.Replace(files["manifest-sha256.txt"], []byte(digests(files["data/case/case.json"]).SHA256), []byte(strings.Repeat("0", 64)), 1)
	rep := run(t, writeBag(t, files))
	if !hasFinding(rep, finding.BagManifestModified, "manifest-sha256.txt") || hasFinding(rep, finding.BagModified, "data/case/case.json") {
		t.Fatalf("%+v", rep.Findings)
	}
}

// TestMissingManifestReported: each manifest of a package that is gone is
// a finding of its own (readManifests reads the others side by side).
func TestMissingManifestReported(t *testing.T) {
	for _, name := range []string{"manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"} {
		t.Run(name, func(t *testing.T) {
			files := bagWith(t, nil)
			delete(files, name)
			rep := run(t, writeBag(t, files))
			if rep.Intact() || !hasFinding(rep, finding.BagMissing, name) {
				t.Errorf("without %s: intact %v, findings %+v", name, rep.Intact(), rep.Findings)
			}
		})
	}
}

// zipFixture is a hostile (or valid) ZIP built from smallBag plus extra
// raw entries; the file name says which finding it must raise.
type zipEntry struct {
	name         string
	data         []byte
	mode         fs.FileMode
	method       uint16
	declaredSize uint64 // != 0: lie about the uncompressed size
	badCRC       bool
}

var zipFixtures = map[string][]zipEntry{
	"valid":                           nil,
	"CP-ZIP-UNSAFE_slip":              {{name: "PKG/../evil.txt", data: []byte("x")}},
	"CP-ZIP-UNSAFE_absolute":          {{name: "/tmp/evil.txt", data: []byte("x")}},
	"CP-ZIP-UNSAFE_backslash":         {{name: `PKG\data\evil.txt`, data: []byte("x")}},
	"CP-ZIP-UNSAFE_symlink":           {{name: "PKG/data/link", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}},
	"CP-ZIP-UNSAFE_duplicate":         {{name: "PKG/data/case/case.json", data: []byte("{\"other\":1}\n")}},
	"CP-ZIP-UNSAFE_case-collision":    {{name: "PKG/data/case/CASE.json", data: []byte("{}\n")}},
	"CP-ZIP-UNSAFE_second-top-folder": {{name: "OTHER/bagit.txt", data: []byte(bag.BagitTxt)}},
	"CP-ZIP-UNSAFE_file-at-top":       {{name: "README.txt", data: []byte("x")}},
	"CP-ZIP-UNSAFE_size-lie-stored":   {{name: "PKG/data/lie.bin", data: []byte("0123456789"), declaredSize: 1 << 30}},
	"CP-ZIP-UNSAFE_size-lie-deflate":  {{name: "PKG/data/bomb.txt", data: []byte("aaaa"), method: zip.Deflate, declaredSize: 1 << 38}},
	"CP-ZIP-UNSAFE_size-absurd":       {{name: "PKG/data/huge.bin", data: []byte("a"), method: zip.Deflate, declaredSize: 1 << 50}},
	"CP-ZIP-UNSAFE_crc-lie":           {{name: "PKG/data/evidence/EV-0001/a.txt", data: nil, badCRC: true}},
	"CP-ZIP-UNSAFE_file-and-folder":   {{name: "PKG/data/case/case.json/inner", data: []byte("x")}},
}

func buildZipFixture(t testing.TB, extra []zipEntry) []byte {
	files := smallBag(t)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var crcLie *zipEntry
	for _, e := range extra {
		if e.badCRC {
			crcLie = &e
		}
	}
	for _, p := range sortedKeys(files) {
		if crcLie != nil && "PKG/"+p == crcLie.name {
			// Stored, sizes true, CRC wrong: only reading reveals it.
			h := &zip.FileHeader{Name: crcLie.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(files[p]) ^ 1,
				CompressedSize64: uint64(len(files[p])), UncompressedSize64: uint64(len(files[p])), Modified: fixDate}
			w, err := zw.CreateRaw(h)
			must(t, err)
			w.Write(files[p])
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "PKG/" + p, Method: zip.Deflate, Modified: fixDate})
		must(t, err)
		w.Write(files[p])
	}
	for _, e := range extra {
		if e.badCRC {
			continue
		}
		method := e.method
		payload := e.data
		if method == zip.Deflate {
			payload = deflate(t, e.data)
		}
		size := uint64(len(e.data))
		if e.declaredSize != 0 {
			size = e.declaredSize
		}
		h := &zip.FileHeader{Name: e.name, Method: method, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(len(payload)), UncompressedSize64: size, Modified: fixDate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateRaw(h)
		must(t, err)
		w.Write(payload)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func TestZipFixtures(t *testing.T) {
	dir := filepath.Join("testdata", "zip")
	if *update {
		must(t, os.MkdirAll(dir, 0o755))
		for name, extra := range zipFixtures {
			must(t, os.WriteFile(filepath.Join(dir, name+".zip"), buildZipFixture(t, extra), 0o644))
		}
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	must(t, err)
	if len(paths) != len(zipFixtures) {
		t.Fatalf("%d fixtures in %s, want %d (run go test -update)", len(paths), dir, len(zipFixtures))
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".zip")
		t.Run(name, func(t *testing.T) {
			rep := run(t, p)
			code, _, _ := strings.Cut(name, "_")
			if code == "valid" {
				if !rep.Intact() || len(rep.Findings) != 0 {
					t.Fatalf("%+v", rep.Findings)
				}
				return
			}
			if rep.Intact() {
				t.Fatal("hostile ZIP reported intact")
			}
			var hostile string
			for _, e := range zipFixtures[name] {
				hostile = strings.TrimPrefix(e.name, "PKG/")
			}
			if !hasFinding(rep, finding.Code(code), hostile) {
				t.Errorf("no %s finding for %q: %+v", code, hostile, rep.Findings)
			}
		})
	}
}

// FuzzZipVerify: any bytes opened as a ZIP package verify without panic,
// error only for cancellation, and never report a hostile file as intact.
func FuzzZipVerify(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "zip", "*.zip"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkg, err := openZip(bytes.NewReader(b), int64(len(b)), "fuzz.zip")
		if err != nil {
			return
		}
		rep, err := Verify(context.Background(), pkg, Options{Workers: 1})
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.Code == "" || f.Severity == "" || f.Message == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
		Inspect(pkg)
	})
}

// TestImportRules: the verifier never imports the builder.
func TestImportRules(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	must(t, err)
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/casepack/casepack/packager" || dep == "github.com/casepack/casepack/packager/assemble" || strings.HasPrefix(dep, "github.com/casepack/casepack/schema") {
			t.Errorf("packager/verify depends on %s", dep)
		}
	}
}

func TestInspectZip(t *testing.T) {
	p := filepath.Join("testdata", "zip", "valid.zip")
	pkg, err := Open(p)
	must(t, err)
	defer pkg.Close()
	s, err := Inspect(pkg)
	must(t, err)
	if s.Name != "PKG" || s.SubmissionID != "S-1" || s.PayloadFiles != 3 || s.EvidenceFiles != 3 || s.WithheldFiles != 1 || s.Kind != "zip" || len(s.TagManifestSHA256) != 64 {
		t.Errorf("%+v", s)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "x.zip")
	must(t, os.WriteFile(notZip, []byte("not a zip"), 0o644))
	for _, p := range []string{notZip, filepath.Join(dir, "missing")} {
		if _, err := Open(p); err == nil {
			t.Errorf("Open(%s) accepted", p)
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	ks := mapsKeys(m)
	slices.Sort(ks)
	return ks
}

// withTagFiles is smallBag with extra tag files, listed in both tag
// manifests as if they had come with the package.
func withTagFiles(t testing.TB, extra map[string][]byte) map[string][]byte {
	t.Helper()
	files := smallBag(t)
	for p, b := range extra {
		files[p] = b
	}
	return retag(t, files)
}

// retag remakes the tag manifests of files as the files now are.
func retag(t testing.TB, files map[string][]byte) map[string][]byte {
	t.Helper()
	tag := [2]bag.Manifest{{Alg: bag.SHA256}, {Alg: bag.SHA512}}
	for _, p := range sortedKeys(files) {
		if strings.HasPrefix(p, "data/") || strings.HasPrefix(p, "tagmanifest-") {
			continue
		}
		d := digests(files[p])
		tag[0].Entries = append(tag[0].Entries, bag.Entry{Path: p, Digest: d.SHA256})
		tag[1].Entries = append(tag[1].Entries, bag.Entry{Path: p, Digest: d.SHA512})
	}
	var err error
	for i := range tag {
		files[bag.TagManifestName(tag[i].Alg)], err = tag[i].Marshal()
		must(t, err)
	}
	return files
}

// TestFetchTxtRefused: a fetch.txt, even one the tag manifests list, makes
// a package fail (bagit-python refuses one that points outside the bag); an
// unknown tag file is reported.
func TestFetchTxtRefused(t *testing.T) {
	for _, tc := range []struct {
		name, fetch, want string
	}{
		{"outside the bag", "https://example.org/x 10 ../../../README.md\n", `"../../../README.md" would be written outside the payload`},
		{"inside the payload", "https://example.org/x 10 data/evidence/EV-0009/x.mp4\n", "listing 1 file(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := run(t, writeBag(t, withTagFiles(t, map[string][]byte{"fetch.txt": []byte(tc.fetch)})))
			if rep.Intact() || !hasFinding(rep, finding.BagFetch, "fetch.txt") {
				t.Fatalf("fetch.txt not refused: %+v", rep.Findings)
			}
			for _, f := range rep.Findings {
				if f.Code == finding.BagFetch && !strings.Contains(f.Message, tc.want) {
					t.Errorf("message %q lacks %q", f.Message, tc.want)
				}
			}
		})
	}
	rep := run(t, writeBag(t, withTagFiles(t, map[string][]byte{"README.md": []byte("hello\n"), "manifest-md5.txt": []byte("")})))
	if !rep.Intact() || !hasFinding(rep, finding.BagTagUnknown, "README.md") || hasFinding(rep, finding.BagTagUnknown, "manifest-md5.txt") {
		t.Errorf("unknown tag file: intact=%v %+v", rep.Intact(), rep.Findings)
	}
}

// TestHashedNotReadAgain: a payload file Options.Hashed knows at its size
// is judged by that digest, not read again, even when it disagrees (no
// second read to tell a changed file from a changed manifest); one it
// knows at another size, or under EveryDigest, is read.
func TestHashedNotReadAgain(t *testing.T) {
	files := smallBag(t)
	const p = "data/evidence/EV-0001/a.txt"
	dir := writeBag(t, files)
	wrong := digest.Digests{Size: int64(len(files[p])), SHA256: strings.Repeat("0", 64)}
	tests := []struct {
		name        string
		hashed      digest.Digests
		everyDigest bool
		intact      bool
	}{
		{"known digest, right", digest.Digests{Size: int64(len(files[p])), SHA256: digests(files[p]).SHA256}, false, true},
		{"known digest, wrong: a changed file", wrong, false, false},
		{"known at another size: read again", digest.Digests{Size: 1, SHA256: wrong.SHA256}, false, true},
		{"every digest: read again", wrong, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, err := Open(dir)
			must(t, err)
			defer pkg.Close()
			rep, err := Verify(context.Background(), pkg, Options{EveryDigest: tt.everyDigest, Hashed: func(q string) (digest.Digests, bool) { return tt.hashed, q == p }})
			must(t, err)
			if rep.Intact() != tt.intact {
				t.Fatalf("intact = %v, want %v: %+v", rep.Intact(), tt.intact, rep.Findings)
			}
			if !tt.intact && !hasFinding(rep, finding.BagModified, p) {
				t.Errorf("no finding names %s: %+v", p, rep.Findings)
			}
		})
	}
}

// TestEveryDigest: by default a payload file's SHA-512 is recomputed only
// where it decides something; manifest-sha512.txt itself is checked
// against the tag manifests. A SHA-512 line rewritten together with the
// tag manifests (what only someone rewriting the package's metadata can
// do, and what breaks its signatures) is then found by EveryDigest alone,
// while everything that changes a file or leaves a manifest unlike its tag
// manifest line is found either way.
func TestEveryDigest(t *testing.T) {
	const a = "data/evidence/EV-0001/a.txt"
	replace := func(files map[string][]byte, name, old, new string) {
		if !bytes.Contains(files[name], []byte(old)) {
			t.Fatalf("%s lacks %q", name, old)
		}
		files[name] = bytes.Replace(files[name], []byte(old), []byte(new), 1)
	}
	good := smallBag(t)
	d := digests(good[a])
	tests := []struct {
		name string
		edit func(files map[string][]byte) map[string][]byte
		// codes at paths each way; nil: intact
		fast, every []string
	}{
		{"intact", func(f map[string][]byte) map[string][]byte { return f }, nil, nil},
		{"SHA-512 line and tag manifests rewritten: the casepack manifest disagrees", func(f map[string][]byte) map[string][]byte {
			replace(f, "manifest-sha512.txt", d.SHA512, strings.Repeat("0", 128))
			return retag(t, f)
		}, []string{"CP-CASEPACK-MISMATCH " + bag.CasepackManifestPath}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha512.txt"}},
		{"SHA-512 line, casepack manifest and tag manifests rewritten", func(f map[string][]byte) map[string][]byte {
			replace(f, "manifest-sha512.txt", d.SHA512, strings.Repeat("0", 128))
			replace(f, bag.CasepackManifestPath, d.SHA512, strings.Repeat("0", 128))
			return retag(t, f)
		}, nil, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha512.txt", "CP-CASEPACK-MISMATCH " + bag.CasepackManifestPath}},
		{"SHA-512 line rewritten", func(f map[string][]byte) map[string][]byte {
			replace(f, "manifest-sha512.txt", d.SHA512, strings.Repeat("0", 128))
			return f
		}, []string{"CP-BAG-MODIFIED manifest-sha512.txt"}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha512.txt", "CP-BAG-MODIFIED manifest-sha512.txt"}},
		{"SHA-256 line and tag manifests rewritten: SHA-512 names the manifest", func(f map[string][]byte) map[string][]byte {
			replace(f, "manifest-sha256.txt", d.SHA256, strings.Repeat("0", 64))
			return retag(t, f)
		}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha256.txt"}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha256.txt"}},
		{"file changed", func(f map[string][]byte) map[string][]byte {
			f[a] = []byte("first evidence fileX")
			return f
		}, []string{"CP-BAG-MODIFIED " + a}, []string{"CP-BAG-MODIFIED " + a}},
		{"file only in manifest-sha512.txt: its SHA-512 is checked", func(f map[string][]byte) map[string][]byte {
			f[a] = []byte("first evidence fileX")
			dropLine("manifest-sha256.txt", a)(f)
			return retag(t, f)
		}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha256.txt", "CP-BAG-MODIFIED " + a}, []string{"CP-BAG-MANIFEST-MODIFIED manifest-sha256.txt", "CP-BAG-MODIFIED " + a}},
		{"casepack manifest's SHA-512 unlike manifest-sha512.txt", func(f map[string][]byte) map[string][]byte {
			replace(f, bag.CasepackManifestPath, d.SHA512, strings.Repeat("0", 128))
			return retag(t, f)
		}, []string{"CP-CASEPACK-MISMATCH " + bag.CasepackManifestPath}, []string{"CP-CASEPACK-MISMATCH " + bag.CasepackManifestPath}},
	}
	for _, tt := range tests {
		dir := writeBag(t, tt.edit(smallBag(t)))
		for _, every := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/every=%v", tt.name, every), func(t *testing.T) {
				pkg, err := Open(dir)
				must(t, err)
				defer pkg.Close()
				rep, err := Verify(context.Background(), pkg, Options{EveryDigest: every})
				must(t, err)
				var got []string
				for _, f := range rep.Errors() {
					if f.Code != finding.BagOxum {
						got = append(got, string(f.Code)+" "+f.Path)
					}
				}
				slices.Sort(got)
				got = slices.Compact(got)
				want := tt.fast
				if every {
					want = tt.every
				}
				if !slices.Equal(got, want) {
					t.Errorf("errors %q, want %q\n%+v", got, want, rep.Findings)
				}
			})
		}
	}
}

// TestNoncanonicalManifest: a package manifest that reads well but is not
// written as casepack writes it (upper-case hex, or one space) is a
// warning, each line compared with the line casepack would write.
func TestNoncanonicalManifest(t *testing.T) {
	for name, edit := range map[string]func(line string) string{
		"upper-case hex": func(line string) string { return strings.ToUpper(line[:64]) + line[64:] },
		"one space":      func(line string) string { return line[:64] + line[65:] },
		"as written":     func(line string) string { return line },
	} {
		t.Run(name, func(t *testing.T) {
			files := smallBag(t)
			lines := strings.SplitAfter(string(files["manifest-sha256.txt"]), "\n")
			lines[1] = edit(lines[1])
			files["manifest-sha256.txt"] = []byte(strings.Join(lines, ""))
			rep := run(t, writeBag(t, retag(t, files)))
			if !rep.Intact() {
				t.Fatalf("findings %+v", rep.Findings)
			}
			if got, want := hasFinding(rep, finding.BagManifestNoncanonical, "manifest-sha256.txt"), name != "as written"; got != want {
				t.Errorf("non-canonical warning: %v, want %v (findings %+v)", got, want, rep.Findings)
			}
		})
	}
}

// The maps of what a file lists are made room for no more entries than
// the file can hold, however many payload files the walk counted: an
// absent or small casepack/manifest.json in a package of many files
// costs no map the size of its payload.
func TestSizeHintBoundedByFile(t *testing.T) {
	v := &verifier{payload: 1_000_000, files: map[string]*fileState{
		"manifest-sha256.txt":    {size: 10 * minManifestLine},
		bag.CasepackManifestPath: {size: 10 << 20},
	}}
	for _, tt := range []struct {
		p    string
		per  int64
		want int
	}{
		{"manifest-sha256.txt", minManifestLine, 10},
		{"manifest-sha512.txt", minManifestLine, 0},
		{bag.CasepackManifestPath, minCasepackEntry, 10 << 20 / minCasepackEntry},
	} {
		if got := v.sizeHint(tt.p, tt.per); got != tt.want {
			t.Errorf("sizeHint(%s) = %d, want %d", tt.p, got, tt.want)
		}
	}
	v.payload = 20_000
	if got := v.sizeHint(bag.CasepackManifestPath, minCasepackEntry); got != 20_000 {
		t.Errorf("sizeHint with 20,000 payload files = %d, want 20,000", got)
	}
}
