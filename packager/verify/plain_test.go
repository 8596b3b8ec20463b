package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// plainBag makes the files of a bag another tool could have made: bagit.txt
// of the given version, the payload, one manifest per algorithm (lines as
// line writes them), a bag-info.txt and a tag manifest over the tag files.
type plainBag struct {
	version string
	info    string
	payload map[string]string
	algs    []string
	// line writes a manifest line; nil writes "<digest>  <path>".
	line  func(digest, path string) string
	extra map[string]string // extra tag files, listed in the tag manifest
	enc   func(string) []byte
	edit  func(map[string][]byte) // applied before the tag manifest is made
}

func hexOf(alg string, b []byte) string {
	switch alg {
	case "md5":
		s := md5.Sum(b)
		return hex.EncodeToString(s[:])
	case "sha512":
		return digests(b).SHA512
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (pb plainBag) files() map[string][]byte {
	enc := pb.enc
	if enc == nil {
		enc = func(s string) []byte { return []byte(s) }
	}
	line := pb.line
	if line == nil {
		line = func(d, p string) string { return d + "  " + p + "\n" }
	}
	files := map[string][]byte{}
	charset := "UTF-8"
	if pb.enc != nil {
		charset = "ISO-8859-1"
	}
	files["bagit.txt"] = []byte("BagIt-Version: " + pb.version + "\nTag-File-Character-Encoding: " + charset + "\n")
	if pb.info != "" {
		files["bag-info.txt"] = enc(pb.info)
	}
	var paths []string
	for p, c := range pb.payload {
		files[p] = []byte(c)
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, alg := range pb.algs {
		var m strings.Builder
		for _, p := range paths {
			m.WriteString(line(hexOf(alg, files[p]), p))
		}
		files["manifest-"+alg+".txt"] = enc(m.String())
	}
	for p, c := range pb.extra {
		files[p] = enc(c)
	}
	if pb.edit != nil {
		pb.edit(files)
	}
	var tm strings.Builder
	for _, p := range sortedKeys(files) {
		if !strings.HasPrefix(p, "data/") {
			tm.WriteString(hexOf("sha256", files[p]) + "  " + p + "\n")
		}
	}
	files["tagmanifest-sha256.txt"] = []byte(tm.String())
	return files
}

var plainPayload = map[string]string{"data/report.txt": "the report\n", "data/photos/a b.jpg": "jpeg bytes"}

func codes(rep *Report) []string {
	var c []string
	for _, f := range rep.Findings {
		c = append(c, fmt.Sprintf("%s(%s)", f.Code, f.Severity))
	}
	slices.Sort(c)
	return slices.Compact(c)
}

// TestPlainBag: a bag another tool made is verified by RFC 8493's rules and
// reported as such (Format "bagit"), intact or with located findings.
func TestPlainBag(t *testing.T) {
	latin1 := func(s string) []byte {
		b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
		must(t, err)
		return b
	}
	for _, tc := range []struct {
		name   string
		bag    plainBag
		change func(files map[string][]byte)
		intact bool
		want   []string // codes(severity), exactly
	}{
		{name: "1.0, sha256 and sha512", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256", "sha512"}, info: "Payload-Oxum: 21.2\n"}, intact: true},
		{name: "0.97, md5 only: a warning on MD5", bag: plainBag{version: "0.97", payload: plainPayload, algs: []string{"md5"}},
			intact: true, want: []string{"CP-BAG-ALGORITHM(warning)"}},
		{name: "a conforming label with white space before the colon is not an error",
			bag:    plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"}, info: "Source-Organization : Human Rights Unit\nExternal-Description: folded\n  over two lines\n"},
			intact: true, want: []string{"CP-BAG-INFO(warning)"}},
		{name: "a manifest of an algorithm casepack cannot compute is not checked",
			bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"}, extra: map[string]string{"manifest-blake3.txt": "00  data/report.txt\n"}},
			// listed in the tag manifest like any tag file
			intact: true, want: []string{"CP-BAG-ALGORITHM(warning)"}},
		{name: "a changed payload file", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256", "md5"}},
			change: func(f map[string][]byte) { f["data/report.txt"] = []byte("the rep0rt\n") },
			want:   []string{"CP-BAG-ALGORITHM(warning)", "CP-BAG-MODIFIED(error)"}},
		{name: "a payload file no manifest lists", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"}},
			change: func(f map[string][]byte) { f["data/added.txt"] = []byte("x") },
			want:   []string{"CP-BAG-EXTRA(error)"}},
		{name: "no payload manifest", bag: plainBag{version: "1.0", payload: plainPayload},
			want: []string{"CP-BAG-MISSING(error)"}},
		{name: "md5sum's binary-mode lines", bag: plainBag{version: "0.97", payload: plainPayload, algs: []string{"md5"}, line: func(d, p string) string { return d + " *" + p + "\n" }},
			intact: true, want: []string{"CP-BAG-ALGORITHM(warning)", "CP-BAG-MANIFEST-NONCANONICAL(warning)"}},
		{name: "a % percent-encoded as RFC 8493 requires", bag: plainBag{version: "1.0", payload: map[string]string{"data/50%.pdf": "pdf"}, algs: []string{"sha256"},
			line: func(d, p string) string { return d + "  " + bag.EncodePath(p) + "\n" }}, intact: true},
		{name: "a % not encoded, as bagit-python writes it", bag: plainBag{version: "1.0", payload: map[string]string{"data/50%.pdf": "pdf"}, algs: []string{"sha256"}},
			intact: true, want: []string{"CP-BAG-MANIFEST-NONCANONICAL(warning)"}},
		{name: "a file literally named %25, not encoded", bag: plainBag{version: "1.0", payload: map[string]string{"data/50%25.pdf": "pdf"}, algs: []string{"sha256"}},
			intact: true, want: []string{"CP-BAG-MANIFEST-NONCANONICAL(warning)"}},
		{name: "ISO-8859-1 tag files", bag: plainBag{version: "0.97", payload: map[string]string{"data/informe-Comisión.txt": "x"}, algs: []string{"sha256"},
			info: "Source-Organization: Comisión de la Verdad\n", enc: latin1}, intact: true},
		{name: "one payload manifest lacks a file another lists (1.0)", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256", "sha512"}, edit: dropLine("manifest-sha512.txt", "data/report.txt")},
			want: []string{"CP-BAG-MANIFEST-MODIFIED(error)"}},
		{name: "one payload manifest lacks a file another lists (0.97)", bag: plainBag{version: "0.97", payload: plainPayload, algs: []string{"sha256", "sha512"}, edit: dropLine("manifest-sha512.txt", "data/report.txt")},
			intact: true, want: []string{"CP-BAG-MANIFEST-MODIFIED(warning)"}},
		{name: "fetch.txt, every file present", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"},
			extra: map[string]string{"fetch.txt": "https://example.org/r.txt 11 data/report.txt\n"}}, intact: true, want: []string{"CP-BAG-FETCH(warning)"}},
		{name: "fetch.txt, a file absent", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"},
			extra: map[string]string{"fetch.txt": "https://example.org/r.txt - data/report.txt\n"}},
			change: func(f map[string][]byte) { delete(f, "data/report.txt") },
			want:   []string{"CP-BAG-FETCH(warning)", "CP-BAG-MISSING(error)"}},
		{name: "fetch.txt listing a path outside the bag", bag: plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256"},
			extra: map[string]string{"fetch.txt": "https://example.org/x 10 ../../../README.md\n"}}, want: []string{"CP-BAG-FETCH(error)"}},
		{name: "an unsupported version", bag: plainBag{version: "2.0", payload: plainPayload, algs: []string{"sha256"}}, want: []string{"CP-BAG-BAGIT(error)"}},
		{name: "operating-system files", bag: plainBag{version: "1.0", payload: map[string]string{"data/x/.DS_Store": "", "data/Thumbs.db": "", "data/a.txt": "a"}, algs: []string{"sha256"}},
			intact: true, want: []string{"CP-BAG-SYSTEM-FILE(warning)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := tc.bag.files()
			if tc.change != nil {
				tc.change(files)
			}
			rep := run(t, writeBag(t, files))
			if rep.Format != FormatBagIt || rep.BagItVersion != tc.bag.version {
				t.Errorf("format %q version %q", rep.Format, rep.BagItVersion)
			}
			got := codes(rep)
			if rep.Intact() != tc.intact || !slices.Equal(got, tc.want) {
				t.Errorf("intact=%v %v, want intact=%v %v", rep.Intact(), got, tc.intact, tc.want)
				for _, f := range rep.Findings {
					t.Logf("%s %s %s: %s", f.Code, f.Severity, f.Path, f.Message)
				}
			}
			for _, f := range rep.Errors() {
				if f.Path == "" {
					t.Errorf("error not located: %+v", f)
				}
			}
		})
	}
}

func dropLine(manifest, path string) func(map[string][]byte) {
	return func(f map[string][]byte) {
		var keep []string
		for _, l := range strings.SplitAfter(string(f[manifest]), "\n") {
			if !strings.HasSuffix(strings.TrimSpace(l), " "+path) {
				keep = append(keep, l)
			}
		}
		f[manifest] = []byte(strings.Join(keep, ""))
	}
}

// TestPlainBagZip: a plain bag is read from a ZIP in place too.
func TestPlainBagZip(t *testing.T) {
	files := plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha512"}}.files()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range sortedKeys(files) {
		w, err := zw.Create("mybag/" + p)
		must(t, err)
		w.Write(files[p])
	}
	must(t, zw.Close())
	p := filepath.Join(t.TempDir(), "mybag.zip")
	must(t, os.WriteFile(p, buf.Bytes(), 0o644))
	rep := run(t, p)
	if !rep.Intact() || !rep.PlainBag() || len(rep.Findings) != 0 {
		t.Errorf("intact=%v plain=%v %+v", rep.Intact(), rep.PlainBag(), rep.Findings)
	}
}

