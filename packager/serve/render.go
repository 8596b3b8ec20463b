package serve

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
)

// assets are the app's templates, style sheet and script: everything the
// browser loads comes from the binary, so the app works with no network
// and asks no other site for anything.
//
//go:embed assets
var assets embed.FS

var static = func() fs.FS {
	f, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err)
	}
	return f
}()

var funcs = template.FuncMap{
	"where":  where,
	"bytes":  humanize.Bytes,
	"lower":  strings.ToLower,
	"base":   filepath.Base,
	"plural": humanize.Count,
}

// pages are parsed once, when the first server is made (New), not when
// every command starts: each page template with the layout.
var pages = sync.OnceValue(func() map[string]*template.Template {
	names, err := fs.Glob(assets, "assets/pages/*.html")
	if err != nil {
		panic(err)
	}
	m := map[string]*template.Template{}
	for _, n := range names {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/layout.html", n))
		m[strings.TrimSuffix(filepath.Base(n), ".html")] = t
	}
	return m
})

// page is what every template gets: the page's own data in Data.
type page struct {
	Title string
	Nav   string // which tab is current
	Case  string // the case open, if any
	CSRF  string
	Data  any
}

// render writes a page, or a plain error page when the template fails
// (never half a page).
func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	p.CSRF = s.csrf
	var buf bytes.Buffer
	if err := pages()[name].Execute(&buf, p); err != nil {
		s.logf("page %s: %v", name, err)
		http.Error(w, "casepack: this page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// problem is what the status page shows: a title, what happened, and
// what to do.
type problem struct {
	Heading string
	Message string
	Hint    string
}

func (s *Server) renderStatus(w http.ResponseWriter, _ *http.Request, status int, heading, message string) {
	s.render(w, status, "status", page{Title: heading, Data: problem{Heading: heading, Message: message}})
}

// renderError shows an error returned by the domain API in its own words,
// with its hint, and a status for its class.
func (s *Server) renderError(w http.ResponseWriter, heading string, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errNoToken):
		status = http.StatusForbidden
	case errors.Is(err, errBadName), errors.Is(err, fs.ErrNotExist):
		status = http.StatusNotFound
	case fault.ClassOf(err) == fault.Usage:
		status = http.StatusBadRequest
	case fault.ClassOf(err) == fault.InvalidCase || fault.ClassOf(err) == fault.Verification:
		status = http.StatusUnprocessableEntity
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		status = http.StatusRequestEntityTooLarge
	}
	s.render(w, status, "status", page{Title: heading, Data: problem{Heading: heading, Message: err.Error(), Hint: fault.HintOf(err)}})
}

// where says where a finding is, in a reader's words: the sheet and cell
// of a workbook, the line and column of a text file, or the file of a
// package.
func where(f finding.Finding) string {
	var parts []string
	switch {
	case f.Path != "":
		parts = append(parts, f.Path)
	case f.Sheet != "":
		if f.File != "" {
			parts = append(parts, filepath.Base(f.File))
		}
		s := "sheet " + f.Sheet
		if f.Cell != "" {
			s += ", cell " + f.Cell
		}
		if f.Field != "" {
			s += " (" + f.Field + ")"
		}
		parts = append(parts, s)
	case f.File != "":
		parts = append(parts, filepath.Base(f.File))
		if f.Line > 0 {
			s := fmt.Sprintf("line %d", f.Line)
			if f.Column > 0 {
				s += fmt.Sprintf(", column %d", f.Column)
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// hintOf is the hint an error of the domain API carries, if any.
func hintOf(err error) string {
	if err == nil {
		return ""
	}
	return fault.HintOf(err)
}
