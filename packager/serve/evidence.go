package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/intake"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/casepack/casepack/schema/shape"
)

// evidenceData is what the Evidence page shows.
type evidenceData struct {
	Name            string
	Items           []schema.Evidence
	Unreadable      string // why the case file could not be read, if so
	Types           []string
	Classifications []string
	MaxUpload       int64
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request, name, dir string) {
	d := evidenceData{Name: name, MaxUpload: s.opt.MaxUpload,
		Types:           shape.Root().At("evidence", "0", "type").Enum,
		Classifications: shape.Root().At("evidence", "0", "classification").Enum}
	doc, fs, err := caseform.Load(dir)
	switch {
	case err != nil:
		d.Unreadable = err.Error()
	case doc.Case == nil:
		d.Unreadable = "the case file cannot be read as a case; the Problems page says why"
		if len(fs) > 0 {
			d.Unreadable = fs[0].String()
		}
	default:
		d.Items = doc.Case.Evidence
	}
	s.render(w, http.StatusOK, "evidence", page{Title: "Evidence of " + name, Nav: "evidence", Case: name, Data: d})
}

// addEvidence receives files (streamed to disk beside the workspace's
// cases, so that adding them is a rename) and adds them to the case as
// `casepack evidence add --move` does, as a job with live progress.
func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request, name, dir string) {
	n := 0
	tmp, f, ok := s.receive(w, r, s.opt.MaxUpload, "files", func(tmp, field, fname string) (string, error) {
		if field != "files" {
			return "", fmt.Errorf("unexpected file field %q", field)
		}
		// One folder per file: intake refuses the second of one name by
		// its own rules.
		return inOwnFolder(tmp, "", &n, fname)
	})
	if !ok {
		return
	}
	if len(f.Files) == 0 {
		os.RemoveAll(tmp)
		s.renderError(w, "No file was uploaded", fmt.Errorf("choose one or more files to add"))
		return
	}
	opt := packager.AddOptions{
		Type:           f.Fields["type"],
		Title:          strings.TrimSpace(f.Fields["title"]),
		SourceURL:      strings.TrimSpace(f.Fields["source_url"]),
		CapturedAt:     strings.TrimSpace(f.Fields["captured_at"]),
		Actor:          strings.TrimSpace(f.Fields["actor"]),
		Classification: f.Fields["classification"],
		Move:           true,
	}
	paths := make([]string, len(f.Files))
	for i, u := range f.Files {
		paths[i] = u.Path
	}
	j := s.jobs.start("Adding evidence to "+name, name, "evidence", "added", func(ctx context.Context, j *job) (any, error) {
		defer os.RemoveAll(tmp)
		// Two additions to one case at once would both take the next
		// evidence ID: the second waits for the first.
		mu := s.caseLock(dir)
		if !mu.TryLock() {
			j.setPhase("waiting for the files added before to be recorded")
			mu.Lock()
		}
		defer mu.Unlock()
		j.setPhase("hashing and adding " + humanize.Count(len(paths), "file"))
		opt.Progress = j.report
		rep, err := packager.AddEvidence(ctx, dir, paths, opt)
		if rep != nil {
			// The report names the upload's temporary paths; the person
			// chose the files by their names.
			for i := range rep.Added {
				rep.Added[i].Source = filepath.Base(rep.Added[i].Source)
			}
			for i := range rep.Refused { // its Reason names no path
				rep.Refused[i].Source = filepath.Base(rep.Refused[i].Source)
			}
		}
		if errors.Is(err, intake.ErrRefused) {
			err = nil // the page lists what was refused, and why
		}
		s.logf("evidence added to %s", name)
		return rep, err
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}

// caseLock is the lock of the case folder dir that additions of evidence
// hold while they record their files.
func (s *Server) caseLock(dir string) *sync.Mutex {
	mu, _ := s.caseLocks.LoadOrStore(dir, &sync.Mutex{})
	return mu.(*sync.Mutex)
}
