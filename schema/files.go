package schema

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"golang.org/x/text/unicode/norm"
)

// Evidence file checks: every file exists as a regular file inside the case
// folder, its name travels to Windows and macOS, and a declared SHA-256
// still matches (streamed, never read whole).

// CheckPath reports why an evidence path from case data is unsafe or not
// portable, or returns "" and nil. It is pure: it does not touch the disk.
func CheckPath(p string) (code finding.Code, problem error) {
	switch {
	case p == "":
		return finding.PathUnsafe, errors.New("the path is empty")
	case strings.Contains(p, `\`):
		return finding.PathUnsafe, errors.New(`the path contains a backslash '\'; separate folders with '/'`)
	case strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':'):
		return finding.PathUnsafe, errors.New("the path is absolute; it must be relative to the case folder")
	case !filepath.IsLocal(filepath.FromSlash(p)) || hasDotDot(p):
		return finding.PathUnsafe, errors.New("the path leaves the case folder ('..')")
	case strings.HasPrefix(p, "~"):
		return finding.PathUnsafe, errors.New("the path starts with '~'; it must be relative to the case folder")
	}
	for _, el := range strings.Split(p, "/") {
		if err := portableName(el); err != nil {
			return finding.PathNonportable, fmt.Errorf("%q: %w", el, err)
		}
	}
	return "", nil
}

func hasDotDot(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return true
		}
	}
	return false
}

var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	// Windows also reserves the superscript digits and the console names.
	"COM¹": true, "COM²": true, "COM³": true, "LPT¹": true, "LPT²": true, "LPT³": true, "CONIN$": true, "CONOUT$": true}

// portableName rejects names that Windows (NTFS, Explorer) or macOS (APFS,
// HFS+) cannot hold, so a package unzips anywhere a lawyer opens it.
func portableName(el string) error {
	switch {
	case el == "" || el == ".":
		return errors.New("empty folder name (a doubled '/' or a '.')")
	case len(el) > 255:
		return errors.New("the name is longer than 255 bytes")
	case strings.HasSuffix(el, " ") || strings.HasSuffix(el, "."):
		return errors.New("the name ends with a space or a dot, which Windows drops")
	}
	for _, r := range el {
		if r < 0x20 || r == 0x7f {
			return errors.New("the name contains a control character")
		}
		if strings.ContainsRune(`<>:"|?*`, r) {
			return fmt.Errorf("the name contains %q, which Windows does not allow in file names", r)
		}
	}
	base := strings.ToUpper(el)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if windowsReserved[strings.TrimRight(base, " ")] {
		return fmt.Errorf("%s is a reserved device name on Windows", base)
	}
	return nil
}

type hashJob struct {
	ptr, abs, rel, want, evID string
}