// TestStrippedPackageIsNoPlainBag: removing casepack/manifest.json from a
// package does not make it pass as another tool's bag: its bag-info.txt
// still says casepack made it, so every casepack rule applies.
func TestStrippedPackageIsNoPlainBag(t *testing.T) {
	files := smallBag(t)
	info, err := bag.MarshalBagInfo([]bag.Field{{Label: "External-Identifier", Value: "S-1"}, {Label: bag.LabelVersion, Value: "0.1.0"}, {Label: "Payload-Oxum", Value: "1223.3"}})
	must(t, err)
	files["bag-info.txt"] = info
	delete(files, bag.CasepackManifestPath)
	rep := run(t, writeBag(t, files))
	if rep.Format != FormatCasepack || rep.Intact() || !hasFinding(rep, finding.BagMissing, bag.CasepackManifestPath) {
		t.Errorf("format %q intact=%v %v", rep.Format, rep.Intact(), codes(rep))
	}
}

// TestPlainBagReadOnce: the payload of another tool's bag is hashed as the
// walk finds it, with its manifests' algorithms (MD5 here), so each file
// is read once; a package whose casepack/ and signatures/ were removed
// but whose bag-info.txt still claims it is read again as a package and
// held to a package's rules.
func TestPlainBagReadOnce(t *testing.T) {
	count := func(dir string) (map[string]int, *Report) {
		t.Helper()
		pkg, err := Open(dir)
		must(t, err)
		defer pkg.Close()
		reads := map[string]int{}
		rep, err := Verify(context.Background(), pkg, Options{Progress: func(p digest.Progress) {
			if p.FileDone {
				reads[p.Path]++
			}
		}})
		must(t, err)
		return reads, rep
	}
	reads, rep := count(writeBag(t, plainBag{version: "0.97", payload: plainPayload, algs: []string{"md5"}}.files()))
	if !rep.Intact() || !rep.PlainBag() {
		t.Fatalf("plain md5 bag: intact %v, plain %v: %v", rep.Intact(), rep.PlainBag(), codes(rep))
	}
	for p := range plainPayload {
		if reads[p] != 1 {
			t.Errorf("%s read %d times, want once", p, reads[p])
		}
	}
	files := plainBag{version: "1.0", payload: plainPayload, algs: []string{"sha256", "sha512"},
		info: "Casepack-Version: 1.0.0\n"}.files()
	reads, rep = count(writeBag(t, files))
	if rep.PlainBag() || rep.Intact() {
		t.Errorf("a bag claiming casepack in bag-info.txt: plain %v, intact %v, want a failed package", rep.PlainBag(), rep.Intact())
	}
	for p := range plainPayload {
		if reads[p] < 1 {
			t.Errorf("%s not hashed as a package's file", p)
		}
	}
}
