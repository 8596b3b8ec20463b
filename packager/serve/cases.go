package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/caseform"
)

// maxCaseFile caps an uploaded case file: the largest case file casepack
// reads (CP-JSON-TOOBIG, CP-YAML-TOOBIG, CP-XLSX-TOOBIG).
const maxCaseFile = 256 << 20

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", s.casesPage)
	m.HandleFunc("POST /cases/new", s.newCase)
	m.HandleFunc("POST /cases/upload", s.uploadCase)
	m.HandleFunc("GET /case/{name}", s.inCase(s.problemsPage))
	m.HandleFunc("GET /case/{name}/stamp", s.stamp)
	m.HandleFunc("GET /case/{name}/evidence", s.inCase(s.evidencePage))
	m.HandleFunc("POST /case/{name}/evidence", s.inCase(s.addEvidence))
	m.HandleFunc("GET /case/{name}/build", s.inCase(s.buildPage))
	m.HandleFunc("POST /case/{name}/build", s.inCase(s.startBuild))
	m.HandleFunc("GET /packages/{pkg}/{what}", s.download)
	m.HandleFunc("POST /keys/new", s.newKey)
	m.HandleFunc("GET /verify", s.verifyPage)
	m.HandleFunc("POST /verify", s.startVerify)
	m.HandleFunc("GET /archive", s.archivePage)
	m.HandleFunc("POST /archive/add", s.archiveAdd)
	m.HandleFunc("POST /archive/audit", s.archiveAudit)
	m.HandleFunc("GET /jobs/{id}", s.jobPage)
	m.HandleFunc("GET /jobs/{id}/state", s.jobStateJSON)
	s.mux = m
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) {
	cs, err := s.cases()
	if err != nil {
		s.renderError(w, "The workspace cannot be read", err)
		return
	}
	// Started inside a case folder: its cases are its subfolders, so say
	// where to start instead.
	_, _, ferr := caseform.Find(s.workspace)
	s.render(w, http.StatusOK, "cases", page{Title: "Cases", Nav: "cases", Data: struct {
		Workspace string
		Cases     []caseEntry
		IsCase    bool
	}{s.workspace, cs, ferr == nil}})
}

// newCase starts a case folder from a bundled sample (packager.Init).
func (s *Server) newCase(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	dir, err := s.under("", name)
	if err != nil {
		s.renderError(w, "That folder name cannot be used", nameError(err))
		return
	}
	form, ok := caseform.ParseForm(r.PostForm.Get("form"))
	if !ok {
		s.renderError(w, "The case could not be started", fault.Usagef("unknown case file form %q", r.PostForm.Get("form")))
		return
	}
	rep, err := packager.Init(dir, packager.InitOptions{Form: form, Sample: r.PostForm.Get("sample")})
	if err != nil {
		s.renderError(w, "The case could not be started", err)
		return
	}
	s.logf("started case %s (%s)", name, filepath.Base(rep.File))
	http.Redirect(w, r, "/case/"+name, http.StatusSeeOther)
}

// uploadCase makes a new case folder from an uploaded case file.
func (s *Server) uploadCase(w http.ResponseWriter, r *http.Request) {
	var form caseform.Form
	tmp, f, ok := s.receive(w, r, maxCaseFile+maxField*4, "case file", func(tmp, field, name string) (string, error) {
		if field != "file" {
			return "", fmt.Errorf("unexpected file field %q", field)
		}
		var ok bool
		if form, ok = caseform.FormOf(name); !ok {
			return "", fault.New(fault.Usage, fmt.Errorf("%s is not a case file", name),
				"upload a workbook (.xlsx), a case.yaml or a case.json")
		}
		return filepath.Join(tmp, caseform.FileName(form)), nil
	})
	if !ok {
		return
	}
	defer os.RemoveAll(tmp)
	if len(f.Files) != 1 {
		s.renderError(w, "No case file was uploaded", fault.Usagef("choose a workbook, case.yaml or case.json to upload"))
		return
	}
	name := strings.TrimSpace(f.Fields["name"])
	dir, err := s.under("", name)
	if err != nil {
		s.renderError(w, "That folder name cannot be used", nameError(err))
		return
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = fault.New(fault.Usage, fmt.Errorf("a folder named %s already exists", name), "choose another name; an upload never writes into an existing folder")
		}
		s.renderError(w, "The case could not be created", err)
		return
	}
	if err := os.Rename(f.Files[0].Path, filepath.Join(dir, caseform.FileName(form))); err != nil {
		os.Remove(dir)
		s.renderError(w, "The case could not be created", err)
		return
	}
	s.logf("case %s created from an uploaded %s", name, caseform.FileName(form))
	http.Redirect(w, r, "/case/"+name, http.StatusSeeOther)
}

// nameError words a refused name for the person who typed it.
func nameError(err error) error {
	return fault.New(fault.Usage, err, "use a plain folder name: letters, digits, spaces, dashes; no / \\ : and not starting with a dot")
}

// problemsData is what the Problems page shows.
type problemsData struct {
	Name     string
	Report   *packager.ValidateReport
	Findings []finding.Finding // after the filter
	Severity string
	Query    string
	Hashes   bool
	Stamp    string
}

// problemsPage validates the case (packager.Validate) and lists every
// finding, filtered by severity and text.
func (s *Server) problemsPage(w http.ResponseWriter, r *http.Request, name, dir string) {
	q := r.URL.Query()
	d := problemsData{Name: name, Severity: q.Get("severity"), Query: strings.TrimSpace(q.Get("q")), Hashes: q.Get("hashes") == "1"}
	d.Stamp = s.caseStamp(dir)
	rep, err := packager.Validate(r.Context(), dir, packager.ValidateOptions{SkipHashes: !d.Hashes})
	if rep == nil {
		s.renderError(w, "The case cannot be checked", err)
		return
	}
	d.Report = rep
	needle := strings.ToLower(d.Query)
	for _, f := range rep.Findings {
		if d.Severity != "" && string(f.Severity) != d.Severity {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(strings.Join([]string{where(f), f.Pointer, f.Message, f.Hint, string(f.Code)}, " ")), needle) {
			continue
		}
		d.Findings = append(d.Findings, f)
	}
	s.render(w, http.StatusOK, "problems", page{Title: "Problems in " + name, Nav: "problems", Case: name, Data: d})
}

// stamp answers the Problems page's question "did the case change?": a
// digest of the names, sizes and times of the case folder's files.
func (s *Server) stamp(w http.ResponseWriter, r *http.Request) {
	dir, err := s.caseDir(r.PathValue("name"))
	if err != nil {
		http.Error(w, "casepack: no such case", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"stamp": s.caseStamp(dir)})
}

// maxStampFiles bounds the walk of one stamp; a case with more files is
// stamped by its first ones (the case file comes first).
const maxStampFiles = 20000

func (s *Server) caseStamp(dir string) string {
	h := sha256.New()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if n++; n > maxStampFiles {
			return filepath.SkipAll
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}
