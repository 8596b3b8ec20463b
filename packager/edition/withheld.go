package edition

import (
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// Ground is why the public edition withholds an evidence item.
type Ground string

// The grounds, strongest first: a consent missing outweighs a
// classification.
const (
	// GroundConsent: the item comes from a person (their testimony, an
	// image of them) whose consents do not include publication, or include
	// one that was withdrawn.
	GroundConsent Ground = "consent"
	// GroundExParte: the item is classified confidential_ex_parte.
	GroundExParte Ground = "ex_parte"
	// GroundConfidential: the item is classified confidential.
	GroundConfidential Ground = "confidential"
)

// Withholding says why one evidence item is withheld.
type Withholding struct {
	Ground  Ground
	Type    string   // the item's evidence type, e.g. "testimony"
	Persons []string // GroundConsent: the persons whose consent is missing (none recorded: empty)
}

// Reason is the withholding in words, as a redaction mark prints it:
// "testimony without consent to publication", "confidential video".
func (w Withholding) Reason() locale.Msg {
	t := typeWord(w.Type)
	switch w.Ground {
	case GroundConsent:
		return locale.M("redaction.reason.consent", "type", t)
	case GroundExParte:
		return locale.M("redaction.reason.ex_parte", "type", t)
	}
	return locale.M("redaction.reason.confidential", "type", t)
}

// Basis is the ground as the redaction log states it: "consent: no
// consent to publication from R-01", "classification: confidential".
func (w Withholding) Basis() locale.Msg {
	switch w.Ground {
	case GroundConsent:
		if len(w.Persons) == 0 {
			return locale.M("redaction.ground.consent_none")
		}
		return locale.M("redaction.ground.consent", "persons", strings.Join(w.Persons, ", "))
	case GroundExParte:
		return locale.M("redaction.ground.ex_parte")
	}
	return locale.M("redaction.ground.confidential")
}

// Mark is the redaction mark for w in language l, as the public edition
// writes it into a text: "[Redacted — testimony without consent to
// publication]".
func (w Withholding) Mark(l *locale.Lang) string {
	return l.T("redaction.mark", "reason", w.Reason())
}

// consentRoles are the roles whose content reaches the public edition only
// with the person's consent. Experts and alleged perpetrators act in a
// professional or public capacity.
var consentRoles = []string{"victim", "witness", "relative", "source"}

// withholdings decides, for every evidence item of c, whether the public
// edition withholds it and why; from maps an item to the persons it comes
// from (sources).
func withholdings(c *schema.Case, from map[string][]string) map[string]Withholding {
	consents := map[string][]*schema.Consent{} // person ID → their consents
	byID := map[string]*schema.Consent{}
	for i := range c.Consents {
		k := &c.Consents[i]
		byID[k.ID] = k
		consents[k.PersonID] = append(consents[k.PersonID], k)
	}
	for _, p := range c.Persons {
		for _, id := range p.ConsentIDs {
			if k := byID[id]; k != nil && !slices.Contains(consents[p.ID], k) {
				consents[p.ID] = append(consents[p.ID], k)
			}
		}
	}
	// publishes: the person's consents include publication and none of
	// them is withdrawn.
	publishes := func(person string) bool {
		ks := consents[person]
		ok := false
		for _, k := range ks {
			if k.WithdrawnAt != "" {
				return false
			}
			ok = ok || slices.Contains(k.Scope, "publish")
		}
		return ok
	}
	out := map[string]Withholding{}
	for _, ev := range c.Evidence {
		w := Withholding{Type: ev.Type}
		persons := from[ev.ID]
		var missing []string
		for _, p := range persons {
			if !publishes(p) {
				missing = append(missing, p)
			}
		}
		switch {
		case len(missing) > 0 || ev.Type == "testimony" && len(persons) == 0:
			w.Ground, w.Persons = GroundConsent, missing
		case ev.Classification == "confidential_ex_parte":
			w.Ground = GroundExParte
		case ev.Classification != "public":
			w.Ground = GroundConfidential
		default:
			continue
		}
		slices.Sort(w.Persons)
		out[ev.ID] = w
	}
	return out
}

// personal reports whether an item a person lists is that person's own
// content: their testimony, or an image in which people can be identified.
func personal(ev *schema.Evidence) bool {
	if ev.Type == "testimony" {
		return true
	}
	s := ev.Sensitivity
	return s != nil && (s.IdentifiablePersons || s.Minors)
}

// sources lists, for each evidence item, the persons it comes from: the
// persons who gave a consent the item lists, and the victims, witnesses,
// relatives and sources who list it as their own content (personal).
func sources(c *schema.Case) map[string][]string {
	out := map[string][]string{}
	evs := map[string]*schema.Evidence{}
	for i := range c.Evidence {
		evs[c.Evidence[i].ID] = &c.Evidence[i]
	}
	byID := map[string]string{}
	for _, k := range c.Consents {
		byID[k.ID] = k.PersonID
	}
	add := func(ev, person string) {
		if !slices.Contains(out[ev], person) {
			out[ev] = append(out[ev], person)
		}
	}
	for _, p := range c.Persons {
		if !slices.ContainsFunc(consentRoles, p.HasRole) {
			continue
		}
		for _, id := range p.EvidenceIDs {
			if ev := evs[id]; ev != nil && personal(ev) {
				add(id, p.ID)
			}
		}
	}
	for _, ev := range c.Evidence {
		for _, id := range ev.ConsentIDs {
			if p, ok := byID[id]; ok {
				add(ev.ID, p)
			}
		}
	}
	return out
}
