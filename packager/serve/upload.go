package serve

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/humanize"
)

// maxField caps a form field that is not a file: names, labels, a
// password.
const maxField = 64 << 10

// errNoToken: a multipart form whose first field is not the CSRF token.
var errNoToken = errors.New("the form is out of date or came from elsewhere; reload the page and try again")

// form is a multipart form read as a stream: its text fields, and its
// files as they were written to disk.
type form struct {
	Fields map[string]string
	Files  []uploaded
}

// uploaded is one file part, on disk.
type uploaded struct {
	Field string // the form field it came in
	Name  string // the name the browser gave, checked by checkName
	Path  string // where it was written
	Size  int64
}

// readForm streams a multipart request: the first field must be the
// CSRF token (checked before any file is read); text fields are kept up
// to maxField each; each file part goes to place(field, name), which
// returns the path to write it to (crash-safely, never replacing a file),
// or "" to refuse it. The whole body is capped at limit bytes.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, limit int64, place func(field, name string) (string, error)) (*form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("the upload could not be read: %w", err)
	}
	f := &form{Fields: map[string]string{}}
	first := true
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return f, fmt.Errorf("the upload stopped: %w", err)
		}
		if first {
			first = false
			v, err := io.ReadAll(io.LimitReader(part, 256))
			if part.FormName() != "csrf" || err != nil || !s.csrfOK(string(v)) {
				return f, errNoToken
			}
			continue
		}
		if part.FileName() == "" {
			v, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return f, fmt.Errorf("the upload stopped: %w", err)
			}
			if len(v) > maxField {
				return f, fmt.Errorf("the field %q is too long", part.FormName())
			}
			f.Fields[part.FormName()] = string(v)
			continue
		}
		if err := s.savePart(f, part, place); err != nil {
			return f, err
		}
	}
	if first {
		return f, errNoToken
	}
	return f, nil
}

func (s *Server) savePart(f *form, part *multipart.Part, place func(field, name string) (string, error)) error {
	// Browsers send the base name; a path is cut to its last element and
	// then must be a plain name like any other.
	name := filepath.Base(filepath.ToSlash(part.FileName()))
	if err := checkName(name); err != nil {
		return fmt.Errorf("the file name %w", err)
	}
	dst, err := place(part.FormName(), name)
	if err != nil {
		return err
	}
	var n int64
	err = atomicfs.WriteFile(dst, atomicfs.FileOptions{Perm: 0o600}, func(w io.Writer) error {
		var err error
		n, err = io.Copy(w, part)
		return err
	})
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("%s is larger than this app accepts (%s): %w", name, humanize.Bytes(tooBig.Limit), err)
		}
		return fmt.Errorf("%s could not be received: %w", name, err)
	}
	f.Files = append(f.Files, uploaded{Field: part.FormName(), Name: name, Path: dst, Size: n})
	return nil
}

// receive streams a multipart upload (readForm) into a fresh private
// folder, where place(dir, field, name) puts each file. When it fails, the
// page says what could not be received (what: "files", "package", …) and
// the folder is gone; otherwise the caller removes it.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, limit int64, what string, place func(dir, field, name string) (string, error)) (dir string, f *form, ok bool) {
	dir, err := s.uploadDir()
	if err != nil {
		s.renderError(w, "The upload could not be received", err)
		return "", nil, false
	}
	f, err = s.readForm(w, r, limit, func(field, name string) (string, error) { return place(dir, field, name) })
	if err != nil {
		os.RemoveAll(dir)
		s.renderError(w, "The "+what+" could not be received", err)
		return "", nil, false
	}
	return dir, f, true
}

// uploadDir makes a fresh private folder for one request's uploads, on
// the workspace's file system; the caller removes it.
func (s *Server) uploadDir() (string, error) {
	base := filepath.Join(s.workspace, uploadsDir)
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, "up-")
}

// inOwnFolder returns where an uploaded file named name goes: a new folder
// of its own under dir (the n-th, prefix-n), so that two files of one name
// stay two files.
func inOwnFolder(dir, prefix string, n *int, name string) (string, error) {
	*n++
	sub := filepath.Join(dir, prefix+strconv.Itoa(*n))
	if err := os.Mkdir(sub, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(sub, name), nil
}
