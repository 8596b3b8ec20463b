package edition

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"

	"github.com/casepack/casepack/schema"
)

// Plan is the disclosure decision for one case in one edition: the case as
// that edition shows it and which evidence it withholds. Making a plan from
// a case that is already redacted gives the same plan, so a consumer handed
// either the original or the redacted case shows the same thing.
type Plan struct {
	edition  Edition
	view     *schema.Case
	withheld map[string]bool // evidence ID → files withheld from this edition
}

// New decides what edition e of c contains. c is not changed; the plan's
// Case is a copy for the public edition and c itself for the confidential.
func New(c *schema.Case, e Edition) (*Plan, error) {
	if c == nil {
		return nil, fmt.Errorf("edition: no case data")
	}
	if e == "" {
		e = Confidential
	}
	if e != Confidential && e != Public {
		return nil, fmt.Errorf("%w, not %q", ErrUnknown, string(e))
	}
	p := &Plan{edition: e, view: c, withheld: map[string]bool{}}
	if e == Confidential {
		return p, nil
	}
	for i := range c.Evidence {
		if withheldByClassification(&c.Evidence[i]) {
			p.withheld[c.Evidence[i].ID] = true
		}
	}
	view, err := p.redact(c)
	if err != nil {
		return nil, err
	}
	p.view = view
	return p, nil
}

// Edition is the edition the plan is for.
func (p *Plan) Edition() Edition { return p.edition }

// Case is the case as the edition shows it: for the public edition, without
// any person's protected details and with withheld evidence reduced to what
// the evidence index may show. Callers must not change it.
func (p *Plan) Case() *schema.Case { return p.view }

// Withheld reports whether the edition leaves the files of evidence item id
// out of the package (they are hashed and listed, not copied).
func (p *Plan) Withheld(id string) bool { return p.withheld[id] }

// withheldByClassification is the classification rule: a public edition
// carries only evidence the case classifies as public.
func withheldByClassification(ev *schema.Evidence) bool {
	return ev.Classification != "public"
}

// redact returns the public view of c: no person's protected details, and
// withheld evidence reduced to what the evidence index may show (ID, title,
// type, classification, content date and its files' paths and declared
// digests, so that a later disclosure can be proven to be the same file).
func (p *Plan) redact(c *schema.Case) (*schema.Case, error) {
	out, err := deepCopy(c)
	if err != nil {
		return nil, err
	}
	out.Submission.Classification = "public"
	for i := range out.Persons {
		RedactPerson(&out.Persons[i])
	}
	for i, e := range out.Evidence {
		if !p.withheld[e.ID] {
			continue
		}
		out.Evidence[i] = schema.Evidence{ID: e.ID, Title: e.Title, Type: e.Type, Files: e.Files,
			Classification: e.Classification, ContentTime: e.ContentTime}
	}
	return out, nil
}

// RedactPerson removes every protected detail of p. A person who had
// protected details keeps an empty record of them, so every edition still
// shows who is at risk (by pseudonym) without showing why or who they are.
func RedactPerson(p *schema.Person) {
	if p.Protected != nil {
		p.Protected = &schema.Protected{}
	}
}

// deepCopy copies a case through its JSON form, the one form every field
// of the model round-trips through (a number JSON cannot hold, such as a
// NaN coordinate read from another format, is an error).
func deepCopy(c *schema.Case) (*schema.Case, error) {
	var out schema.Case
	b, err := json.Marshal(c)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("edition: copy the case data: %w", err)
	}
	return &out, nil
}

// PackagePath is where an evidence file of a case sits in a package:
// data/evidence/<evidence ID>/<file name>.
func PackagePath(evidenceID, casePath string) string {
	return "data/evidence/" + evidenceID + "/" + path.Base(filepath.ToSlash(casePath))
}
