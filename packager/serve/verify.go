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

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/fault"
)

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "verify", page{Title: "Verify a package", Nav: "verify", Data: struct {
		Packages  []string
		MaxUpload int64
	}{s.packages(), s.opt.MaxUpload}})
}

// verifyResult is what a verify job's page shows.
type verifyResult struct {
	Package string
	Report  *packager.VerifyReport
}

// startVerify checks a package (packager.Verify) as a job: an uploaded
// ZIP, or one built in the workspace, against the uploaded trusted keys
// and certificates.
func (s *Server) startVerify(w http.ResponseWriter, r *http.Request) {
	n := 0
	tmp, f, ok := s.receive(w, r, s.opt.MaxUpload, "package", func(tmp, field, name string) (string, error) {
		switch field {
		case "package":
			if !strings.EqualFold(filepath.Ext(name), ".zip") {
				return "", fmt.Errorf("%s is not a ZIP file: choose the package's .zip (or pick a package built here)", name)
			}
			return filepath.Join(tmp, name), nil
		case "trust":
			return inOwnFolder(tmp, "trust-", &n, name)
		}
		return "", fmt.Errorf("unexpected file field %q", field)
	})
	if !ok {
		return
	}
	var pkg, shown string
	var trust []string
	for _, u := range f.Files {
		if u.Field == "package" {
			pkg, shown = u.Path, u.Name
		} else {
			trust = append(trust, u.Path)
		}
	}
	if built := f.Fields["built"]; pkg == "" && built != "" {
		if !slices.Contains(s.packages(), built) {
			os.RemoveAll(tmp)
			s.renderError(w, "No such package", fmt.Errorf("%q: %w", built, errBadName))
			return
		}
		pkg, shown = filepath.Join(s.workspace, packagesDir, built), built
	}
	if pkg == "" {
		os.RemoveAll(tmp)
		s.renderError(w, "No package to verify", fmt.Errorf("choose a package's ZIP, or a package built here"))
		return
	}
	anchors, err := packager.LoadTrust(trust)
	if err != nil {
		os.RemoveAll(tmp)
		var tf *packager.TrustFileError
		if errors.As(err, &tf) { // named as it was uploaded, not by where it waited
			err = fault.New(fault.Usage, fmt.Errorf("%s: %s", filepath.Base(tf.File), tf.Problem), fault.HintOf(err))
		}
		s.renderError(w, "A trusted key cannot be read", err)
		return
	}
	opt := packager.VerifyOptions{Trust: anchors, RequireSignature: f.Fields["require"] == "1"}
	j := s.jobs.start("Verifying "+shown, "", "verify", "verified", func(ctx context.Context, j *job) (any, error) {
		defer os.RemoveAll(tmp)
		j.setPhase("re-hashing every file and checking every signature")
		opt.Progress = j.report
		rep, err := packager.Verify(ctx, pkg, opt)
		if errors.Is(err, packager.ErrVerifyFailed) {
			err = nil // the verdict and the findings say it
		}
		s.logf("verified a package: intact=%v", rep != nil && rep.Intact)
		return verifyResult{Package: shown, Report: rep}, err
	})
	http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
}
