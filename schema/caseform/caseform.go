// Package caseform owns the three forms of a case file: case.json,
// case.yaml (or case.yml) and case.xlsx. It decides which one a case folder
// holds (exactly one), reads any of them into a schema.Document whose
// findings are located in that form (a line and column, or a sheet and
// cell), and writes a case in any form (Convert).
//
// The JSON Schema and the typed model stay the single source of truth: the
// YAML and workbook forms are read into the same generic tree a JSON parser
// gives (schema/caseyaml, schema/casexlsx), validated by the same rules, and
// carried into a package as the one Canonical JSON.
package caseform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/casexlsx"
	"github.com/casepack/casepack/schema/caseyaml"
)

// Form is one of the three forms of a case file.
type Form string

const (
	JSON Form = "json"
	YAML Form = "yaml"
	XLSX Form = "xlsx"
)

// Forms lists the forms in the order casepack offers them.
var Forms = []Form{XLSX, YAML, JSON}

// FileNames are the names a case file may have in a case folder, by form.
var FileNames = map[Form][]string{
	JSON: {"case.json"},
	YAML: {"case.yaml", "case.yml"},
	XLSX: {"case.xlsx"},
}

// FileName is the name a new case file of form f gets.
func FileName(f Form) string { return FileNames[f][0] }

// FormOf returns the form a file name's extension says (.json, .yaml,
// .yml, .xlsx), or false.
func FormOf(name string) (Form, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return JSON, true
	case ".yaml", ".yml":
		return YAML, true
	case ".xlsx":
		return XLSX, true
	}
	return "", false
}

// ParseForm reads a form's name as a user gives it (json, yaml, yml, xlsx).
func ParseForm(s string) (Form, bool) {
	switch strings.ToLower(s) {
	case "json":
		return JSON, true
	case "yaml", "yml":
		return YAML, true
	case "xlsx", "excel", "workbook":
		return XLSX, true
	}
	return "", false
}

// TwoFilesError says a case folder holds more than one case file, so
// casepack cannot tell which is the case. It is a usage error.
type TwoFilesError struct {
	Dir   string
	Files []string // the names found, in the order of FileNames
}

func (e *TwoFilesError) Error() string {
	return fmt.Sprintf("%s holds %s: a case folder holds exactly one case file", e.Dir, JoinAnd(e.Files))
}

// Hint says what to do.
func (e *TwoFilesError) Hint() string {
	return fmt.Sprintf("keep the one you work in and move the other out of the folder (casepack convert turns one form into another), or name the file: casepack validate %s",
		filepath.Join(e.Dir, e.Files[0]))
}

// JoinAnd lists names as "a, b and c".
func JoinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// Find resolves a case folder, or a case file, to the case file and its
// form. A folder must hold exactly one case file (*TwoFilesError); a file
// must have a case file's extension. A path that does not exist, or a
// folder without a case file, is an error matching schema.ErrNotFound.
func Find(path string) (file string, form Form, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("%s: %w", path, schema.ErrNotFound)
		}
		return "", "", fmt.Errorf("open case: %w", err)
	}
	if !fi.IsDir() {
		f, ok := FormOf(path)
		if !ok {
			return "", "", &UnknownFormError{Path: path}
		}
		return path, f, nil
	}
	var found []string
	var forms []Form
	for _, f := range []Form{JSON, YAML, XLSX} {
		for _, name := range FileNames[f] {
			if _, err := os.Lstat(filepath.Join(path, name)); err == nil {
				found = append(found, name)
				forms = append(forms, f)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Errorf("%s: no case.json, case.yaml or case.xlsx in this folder: %w", path, schema.ErrNotFound)
	case 1:
		file := filepath.Join(path, found[0])
		if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
			return "", "", fmt.Errorf("%s is not a file: the case data must be a file named %s", file, found[0])
		}
		return file, forms[0], nil
	}
	return "", "", &TwoFilesError{Dir: path, Files: found}
}

// UnknownFormError says a file is not named as a case file of any form.
type UnknownFormError struct{ Path string }

func (e *UnknownFormError) Error() string {
	return fmt.Sprintf("%s: a case file ends in .json, .yaml, .yml or .xlsx", e.Path)
}

