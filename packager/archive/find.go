package archive

import (
	"context"
	"fmt"
	"strings"
)

// FindQuery names an evidence file: by its evidence ID (every file of that
// item) or by its SHA-256.
type FindQuery struct {
	Evidence string
	SHA256   string
}

// Disclosure is one package's dealing with a file: it included the file,
// or withheld it from that edition (listing only its digests).
type Disclosure struct {
	Package     string `json:"package"` // full ID
	Short       string `json:"short_id"`
	Name        string `json:"name"`
	Submission  string `json:"submission"`
	Edition     string `json:"edition"`
	Version     int    `json:"version"`
	BaggingDate string `json:"bagging_date"`
	StoredAt    string `json:"stored_at"`
	File        File   `json:"file"`
	Included    bool   `json:"included"` // false: withheld from this edition
}

// Found is the answer to a FindQuery.
type Found struct {
	Query       FindQuery    `json:"query"`
	Disclosures []Disclosure `json:"packages"` // by submission, edition, version
	// NotCatalogued lists stored packages that could not be searched
	// (see Catalogue.Missing).
	NotCatalogued []string `json:"not_catalogued,omitempty"`
}

// Find lists every stored package that includes or withholds the file
// the query names, ordered by submission, edition and version: where a
// piece of evidence was disclosed, and where it was held back.
func (a *Archive) Find(ctx context.Context, q FindQuery) (*Found, error) {
	q.SHA256 = strings.ToLower(strings.TrimSpace(q.SHA256))
	q.Evidence = strings.TrimSpace(q.Evidence)
	switch {
	case (q.Evidence == "") == (q.SHA256 == ""):
		return nil, fmt.Errorf("find needs exactly one of an evidence ID or a SHA-256")
	case q.SHA256 != "" && (len(q.SHA256) != 64 || !isHex(q.SHA256)):
		return nil, fmt.Errorf("%q is not a SHA-256 (64 hex digits)", q.SHA256)
	}
	cat, err := a.List(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	out := &Found{Query: q, Disclosures: []Disclosure{}, NotCatalogued: cat.Missing}
	for _, e := range cat.Entries {
		for _, f := range e.Evidence {
			if q.SHA256 != "" && f.SHA256 != q.SHA256 || q.Evidence != "" && !strings.EqualFold(f.Evidence, q.Evidence) {
				continue
			}
			out.Disclosures = append(out.Disclosures, Disclosure{
				Package: e.ID, Short: e.Short(), Name: e.Name, Submission: e.Submission, Edition: e.Edition, Version: e.Version,
				BaggingDate: e.BaggingDate, StoredAt: e.StoredAt.Format("2006-01-02T15:04:05Z"), File: f, Included: !f.Withheld,
			})
		}
	}
	return out, nil
}