func (v *vctx) files(ctx context.Context, c *Case, opt Options) error {
	root, err := filepath.EvalSymlinks(v.doc.Dir)
	if err != nil {
		return fault.IO(v.doc.Dir, err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	v.listFolders(root, c)
	defer func() { v.listed = nil }()
	var jobs []hashJob
	for i, e := range c.Evidence {
		seen := map[string]int{}
		for j, f := range e.Files {
			ptr := fmt.Sprintf("/evidence/%d/files/%d/path", i, j)
			if code, perr := CheckPath(f.Path); perr != nil {
				hint := "give the path relative to the case folder, e.g. evidence/video-01.mp4"
				if code == finding.PathNonportable {
					hint = "rename the file (and the path here) so it opens on Windows and macOS too"
				}
				v.add(code, ptr, fmt.Sprintf("evidence file %q: %v", f.Path, perr), hint)
				if code == finding.PathUnsafe {
					continue
				}
			}
			if strings.Contains(path.Base(f.Path), "%") {
				v.add(finding.PathPercent, ptr, fmt.Sprintf("evidence file %q has '%%' in its name: the package's manifests must write it as %%25 (RFC 8493), so `sha256sum -c` cannot check this file and bagit-python reports it missing, although it is there (casepack verify checks it)", f.Path),
					"build with --rename-unsafe to store it with '_' for '%' (case.json, casepack/manifest.json and the annexes keep this name), or rename the file and its path here")
			}
			// Two files of one item land side by side in the package.
			key := strings.ToLower(norm.NFC.String(path.Base(f.Path)))
			if k, dup := seen[key]; dup {
				v.add(finding.FileClash, ptr, fmt.Sprintf("%q has the same file name as files/%d of %s; in the package they would collide", f.Path, k, e.ID),
					"rename one of the files")
			} else {
				seen[key] = j
			}
			abs, ok := v.resolve(root, ptr, f.Path)
			if ok && f.SHA256 != "" && !opt.SkipHashes {
				jobs = append(jobs, hashJob{ptr: fmt.Sprintf("/evidence/%d/files/%d/sha256", i, j), abs: abs, rel: f.Path, want: f.SHA256, evID: e.ID})
			}
		}
	}
	return v.hashAll(ctx, jobs, opt.Workers)
}

// resolve checks that rel names a regular file inside root, following
// symlinks only while they stay inside.
func (v *vctx) resolve(root, ptr, rel string) (string, bool) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	// The mode os.Lstat would give: a file its folder's listing shows as
	// a regular file is one (see listFolders); anything else is asked.
	var mode fs.FileMode
	if !v.listedRegular(rel) {
		fi, err := os.Lstat(p)
		if err != nil {
			v.missing(p, root, ptr, rel, err)
			return "", false
		}
		mode = fi.Mode()
	}
	// A file that is not itself a link is where its folder really is: the
	// folder is resolved once for all its files (resolving every path
	// from / costs a system call per component, per file).
	real := ""
	stat := false // what the link leads to is yet to be looked at
	if mode&fs.ModeSymlink == 0 {
		if dir := v.realDir(filepath.Dir(p)); dir != "" {
			real = filepath.Join(dir, filepath.Base(p))
		}
	}
	if real == "" {
		var err error
		if real, err = filepath.EvalSymlinks(p); err != nil {
			v.add(finding.FileMissing, ptr, fmt.Sprintf("evidence file %q is a link to a file that does not exist", rel), "replace the link with the file itself")
			return "", false
		}
		stat = true
	}
	if r, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(r) {
		v.add(finding.PathSymlink, ptr, fmt.Sprintf("evidence file %q is a link that leads out of the case folder (to %s)", rel, real),
			"copy the file itself into the case folder; a package must not depend on files outside it")
		return "", false
	}
	if stat {
		fi, err := os.Stat(real)
		if err != nil {
			v.add(finding.FileMissing, ptr, fmt.Sprintf("evidence file %q cannot be read: %v", rel, err), "check the file's permissions")
			return "", false
		}
		mode = fi.Mode()
	}
	if !mode.IsRegular() {
		what := "not a regular file"
		if mode.IsDir() {
			what = "a folder, not a file"
		}
		v.add(finding.FileNotRegular, ptr, fmt.Sprintf("evidence path %q is %s", rel, what), "point at the file itself")
		return "", false
	}
	return real, true
}

// missing reports the evidence file p (rel in the case), which os.Lstat
// could not find or read (err).
func (v *vctx) missing(p, root, ptr, rel string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		v.add(finding.FileMissing, ptr, fmt.Sprintf("evidence file %q cannot be read: %v", rel, errors.Unwrap(err)), "check the file's permissions")
		return
	}
	msg := fmt.Sprintf("evidence file %q is not in the case folder", rel)
	hint := "put the file in the case folder at that path, or correct the path"
	if alt, sameLetters := nearbyName(p); alt != "" {
		rel2, _ := filepath.Rel(root, alt)
		hint = fmt.Sprintf("did you mean %q? (names are case-sensitive)", filepath.ToSlash(rel2))
		if sameLetters {
			// The two names look identical: say why they differ.
			msg = fmt.Sprintf("evidence file %q is in the case folder, but its name there is spelt with other Unicode characters for the same letters (one is NFC, the other NFD: é as one character, or as e and an accent)", rel)
			hint = "rename the file in the folder, or copy its name from the folder into the case file, so that both spell it the same way"
		}
	}
	v.add(finding.FileMissing, ptr, msg, hint)
}

// listAtLeast is how many of a case's evidence files one folder must hold
// before the folder is listed rather than each file looked up; a test sets
// it to list every folder, or none.
var listAtLeast = 16

// listFolders lists each folder that holds listAtLeast or more of the
// case's evidence files, and remembers which of those files its listing
// shows as regular files (d_type, no stat). A case of 20,000 photos in one
// folder was 20,000 lstat calls, a third of the build's validation (its
// CPU profile); the folder's listing is some 80 getdents calls.
//
// The listing only ever says yes: a regular file it shows is what lstat
// would find, by the same name in the same folder, reached the same way
// (resolve still resolves the folder). Every other path — a name it does
// not show (missing, or spelt otherwise on a file system that folds case
// or normalisation), a link, a folder, an entry whose type the listing does
// not give, a folder that cannot be listed — is looked up with lstat as
// before, so every finding stays as it was. A folder much larger than the
// case's share of it is listed only in part: at most 8 entries for each of
// its files the case names, plus one batch.
func (v *vctx) listFolders(root string, c *Case) {
	count := map[string]int{}
	for _, e := range c.Evidence {
		for _, f := range e.Files {
			if dir, _, ok := listable(f.Path); ok {
				count[dir]++
			}
		}
	}
	const batch = 1024
	for dir, n := range count {
		if n < listAtLeast {
			continue
		}
		d, err := os.Open(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			continue
		}
		names := make(map[string]bool, n)
		for read := 0; read < 8*n+batch; {
			ents, err := d.ReadDir(batch)
			for _, e := range ents {
				if e.Type().IsRegular() {
					names[e.Name()] = true
				}
			}
			read += len(ents)
			if err != nil || len(ents) == 0 {
				break
			}
		}
		d.Close()
		if v.listed == nil {
			v.listed = map[string]map[string]bool{}
		}
		v.listed[dir] = names
	}
}