// Load reads a case folder or case file in any form. The error is for I/O
// and for a folder that does not hold exactly one case file; problems in
// the data come back as findings, and the Document's Value is nil when the
// file could not be read as a case at all.
func Load(path string) (*schema.Document, []finding.Finding, error) {
	file, form, err := Find(path)
	if err != nil {
		return nil, nil, err
	}
	if form == JSON {
		return schema.Load(file)
	}
	return loadOther(file, form, true, false)
}

// LoadAndValidate is Load followed by schema.Validate: what every command
// that takes a case does. Findings of a case that cannot be read are
// returned alone.
func LoadAndValidate(ctx context.Context, path string, opt schema.Options) (*schema.Document, []finding.Finding, error) {
	file, form, err := Find(path)
	if err != nil {
		return nil, nil, err
	}
	if form == JSON {
		return schema.LoadAndValidate(ctx, file, opt)
	}
	// The typed model is left to Validate, which builds it as it lets the
	// generic tree go; a workbook's tree is never whole unless it is kept
	// (Validate checks and decodes it item by item: schema.Parts).
	doc, fs, err := loadOther(file, form, false, !opt.KeepTree)
	if err != nil || (doc.Value == nil && doc.Parts == nil) {
		finding.Sort(fs)
		return doc, fs, err
	}
	more, err := schema.Validate(ctx, doc, opt)
	if err != nil {
		return doc, nil, err
	}
	fs = append(fs, more...)
	finding.Sort(fs)
	return doc, fs, nil
}

// maxSize is schema.MaxCaseSize, lowered by tests.
var maxSize int64 = schema.MaxCaseSize

// loadOther reads a YAML or workbook case file; with typed, into a
// Document with its typed model, else into one with its generic tree only
// — with parts, a workbook's tree in pieces (Document.Parts).
func loadOther(file string, form Form, typed, parts bool) (*schema.Document, []finding.Finding, error) {
	dir := filepath.Dir(file)
	empty := &schema.Document{Path: file, Dir: dir}
	// Opened without blocking and checked before reading: a FIFO is refused.
	f, err := source.Open(file)
	if errors.Is(err, source.ErrNotRegular) {
		return nil, nil, fmt.Errorf("%s is not a file: the case data must be a file", file)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open case: %w", err)
	}
	defer f.Close()
	fi := f.Info()
	if fi.Size() > maxSize {
		code := finding.YAMLTooBig
		if form == XLSX {
			code = finding.XLSXTooBig
		}
		return empty, []finding.Finding{{Code: code, Severity: finding.Error, File: file, Line: 1,
			Message: fmt.Sprintf("the file is larger than %d MiB, the most casepack reads", schema.MaxCaseSize>>20),
			Hint:    "split the case into several submissions, or check that this is the right file"}}, nil
	}
	var (
		value any
		place schema.Form
		fs    []finding.Finding
	)
	switch form {
	case YAML:
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", file, err)
		}
		var y *caseyaml.Doc
		y, fs = caseyaml.Read(data)
		value, place = y.Value, y
		y.Value = nil // the Document holds the one reference to the tree
	case XLSX:
		if parts && !typed {
			x, fs := casexlsx.ReadParts(f, fi.Size())
			for i := range fs {
				fs[i].File = file
			}
			if x.Parts == nil {
				return empty, fs, nil
			}
			doc := &schema.Document{Path: file, Dir: dir, Parts: x.Parts, Form: x}
			x.Parts = nil // the Document holds the one reference to the rows
			return doc, fs, nil
		}
		var x *casexlsx.Doc
		x, fs = casexlsx.Read(f, fi.Size())
		value, place = x.Value, x
		x.Value = nil // the Document holds the one reference to the tree
	}
	for i := range fs {
		fs[i].File = file
	}
	if value == nil {
		return empty, fs, nil
	}
	if !typed {
		return &schema.Document{Path: file, Dir: dir, Value: value, Form: place}, fs, nil
	}
	doc, err := schema.NewDocument(file, dir, value, place)
	if err != nil {
		return nil, nil, err
	}
	return doc, fs, nil
}
