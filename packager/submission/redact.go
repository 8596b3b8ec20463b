package submission

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/schema"
)

// Redact returns the public edition of a case: no person's protected
// details, and evidence that is not classified public reduced to what the
// evidence index may show (ID, title, type, classification and its files'
// paths and declared digests, so that a later disclosure can be proven to
// be the same file). The submission itself is marked public. c is not
// changed.
func Redact(c *schema.Case) *schema.Case {
	var out schema.Case
	b, _ := json.Marshal(c) // a Case always marshals
	_ = json.Unmarshal(b, &out)
	out.Submission.Classification = "public"
	for i := range out.Persons {
		out.Persons[i].Protected = nil
	}
	for i, e := range out.Evidence {
		if !annex.WithheldInEdition(&out.Evidence[i], Public) {
			continue
		}
		out.Evidence[i] = schema.Evidence{ID: e.ID, Title: e.Title, Type: e.Type, Files: e.Files, Classification: e.Classification, ContentTime: e.ContentTime}
	}
	return &out
}

// secret is one protected value and where it comes from.
type secret struct {
	person, field string
	forms         [][]byte // lower-cased spellings: raw, JSON-, XML- and CSV-escaped
}

// secrets lists the protected values of the original case. Values shorter
// than four characters are left out: they would match by chance.
func (g *generator) secrets() []secret {
	var out []secret
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
		out = append(out, secret{person, field, forms})
	}
	for _, p := range g.doc.Case.Persons {
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
	return out
}

// checkLeak looks for every protected value in the bytes of a public file.
func (g *generator) checkLeak(file string, data []byte) error {
	low := bytes.ToLower(data)
	for _, s := range g.secrets() {
		for _, f := range s.forms {
			if bytes.Contains(low, f) {
				return &LeakError{File: file, Person: s.person, Field: s.field}
			}
		}
	}
	return nil
}

// checkLeakFile is checkLeak that looks inside a workbook's compressed parts.
func (g *generator) checkLeakFile(file string, data []byte) error {
	if !strings.HasSuffix(file, ".xlsx") {
		return g.checkLeak(file, data)
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
		if err := g.checkLeak(file+" ("+f.Name+")", part); err != nil {
			return err
		}
	}
	return nil
}
