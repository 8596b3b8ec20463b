package verify

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/finding"
)

// This file holds what differs when the bag was made by another tool (a
// "plain" bag): casepack's own rules (two manifest pairs, casepack/manifest.json,
// canonical bytes) are replaced by RFC 8493's, read as the tools that write
// bags write them (bagit-python, BagIt 0.97 tools, md5sum).

// isCasepack reports whether the bag claims to be a casepack package: it
// has casepack/manifest.json or signatures/, or bag-info.txt has a
// Casepack- label. Such a bag is held to every casepack rule, so removing
// one of these marks does not turn a damaged package into a valid plain
// bag; removing all of them leaves a bag nothing vouches for, which is
// what the report then says.
func (v *verifier) isCasepack(info []bag.Field) bool {
	if _, ok := v.files[bag.CasepackManifestPath]; ok {
		return true
	}
	for p := range v.files {
		if strings.HasPrefix(p, "signatures/") {
			return true
		}
	}
	for _, f := range info {
		if strings.HasPrefix(f.Label, "Casepack-") {
			return true
		}
	}
	return false
}

// guessPlain looks at the bag's top folder before the walk, so that the
// payload can be hashed as the walk finds it with the algorithms the bag
// needs: a folder without casepack/ and signatures/ is taken for another
// tool's bag, and its manifest names (manifest-md5.txt…) say which
// algorithms to compute; nil means a package's SHA-256 and SHA-512 (also
// when the folder cannot be listed or names no algorithm casepack
// computes). Verify corrects a wrong guess once bag-info.txt is read.
func (v *verifier) guessPlain() []string {
	entries, err := fs.ReadDir(v.fsys, ".")
	if err != nil {
		return nil
	}
	var algs []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && (name == "casepack" || name == "signatures") {
			return nil
		}
		if alg, ok := manifestAlg(name); ok && e.Type().IsRegular() && digest.Known(alg) && !slices.Contains(algs, alg) {
			algs = append(algs, alg)
		}
	}
	if len(algs) == 0 {
		return nil
	}
	slices.Sort(algs)
	return algs
}

// manifestAlg returns the algorithm of a top-level manifest or tag
// manifest name ("tagmanifest-sha256.txt": "sha256").
func manifestAlg(name string) (string, bool) {
	if strings.Contains(name, "/") || !strings.HasSuffix(name, ".txt") {
		return "", false
	}
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "tag"), "manifest-")
	if !ok {
		return "", false
	}
	return strings.TrimSuffix(rest, ".txt"), true
}

// isTagManifestName reports whether p is a top-level tagmanifest-<alg>.txt.
func isTagManifestName(p string) bool {
	return !strings.Contains(p, "/") && strings.HasPrefix(p, "tagmanifest-") && strings.HasSuffix(p, ".txt")
}

