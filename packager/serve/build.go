package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/locale"
	"golang.org/x/text/language/display"
)

// buildData is what the Build page shows.
type buildData struct {
	Name     string
	Keys     []string // signing credentials in keys/: NAME.key and NAME.p12
	Check    *packager.CheckEditionReport
	CheckErr string
	Packages []string // packages already built, in packages/
	Langs    []langChoice
}

// langChoice is a language the narrative can be written in, named in
// itself ("français"), as a reader looks for their own language.
type langChoice struct{ Code, Name string }

func langChoices() []langChoice {
	var out []langChoice
	for _, code := range locale.Supported() {
		out = append(out, langChoice{Code: code, Name: display.Self.Name(locale.Must(code).Tag())})
	}
	return out
}

func (s *Server) buildPage(w http.ResponseWriter, r *http.Request, name, dir string) {
	d := buildData{Name: name, Keys: s.keys(), Packages: s.packages(), Langs: langChoices()}
	if rep, err := packager.CheckEdition(r.Context(), dir); err != nil {
		d.CheckErr = err.Error()
	} else {
		d.Check = rep
	}
	s.render(w, http.StatusOK, "build", page{Title: "Build " + name, Nav: "build", Case: name, Data: d})
}

// keys lists the signing credentials in the workspace's keys/ folder.
func (s *Server) keys() []string {
	ents, _ := os.ReadDir(filepath.Join(s.workspace, keysDir))
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && checkName(n) == nil && (strings.HasSuffix(n, ".key") || strings.HasSuffix(n, ".p12") || strings.HasSuffix(n, ".pfx")) {
			out = append(out, n)
		}
	}
	return out
}

