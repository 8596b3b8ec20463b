package edition

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/casepack/casepack/schema"
)

// LeakError stops a public build that would publish a protected detail.
type LeakError struct {
	File   string // the package file that would hold it
	Person string // the person's ID
	Field  string // which protected field
}

func (e *LeakError) Error() string {
	return fmt.Sprintf("the public edition would expose the protected %s of %s in %s", e.Field, e.Person, e.File)
}

// LeakCheck looks for the protected values of a case in the files of its
// public edition.
type LeakCheck struct {
	secrets []secret
}

// secret is one protected value and where it comes from.
type secret struct {
	person, field string
	forms         [][]byte // lower-cased spellings: raw, JSON-, XML- and CSV-escaped
}

// NewLeakCheck collects the protected values of c (the original case, not
// its redacted view). Values shorter than four characters are left out: they
// would match by chance.
func NewLeakCheck(c *schema.Case) *LeakCheck {
	l := &LeakCheck{}
	add := func(person, field, v string) {
		v = strings.TrimSpace(v)
		if len([]rune(v)) < 4 {
			return
		}
		js, _ := json.Marshal(v)
		var xb bytes.Buffer
		_ = xml.EscapeText(&xb, []byte(v))
		forms := [][]byte{[]byte(v), js[1 : len(js)-1], xb.Bytes(), []byte(strings.ReplaceAll(v, `"`, `""`)),
			[]byte(strings.Join(strings.Fields(v), " "))}
		for i := range forms {
			forms[i] = bytes.ToLower(forms[i])
		}
		l.secrets = append(l.secrets, secret{person, field, forms})
	}
	for _, p := range c.Persons {
		pr := p.Protected
		if pr == nil {
			continue
		}
		add(p.ID, "full name", pr.FullName)
		add(p.ID, "address", pr.Address)
		add(p.ID, "notes", pr.Notes)
		for _, a := range pr.Aliases {
			add(p.ID, "alias", a)
		}
		for _, a := range pr.Contacts {
			add(p.ID, "contact", a)
		}
		for _, a := range pr.IDDocuments {
			add(p.ID, "identity document", a)
		}
	}
	return l
}

// Bytes looks for every protected value in data, the content of the package
// file named file, and returns a *LeakError for the first it finds.
func (l *LeakCheck) Bytes(file string, data []byte) error {
	low := bytes.ToLower(data)
	for _, s := range l.secrets {
		for _, f := range s.forms {
			if bytes.Contains(low, f) {
				return &LeakError{File: file, Person: s.person, Field: s.field}
			}
		}
	}
	return nil
}

// File is Bytes that looks inside a workbook's compressed parts.
func (l *LeakCheck) File(file string, data []byte) error {
	if !strings.HasSuffix(file, ".xlsx") {
		return l.Bytes(file, data)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("check %s: %w", file, err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("check %s: %w", file, err)
		}
		if err := l.Bytes(file+" ("+f.Name+")", part); err != nil {
			return err
		}
	}
	return nil
}
