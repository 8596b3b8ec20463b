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
	"github.com/casepack/casepack/packager"
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

// archiveOptions reach the app's archive (a folder, or an s3:// root with
// the standard AWS environment).
func (s *Server) archiveOptions() packager.ArchiveOptions {
	return packager.ArchiveOptions{Version: s.opt.Version}
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
	var err error
	d.Cat, err = packager.ArchiveList(r.Context(), d.Root, s.archiveOptions())
	switch {
	case errors.Is(err, archive.ErrNotArchive):
		d.Missing = true
		s.render(w, http.StatusOK, "archive", page{Title: "Archive", Nav: "archive", Data: d})
		return
	case err != nil:
		s.renderError(w, "The archive cannot be listed", err)
		return
	}
	if d.Query != "" {
		q := archive.FindQuery{Evidence: d.Query}
		if packager.IsSHA256(d.Query) {
			q = archive.FindQuery{SHA256: d.Query}
		}
		if d.Found, err = packager.ArchiveFind(r.Context(), d.Root, q, s.archiveOptions()); err != nil {
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
		rep, err := packager.ArchiveAdd(ctx, s.archiveRoot(), []string{path}, packager.ArchiveAddOptions{
			ArchiveOptions: s.archiveOptions(),
			Stage:          func(_, stage string) { j.setPhase(stage) },
			Progress:       j.report,
		})
		if err != nil {
			if rep != nil && len(rep.Packages) == 1 {
				err = rep.Packages[0].Err // the package's own error, not the summary's
			}
			return nil, err
		}
		s.logf("%s kept in the archive", pkg)
		return rep.Packages[0], nil
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// archiveAudit re-checks every stored package (`casepack archive audit`)
// as a job, and appends its fixity record to the archive.
func (s *Server) archiveAudit(w http.ResponseWriter, r *http.Request) {
	j := s.jobs.start("Audit of the archive", "", "archive", "audited", func(ctx context.Context, j *job) (any, error) {
		j.setPhase("re-hashing every stored package")
		fx, err := packager.ArchiveAudit(ctx, s.archiveRoot(), packager.ArchiveAuditOptions{ArchiveOptions: s.archiveOptions(), Progress: func(p archive.AuditProgress) {
			j.report(digest.Progress{Path: p.Package, TotalDone: p.Done, Total: p.Total, FilesDone: p.PackagesDone, FilesTotal: p.PackagesTotal})
		}})
		if errors.Is(err, packager.ErrVerifyFailed) || errors.Is(err, packager.ErrArchivePartial) {
			err = nil // the page names each damaged or unchecked package
		}
		return fx, err
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}