// listable splits an evidence path into its folder and name where a
// folder's listing may answer for it: a clean relative path, so that the
// folder and the name are what filepath.Join(root, path) resolves.
func listable(rel string) (dir, name string, ok bool) {
	if rel == "" || rel[0] == '/' || strings.Contains(rel, `\`) || path.Clean(rel) != rel || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", "", false
	}
	dir, name = path.Split(rel)
	return strings.TrimSuffix(dir, "/"), name, name != ""
}

// listedRegular reports whether the listing of rel's folder shows rel as a
// regular file (see listFolders).
func (v *vctx) listedRegular(rel string) bool {
	dir, name, ok := listable(rel)
	return ok && v.listed[dir][name]
}

// realDir is filepath.EvalSymlinks of a folder, remembered; "" when it
// cannot be resolved.
func (v *vctx) realDir(dir string) string {
	if r, ok := v.realDirs[dir]; ok {
		return r
	}
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		r = ""
	}
	if v.realDirs == nil {
		v.realDirs = map[string]string{}
	}
	v.realDirs[dir] = r
	return r
}

// nearbyName finds a file in the same folder whose name differs only in
// letter case (the commonest cause of a "missing" file copied from Windows)
// or in Unicode normalisation (macOS writes names NFD, most else NFC; the
// two look identical). sameLetters is true for the second.
func nearbyName(p string) (alt string, sameLetters bool) {
	dir, base := filepath.Split(p)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		if norm.NFC.String(e.Name()) == norm.NFC.String(base) {
			return filepath.Join(dir, e.Name()), true
		}
	}
	for _, e := range ents {
		if strings.EqualFold(norm.NFC.String(e.Name()), norm.NFC.String(base)) {
			return filepath.Join(dir, e.Name()), false
		}
	}
	return "", false
}

func (v *vctx) hashAll(ctx context.Context, jobs []hashJob, workers int) error {
	type result struct {
		got string
		err error
	}
	results := make([]result, len(jobs))
	err := digest.Each(ctx, len(jobs), workers, func(ctx context.Context, i int) error {
		results[i].got, results[i].err = hashFile(ctx, jobs[i].abs)
		return nil
	})
	if err != nil {
		return err
	}
	for i, j := range jobs {
		r := results[i]
		if r.err != nil {
			// A file that cannot be read is a problem of the case, reported
			// with the others; it does not stop the validation.
			reason := r.err.Error()
			var pe *fs.PathError
			if errors.As(r.err, &pe) {
				reason = pe.Err.Error()
			}
			v.add(finding.FileMissing, strings.TrimSuffix(j.ptr, "/sha256")+"/path",
				fmt.Sprintf("evidence file %q cannot be read: %s", j.rel, reason), "check the file's permissions")
			continue
		}
		// An upper-case digest of the right file is a matter of form,
		// which the schema's pattern reports; the file did not change.
		if !strings.EqualFold(r.got, j.want) {
			msg, hint := HashMismatchMessage(j.evID, j.rel, r.got, j.want)
			v.add(finding.HashMismatch, j.ptr, msg, hint)
		}
	}
	return nil
}

// HashMismatchMessage is the message and hint of a CP-HASH-MISMATCH finding,
// shared with the build, which compares digests while it copies.
func HashMismatchMessage(evidenceID, file, got, want string) (msg, hint string) {
	return fmt.Sprintf("evidence file %q of %s has SHA-256 %s, not the %s recorded at acquisition", file, evidenceID, got, want),
		"the file changed since it was acquired: find the original, or record why it changed in the custody log and update the digest"
}

func hashFile(ctx context.Context, p string) (string, error) {
	f, err := source.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	d, err := digest.ReadSHA256(ctx, f)
	return d.SHA256, err
}

// CheckHashes compares every declared SHA-256 with its file (streamed), and
// reports only mismatches: for a build that refuses a case for other
// reasons and must still report every problem at once. Files that are
// missing or unsafe are left to Validate.
func CheckHashes(ctx context.Context, doc *Document, workers int) ([]finding.Finding, error) {
	if doc.Case == nil {
		return nil, nil
	}
	root, err := filepath.EvalSymlinks(doc.Dir)
	if err != nil {
		return nil, fault.IO(doc.Dir, err)
	}
	v := vctx{doc: doc}
	var jobs []hashJob
	for i, e := range doc.Case.Evidence {
		for j, f := range e.Files {
			if f.SHA256 == "" {
				continue
			}
			if code, _ := CheckPath(f.Path); code == finding.PathUnsafe {
				continue
			}
			p, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(f.Path)))
			if err != nil {
				continue
			}
			if r, err := filepath.Rel(root, p); err != nil || !filepath.IsLocal(r) {
				continue
			}
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			jobs = append(jobs, hashJob{ptr: fmt.Sprintf("/evidence/%d/files/%d/sha256", i, j), abs: p, rel: f.Path, want: f.SHA256, evID: e.ID})
		}
	}
	if err := v.hashAll(ctx, jobs, workers); err != nil {
		return nil, err
	}
	doc.locate(v.out, v.keyPos, v.subs, v.members)
	finding.Sort(v.out)
	return v.out, nil
}