// readForeignManifests reads every manifest-<alg>.txt and
// tagmanifest-<alg>.txt of a plain bag, and picks the algorithms to compute.
func (v *verifier) readForeignManifests() (pay, tag []*side) {
	var manifests []string
	for p := range v.files {
		if _, ok := manifestAlg(p); ok {
			manifests = append(manifests, p)
		}
	}
	// Strongest algorithm first: a changed file is reported with the
	// digest that proves most.
	alg := func(name string) string {
		a, _ := manifestAlg(name)
		return a
	}
	slices.SortFunc(manifests, func(a, b string) int {
		if d := bag.HexLen(alg(b)) - bag.HexLen(alg(a)); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, name := range manifests {
		isTag := strings.HasPrefix(name, "tag")
		alg := alg(name)
		if !digest.Known(alg) || bag.HexLen(alg) == 0 {
			v.add(finding.Finding{Code: finding.BagAlgorithm, Severity: finding.Warning, Path: name,
				Message: fmt.Sprintf("a manifest of %q, an algorithm casepack cannot compute: its lines are not checked", alg)})
			continue
		}
		if bag.Weak(alg) {
			v.add(finding.Finding{Code: finding.BagAlgorithm, Severity: finding.Warning, Path: name,
				Message: fmt.Sprintf("%s digests can be forged (two different files with one %s digest are easy to make): the files match it, but that does not show none was swapped", algName(alg), algName(alg)),
				Hint:    "ask the sender for SHA-256 or SHA-512 manifests"})
		}
		if !slices.Contains(v.algs, alg) {
			v.algs = append(v.algs, alg)
		}
		s := v.readForeignManifest(name, alg, isTag)
		if isTag {
			tag = append(tag, s)
		} else {
			pay = append(pay, s)
		}
	}
	if !anyPresent(pay) {
		v.add(finding.Finding{Code: finding.BagMissing, Path: "manifest-sha512.txt",
			Message: "the bag has no payload manifest casepack can check (manifest-sha512.txt, manifest-sha256.txt, manifest-md5.txt…), so nothing shows what its files should be"})
	}
	return pay, tag
}

// readForeignManifest reads one manifest of a plain bag, a line at a time
// as readManifest does (memory stays flat however many lines it has), in
// the encoding bagit.txt declares. Lines written otherwise than RFC 8493
// writes them are read, with one warning per kind; a path is matched to
// the file it names even when the bag's maker did not percent-encode "%"
// or the file system changed its Unicode normalisation.
func (v *verifier) readForeignManifest(name, alg string, isTag bool) *side {
	s := &side{name: name, alg: alg, entries: map[string]string{}}
	type first struct{ spelled, path, digest string }
	keys := map[string]first{}
	notes := map[string]*lineNote{}
	note := func(kind string, n int) {
		ln := notes[kind]
		if ln == nil {
			ln = &lineNote{}
			notes[kind] = ln
		}
		ln.add(n)
	}
	d := v.declared()
	ok := v.eachLine(s, d.Reader, func(n int, text []byte, _ bool) {
		if n == 1 && d.IsUTF8() {
			if rest, bom := bytes.CutPrefix(text, []byte("\xef\xbb\xbf")); bom {
				text = rest
				note("a UTF-8 byte-order mark, which BagIt does not write (ignored)", n)
			}
		}
		if !utf8.Valid(text) {
			v.add(finding.Finding{Code: finding.BagManifestSyntax, Path: name, Message: fmt.Sprintf("line %d: not valid %s, the encoding bagit.txt declares", n, d.Encoding)})
			return
		}
		entries, errs := bag.ScanForeignManifest(alg, text)
		for _, le := range errs {
			if le.Read {
				note(le.Err.Error(), n)
				continue
			}
			v.lineError(name, n, le)
		}
		for _, e := range entries {
			if msg := wrongScope(e.Path, isTag, true); msg != "" {
				v.add(finding.Finding{Code: finding.BagPathUnsafe, Path: name, Message: fmt.Sprintf("lists %q, %s", e.Path, msg)})
				continue
			}
			p, how := v.resolve(e)
			if how != "" {
				note(how, n)
			}
			if _, exists := v.files[p]; !exists {
				// Lines naming files the bag does not hold are kept up to
				// maxGhosts, as in readManifest; the rest are counted.
				if s.ghosts >= maxGhosts {
					s.dropped++
					continue
				}
				s.ghosts++
			}
			k := bag.CollisionKey(p)
			f, dup := keys[k]
			if !dup {
				keys[k] = first{e.Path, p, e.Digest}
				s.entries[p] = e.Digest
				continue
			}
			same := f.digest == e.Digest
			switch {
			case f.spelled == e.Path && !same:
				v.add(finding.Finding{Code: finding.BagPathCollision, Path: name, Message: fmt.Sprintf("lists %q twice, with different digests", e.Path)})
			case f.spelled == e.Path && v.decl.Version == "1.0":
				v.add(finding.Finding{Code: finding.BagPathCollision, Path: name, Message: fmt.Sprintf("lists %q twice (BagIt 1.0 forbids it, even with the same digest)", e.Path)})
			case f.spelled == e.Path:
				v.add(finding.Finding{Code: finding.BagPathCollision, Severity: finding.Warning, Path: name, Message: fmt.Sprintf("lists %q twice, with the same digest", e.Path)})
			case same:
				v.add(finding.Finding{Code: finding.BagPathCollision, Severity: finding.Warning, Path: name,
					Message: fmt.Sprintf("lists %s, two spellings of one name on case-insensitive or normalising file systems, with the same digest: checked as one file", quoteBoth(f.spelled, e.Path))})
				if _, ok := v.files[f.path]; !ok {
					if _, ok := v.files[p]; ok {
						delete(s.entries, f.path)
						s.entries[p] = e.Digest
						keys[k] = first{e.Path, p, e.Digest}
					}
				}
			default:
				v.add(finding.Finding{Code: finding.BagPathCollision, Severity: finding.Warning, Path: name,
					Message: fmt.Sprintf("lists %s, one file on case-insensitive or normalising file systems, with different digests: the bag cannot be unpacked there", quoteBoth(f.spelled, e.Path))})
				s.entries[p] = e.Digest
			}
		}
	})
	if !ok {
		return s
	}
	if s.dropped > 0 {
		v.add(finding.Finding{Code: finding.BagMissing, Path: name,
			Message: fmt.Sprintf("and %d more lines name files that are not in the bag; they are not listed one by one", s.dropped)})
	}
	if v.decl.Version != "1.0" {
		// Percent-encoding came with RFC 8493: before it a "%" in a
		// manifest was just a "%", so reading it literally is no deviation.
		for n := range notes {
			if strings.Contains(n, `"%`) {
				delete(notes, n)
			}
		}
	}
	kinds := make([]string, 0, len(notes))
	for n := range notes {
		kinds = append(kinds, n)
	}
	slices.Sort(kinds)
	for _, n := range kinds {
		v.add(finding.Finding{Code: finding.BagManifestNoncanonical, Severity: finding.Warning, Path: name,
			Message: fmt.Sprintf("read, although BagIt writes it otherwise: %s (%s)", n, notes[n])})
	}
	return s
}

// lineNote is where one kind of deviation occurs in a manifest: the first
// few line numbers, and how many lines in all.
type lineNote struct {
	first []int
	n     int
}

func (ln *lineNote) add(line int) {
	if len(ln.first) < 5 {
		ln.first = append(ln.first, line)
	}
	ln.n++
}

// String spells the lines: "line 3", "lines 1, 2, 5 and 4 more".
func (ln *lineNote) String() string {
	if ln.n == 1 {
		return fmt.Sprintf("line %d", ln.first[0])
	}
	s := make([]string, len(ln.first))
	for i, n := range ln.first {
		s[i] = strconv.Itoa(n)
	}
	if more := ln.n - len(ln.first); more > 0 {
		return "lines " + strings.Join(s, ", ") + fmt.Sprintf(" and %d more", more)
	}
	return "lines " + strings.Join(s, ", ")
}

// quoteBoth quotes two names, "a" and "b"; names that only differ in
// Unicode normalisation look alike, so those are spelled with escapes.
func quoteBoth(a, b string) string {
	q := strconv.Quote
	if norm.NFC.String(a) == norm.NFC.String(b) {
		q = strconv.QuoteToASCII
	}
	return q(a) + " and " + q(b)
}

// resolve finds the file a manifest line names: the decoded path; else the
// path as written (a "%25" meant literally); else a file whose name differs
// only in Unicode normalisation. note says which fallback was taken.
func (v *verifier) resolve(e bag.ForeignEntry) (p, note string) {
	if _, ok := v.files[e.Path]; ok {
		return e.Path, ""
	}
	if e.Literal != "" {
		if _, ok := v.files[e.Literal]; ok {
			return e.Literal, `a "%25" read literally, since the file has that name (the bag's maker did not percent-encode "%")`
		}
	}
	if v.nfc == nil {
		v.nfc = map[string]string{}
		for f := range v.files {
			v.nfc[norm.NFC.String(f)] = f
		}
	}
	if alt, ok := v.nfc[norm.NFC.String(e.Path)]; ok {
		return alt, "a path matched to a file whose name is in another Unicode normalisation"
	}
	return e.Path, ""
}

// requireData reports a bag without its payload folder (RFC 8493 §2.1.2).
func (v *verifier) requireData() {
	for p := range v.files {
		if strings.HasPrefix(p, "data/") {
			return
		}
	}
	if fi, err := fs.Stat(v.fsys, "data"); err == nil && fi.IsDir() {
		return
	}
	v.add(finding.Finding{Code: finding.BagMissing, Path: "data/", Message: "the payload folder data/ is missing"})
}

// systemNames are files and folders operating systems leave behind, by
// lower-case name, with who leaves them.
var systemNames = map[string]string{
	".ds_store": "macOS Finder", ".spotlight-v100": "macOS Spotlight", ".trashes": "macOS", ".fseventsd": "macOS",
	"__macosx": "macOS Archive Utility", "thumbs.db": "Windows Explorer", "ehthumbs.db": "Windows Media Center",
	"desktop.ini": "Windows Explorer", "$recycle.bin": "Windows",
}

// checkSystemFiles warns about operating-system files in a plain bag's
// payload: bagged by accident, they can still carry names and thumbnails.
func (v *verifier) checkSystemFiles() {
	for p := range v.files {
		if !strings.HasPrefix(p, "data/") {
			continue
		}
		for _, el := range strings.Split(p, "/")[1:] {
			who, ok := systemNames[strings.ToLower(el)]
			if !ok && strings.HasPrefix(el, "._") {
				who, ok = "macOS (AppleDouble)", true
			}
			if ok {
				v.add(finding.Finding{Code: finding.BagSystemFile, Severity: finding.Warning, Path: p,
					Message: fmt.Sprintf("a file %s leaves behind, most likely bagged by accident (it can hold file names and thumbnails of other files)", who)})
				break
			}
		}
	}
}

// checkForeignFetch reports a plain bag's fetch.txt (RFC 8493 §2.2.3) as
// remote content casepack does not fetch: an error when a line is unreadable,
// names a path outside the payload (which a fetcher would write there) or a
// malformed URL; a warning otherwise. A listed file that is absent is
// reported by the manifests as missing.
func (v *verifier) checkForeignFetch() {
	const name = "fetch.txt"
	b, ok := v.tagText(name, maxFetch, finding.BagFetch)
	if !ok {
		return
	}
	var bad []string
	lines, present := 0, 0
	for i, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		lines++
		rawURL, rest, _ := strings.Cut(line, " ")
		length, p, _ := strings.Cut(strings.TrimLeft(rest, " \t"), " ")
		p = strings.TrimLeft(p, " \t")
		if p == "" {
			bad = append(bad, fmt.Sprintf("line %d is not \"URL LENGTH PATH\"", i+1))
			continue
		}
		if _, err := strconv.ParseUint(length, 10, 63); length != "-" && err != nil {
			bad = append(bad, fmt.Sprintf("line %d: length %q is neither a number nor \"-\"", i+1, length))
		}
		if u, err := url.Parse(rawURL); err != nil || u.Scheme == "" || u.Host == "" && u.Scheme != "file" {
			bad = append(bad, fmt.Sprintf("line %d: %q is not a URL", i+1, rawURL))
		}
		dec, err := bag.DecodePath(p)
		if err != nil {
			dec = p
		}
		if bag.CheckPath(dec) != nil || !strings.HasPrefix(dec, "data/") || path.Clean(dec) != dec {
			bad = append(bad, fmt.Sprintf("line %d: %q would be written outside the payload", i+1, p))
			continue
		}
		if _, ok := v.files[dec]; ok {
			present++
		} else if _, ok := v.files[p]; ok {
			present++
		}
	}
	have := fmt.Sprintf("all %d are in the bag and were checked against its manifests", lines)
	if present < lines {
		have = fmt.Sprintf("%d of them are in the bag and were checked against its manifests; the %d that are not are reported missing", present, lines-present)
	}
	f := finding.Finding{Code: finding.BagFetch, Path: name, Severity: finding.Warning,
		Message: fmt.Sprintf("lists %d file(s) to download from elsewhere, remote content casepack does not fetch: %s", lines, have),
		Hint:    "casepack downloads nothing; fetch the files with a BagIt tool you trust, or ask the sender for the complete bag, and verify again"}
	if len(bad) > 0 {
		f.Severity = finding.Error
		f.Message += "; and it is unsafe: " + strings.Join(bad, "; ")
		f.Hint = "do not fetch anything it lists; ask the sender for the complete bag"
	}
	v.add(f)
}
