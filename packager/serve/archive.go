package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive"
)

// archiveRoot is the archive the app keeps packages in: Options.Archive,
// else the workspace's archive/ folder.
func (s *Server) archiveRoot() string {
	if s.opt.Archive != "" {
		return s.opt.Archive
	}
	return filepath.Join(s.workspace, archiveDir)
}

func (s *Server) openArchive(ctx context.Context, create bool) (*archive.Archive, error) {
	return archive.Open(ctx, s.archiveRoot(), create, archive.Options{Version: s.opt.Version})
}

// archiveData is what the Archive page shows.
type archiveData struct {
	Root     string
	Missing  bool // no archive yet
	Cat      *archive.Catalogue
	Query    string
	Found    *archive.Found
	FindErr  string
	Packages []string // built here, to keep in the archive
}

// archivePage lists the stored packages and finds an evidence file
// across them (by evidence ID or SHA-256), as `casepack archive list`
// and `archive find` do.
func (s *Server) archivePage(w http.ResponseWriter, r *http.Request) {
	d := archiveData{Root: s.archiveRoot(), Query: strings.TrimSpace(r.URL.Query().Get("find")), Packages: s.packages()}
	a, err := s.openArchive(r.Context(), false)
	if errors.Is(err, archive.ErrNotArchive) {
		d.Missing = true
		s.render(w, http.StatusOK, "archive", page{Title: "Archive", Nav: "archive", Data: d})
		return
	}
	if err != nil {
		s.renderError(w, "The archive cannot be opened", err)
		return
	}
	defer a.Close()
	if d.Cat, err = a.List(r.Context(), archive.ListOptions{}); err != nil {
		s.renderError(w, "The archive cannot be listed", err)
		return
	}
	if d.Query != "" {
		q := archive.FindQuery{Evidence: d.Query}
		if len(d.Query) == 64 && strings.Trim(strings.ToLower(d.Query), "0123456789abcdef") == "" {
			q = archive.FindQuery{SHA256: d.Query}
		}
		if d.Found, err = a.Find(r.Context(), q); err != nil {
			d.FindErr = err.Error()
		}
	}
	s.render(w, http.StatusOK, "archive", page{Title: "Archive", Nav: "archive", Data: d})
}

// archiveAdd keeps a package built here in the archive (verified before
// and after storing), as a job.
func (s *Server) archiveAdd(w http.ResponseWriter, r *http.Request) {
	pkg := r.PostForm.Get("package")
	if !slices.Contains(s.packages(), pkg) {
		s.renderError(w, "No such package", fmt.Errorf("%q: %w", pkg, errBadName))
		return
	}
	path := filepath.Join(s.workspace, packagesDir, pkg)
	j := s.jobs.start("Keeping "+pkg+" in the archive", "", "archive", "archived", func(ctx context.Context, j *job) (any, error) {
		a, err := s.openArchive(ctx, true)
		if err != nil {
			return nil, err
		}
		defer a.Close()
		res, err := a.Add(ctx, path, archive.AddOptions{Stage: j.setPhase})
		if err == nil {
			s.logf("%s kept in the archive", pkg)
		}
		return res, err
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// archiveAudit re-checks every stored package (`casepack archive audit`)
// as a job, and appends its fixity record to the archive.
func (s *Server) archiveAudit(w http.ResponseWriter, r *http.Request) {
	j := s.jobs.start("Audit of the archive", "", "archive", "audited", func(ctx context.Context, j *job) (any, error) {
		a, err := s.openArchive(ctx, false)
		if err != nil {
			return nil, err
		}
		defer a.Close()
		j.setPhase("re-hashing every stored package")
		return a.Audit(ctx, archive.AuditOptions{Progress: func(p archive.AuditProgress) {
			j.report(digest.Progress{Path: p.Package, TotalDone: p.Done, Total: p.Total, FilesDone: p.PackagesDone, FilesTotal: p.PackagesTotal})
		}})
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}
