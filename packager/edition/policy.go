package edition

import "github.com/casepack/casepack/schema"

// Policy is a case's public-edition policy with every default filled in
// (submission.public_edition in case.json; see case.schema.json).
type Policy struct {
	// MinGroupSize is k: the fewest published victims, or witnesses, that
	// may share the same published details.
	MinGroupSize int
	Victims      PersonRules
	Witnesses    PersonRules // witnesses, relatives and sources who are not victims
	// Relationships "omit": evidence that comes from a person is titled by
	// its type and the person's pseudonym, without its description.
	Relationships string
	// Accounts "omit": provenance accounts, addresses and capturers of
	// withheld or identifying evidence are left out.
	Accounts string
	// TextCitingConfidential "redact": text citing evidence withheld only
	// because it is classified confidential is redacted too.
	TextCitingConfidential string
	// PersonsOfInterest "omit": alleged perpetrators appear by pseudonym
	// only; how they are identified, the basis, their posts, their modes of
	// liability and what could single them out are withheld.
	PersonsOfInterest string
}

// PersonRules say what the public edition shows of a kind of person.
type PersonRules struct {
	Sex          string // keep | omit
	Age          string // exact | band | omit
	Occupation   string // keep | omit
	Residence    string // keep | omit
	DateOfDeath  string // exact | period | year
	PlaceOfDeath string // exact | area | omit
}

// The policy's values.
const (
	Keep   = "keep"
	Omit   = "omit"
	Exact  = "exact"
	Band   = "band"
	Period = "period"
	Year   = "year"
	Area   = "area"
	Redact = "redact"
)

// DefaultPolicy is what a case that says nothing gets: victims keep their
// sex and residence area, their age becomes a band, their occupation is
// left out and their death is dated by its incident's period and placed by
// its area; of witnesses nothing but the pseudonym and roles is shown; of
// alleged perpetrators (persons of interest) nothing but the pseudonym,
// roles and sex.
func DefaultPolicy() Policy {
	return Policy{
		MinGroupSize: 2,
		Victims: PersonRules{Sex: Keep, Age: Band, Occupation: Omit, Residence: Keep,
			DateOfDeath: Period, PlaceOfDeath: Area},
		Witnesses: PersonRules{Sex: Omit, Age: Omit, Occupation: Omit, Residence: Omit,
			DateOfDeath: Period, PlaceOfDeath: Area},
		Relationships:          Omit,
		Accounts:               Omit,
		TextCitingConfidential: Redact,
		PersonsOfInterest:      Omit,
	}
}

// PolicyOf is the public-edition policy of c: its own choices over the
// defaults.
func PolicyOf(c *schema.Case) Policy {
	p := DefaultPolicy()
	pe := c.Submission.PublicEdition
	if pe == nil {
		return p
	}
	if pe.MinGroupSize > 0 {
		p.MinGroupSize = pe.MinGroupSize
	}
	set(&p.Relationships, pe.Relationships)
	set(&p.Accounts, pe.Accounts)
	set(&p.TextCitingConfidential, pe.TextCitingConfidential)
	set(&p.PersonsOfInterest, pe.PersonsOfInterest)
	p.Victims.over(pe.Victims)
	p.Witnesses.over(pe.Witnesses)
	return p
}

func (r *PersonRules) over(pp *schema.PersonPolicy) {
	if pp == nil {
		return
	}
	set(&r.Sex, pp.Sex)
	set(&r.Age, pp.Age)
	set(&r.Occupation, pp.Occupation)
	set(&r.Residence, pp.Residence)
	set(&r.DateOfDeath, pp.DateOfDeath)
	set(&r.PlaceOfDeath, pp.PlaceOfDeath)
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// rulesFor returns the rules for p and whether p is one of the persons the
// policy generalises (victims, witnesses, relatives and sources; experts
// are shown as recorded, protected details aside; alleged perpetrators
// follow PersonsOfInterest).
func (pol *Policy) rulesFor(p *schema.Person) (PersonRules, string, bool) {
	switch {
	case p.HasRole("victim"):
		return pol.Victims, "victims", true
	case p.HasRole("witness"), p.HasRole("relative"), p.HasRole("source"):
		return pol.Witnesses, "witnesses", true
	}
	return PersonRules{}, "", false
}