// packages lists the packages built into the workspace's packages/.
func (s *Server) packages() []string {
	ents, _ := os.ReadDir(filepath.Join(s.workspace, packagesDir))
	var out []string
	for _, e := range ents {
		if e.IsDir() && checkName(e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// buildResult is what a build job's page shows.
type buildResult struct {
	Report  *packager.BuildReport
	Package string // its name in packages/
	HasZip  bool
	Signed  int // signatures made
}

// startBuild builds the case's package (packager.Build) as a job: the
// edition chosen, signed with the chosen key or PKCS#12 file (whose
// password comes from the form and is dropped when the credential is
// loaded), a ZIP beside the folder.
func (s *Server) startBuild(w http.ResponseWriter, r *http.Request, name, dir string) {
	ed, err := edition.Parse(r.PostForm.Get("edition"))
	if err != nil {
		s.renderError(w, "The package could not be built", fault.New(fault.Usage, err, "choose the confidential or the public edition"))
		return
	}
	// None ticked: the case's own languages decide, as without --lang.
	langs := r.PostForm["lang"]
	for _, l := range langs {
		if !slices.Contains(locale.Supported(), l) {
			s.renderError(w, "The package could not be built", fault.Usagef("casepack does not write %q: choose among %s", l, strings.Join(locale.Supported(), ", ")))
			return
		}
	}
	sopt := packager.SignerOptions{
		Name:         strings.TrimSpace(r.PostForm.Get("signer_name")),
		Role:         strings.TrimSpace(r.PostForm.Get("signer_role")),
		Organisation: strings.TrimSpace(r.PostForm.Get("signer_org")),
	}
	if key := r.PostForm.Get("key"); key != "" {
		p, err := s.under(keysDir, key)
		if err != nil || !slices.Contains(s.keys(), key) {
			s.renderError(w, "No such key", fault.Usagef("%q is not a key in %s", key, filepath.Join(s.workspace, keysDir)))
			return
		}
		if strings.HasSuffix(key, ".key") {
			sopt.Keys = []string{p}
		} else {
			sopt.P12 = p
			sopt.Password = []byte(r.PostForm.Get("password"))
		}
	}
	signers, err := packager.LoadSigners(sopt)
	clear(sopt.Password)
	r.PostForm.Del("password")
	if err != nil {
		s.renderError(w, "The key could not be used", err)
		return
	}
	opt := packager.BuildOptions{
		OutDir:  filepath.Join(s.workspace, packagesDir),
		Edition: ed,
		Lang:    strings.Join(langs, ","),
		Zip:     true,
		Force:   r.PostForm.Get("replace") == "1",
		Date:    time.Now().UTC().Truncate(time.Second),
		Signers: signers,
		Version: s.opt.Version,
	}
	j := s.jobs.start(fmt.Sprintf("Building the %s edition of %s", ed, name), name, "build", "built", func(ctx context.Context, j *job) (any, error) {
		j.setPhase("checking the case")
		opt.Progress = func(p digestProgress) {
			j.once("copying and hashing the evidence")
			j.report(p)
		}
		opt.VerifyProgress = func(p digestProgress) {
			j.once("verifying what was written")
			j.report(p)
		}
		opt.Warn = func(msg string) { s.logf("build of %s: %s", name, msg) }
		rep, err := packager.Build(ctx, dir, opt)
		res := buildResult{Report: rep, Signed: len(opt.Signers)}
		if rep != nil && rep.Package != nil {
			res.Package = filepath.Base(rep.Package.Dir)
			res.HasZip = rep.Package.Zip != ""
		}
		if err == nil {
			s.logf("built %s", res.Package)
		}
		return res, err
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// download serves a built package's ZIP, narrative or covering letter.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	pkg := r.PathValue("pkg")
	dir, err := s.under(packagesDir, pkg)
	if err == nil {
		var st os.FileInfo
		if st, err = os.Lstat(dir); err == nil && !st.IsDir() {
			err = fmt.Errorf("%q: %w (not a package)", pkg, errBadName)
		}
	}
	if err != nil {
		s.renderError(w, "No such package", err)
		return
	}
	var file, ctype, disp string
	switch r.PathValue("what") {
	case "zip":
		file, ctype, disp = dir+".zip", "application/zip", "attachment"
	case "narrative":
		file, ctype, disp = filepath.Join(dir, "data", "narrative", "submission.pdf"), "application/pdf", "inline"
	case "letter":
		file, ctype, disp = filepath.Join(dir, "data", "narrative", "covering-letter.pdf"), "application/pdf", "inline"
	default:
		s.renderStatus(w, r, http.StatusNotFound, "No such file", "A package offers its ZIP, its narrative and its covering letter.")
		return
	}
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%s has no %s", pkg, r.PathValue("what"))
		}
		s.renderError(w, "The file cannot be opened", err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		s.renderError(w, "The file cannot be opened", fmt.Errorf("%s is not a regular file", filepath.Base(file)))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("%s; filename=%q", disp, filepath.Base(file)))
	if ctype == "application/pdf" {
		// The browser's own PDF viewer needs to run in the tab; the PDF
		// is the package's, never text from a request.
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
	}
	http.ServeContent(w, r, filepath.Base(file), st.ModTime(), f)
}

// newKey makes an Ed25519 signing key pair in keys/ (packager.Keygen).
func (s *Server) newKey(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if err := checkName(name); err != nil {
		s.renderError(w, "That key name cannot be used", nameError(err))
		return
	}
	if err := os.MkdirAll(filepath.Join(s.workspace, keysDir), 0o700); err != nil {
		s.renderError(w, "The key could not be made", err)
		return
	}
	p, err := s.under(keysDir, name)
	if err != nil {
		s.renderError(w, "That key name cannot be used", nameError(err))
		return
	}
	rep, err := packager.Keygen(p)
	if err != nil {
		s.renderError(w, "The key could not be made", err)
		return
	}
	s.logf("signing key %s made", filepath.Base(rep.PrivateKey))
	back := r.PostForm.Get("case")
	if checkName(back) != nil {
		back = ""
	}
	s.render(w, http.StatusOK, "key", page{Title: "Signing key made", Nav: "build", Case: back, Data: rep})
}
