package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casepack/casepack/schema/caseform"
)

// The workspace's own folders: packages the app built, and signing keys.
const (
	packagesDir = "packages"
	keysDir     = "keys"
	archiveDir  = "archive"
	// uploadsDir holds uploads while they stream in, on the same file
	// system as the cases so that adding one is a rename, not a copy.
	uploadsDir = ".casepack-uploads"
)

// errBadName is a name from a request that cannot be a folder or file of
// the workspace: the request is refused before the file system sees it.
var errBadName = errors.New("not a plain name")

// checkName accepts one path element a person could have typed: no
// separator, no "." or "..", not hidden, no control character, valid
// UTF-8, at most 255 bytes. Every name a request carries passes here
// before it is joined to the workspace.
func checkName(name string) error {
	switch {
	case name == "", name == ".", name == "..", len(name) > 255, !utf8.ValidString(name),
		strings.ContainsAny(name, `/\:`), strings.HasPrefix(name, "."):
		return fmt.Errorf("%q: %w", name, errBadName)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q: %w", name, errBadName)
		}
	}
	return nil
}

// under resolves a plain name inside folder dir of the workspace ("" is
// the workspace itself). The result must not be a symbolic link: a link
// could lead out of the workspace.
func (s *Server) under(dir, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	p := filepath.Join(s.workspace, dir, name)
	if st, err := os.Lstat(p); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("%q: %w (a symbolic link)", name, errBadName)
	}
	return p, nil
}

// caseDir resolves a case name to its folder, which must exist and hold
// a case file.
func (s *Server) caseDir(name string) (string, error) {
	p, err := s.under("", name)
	if err != nil {
		return "", err
	}
	st, err := os.Lstat(p)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%q: %w (not a folder)", name, errBadName)
	}
	return p, nil
}

// inCase is the handler of a page about one case, /case/{name}/…: h gets
// the case's name and folder, or the page says there is no such case.
func (s *Server) inCase(h func(w http.ResponseWriter, r *http.Request, name, dir string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		dir, err := s.caseDir(name)
		if err != nil {
			s.renderError(w, "No such case", err)
			return
		}
		h(w, r, name, dir)
	}
}

// caseEntry is one case folder of the workspace, as the Cases page lists it.
type caseEntry struct {
	Name string
	File string // the case file's name, "" when the folder cannot be read as a case
	Form caseform.Form
	Note string // why it cannot be opened
}

// cases lists the workspace's folders that hold a case file.
func (s *Server) cases() ([]caseEntry, error) {
	ents, err := os.ReadDir(s.workspace)
	if err != nil {
		return nil, err
	}
	var out []caseEntry
	for _, e := range ents {
		if !e.IsDir() || checkName(e.Name()) != nil || e.Name() == packagesDir || e.Name() == keysDir || e.Name() == archiveDir {
			continue
		}
		file, form, err := caseform.Find(filepath.Join(s.workspace, e.Name()))
		var two *caseform.TwoFilesError
		switch {
		case err == nil:
			out = append(out, caseEntry{Name: e.Name(), File: filepath.Base(file), Form: form})
		case errors.As(err, &two):
			out = append(out, caseEntry{Name: e.Name(), Note: "holds more than one case file; keep one"})
		}
	}
	slices.SortFunc(out, func(a, b caseEntry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
