package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrNoPackage matches a *NoPackageError.
var ErrNoPackage = errors.New("no such package")

// NoPackageError is a query that names no stored package.
type NoPackageError struct {
	Root, Query string
	ByID        bool // the query was an ID prefix, not a name
}

func (e *NoPackageError) Error() string {
	if e.ByID {
		return fmt.Sprintf("no package ID in %s starts with %s", e.Root, e.Query)
	}
	return fmt.Sprintf("nothing in %s is called %q", e.Root, e.Query)
}

// Is makes errors.Is(err, ErrNoPackage) hold.
func (e *NoPackageError) Is(target error) bool { return target == ErrNoPackage }

// AmbiguousError is a query that names more than one stored package.
type AmbiguousError struct {
	Query   string
	Matches []string // short IDs, with what tells them apart
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q matches %d packages: %s", e.Query, len(e.Matches), strings.Join(e.Matches, ", "))
}

// minPrefix is the shortest ID prefix accepted: shorter ones match by
// accident.
const minPrefix = 6

// parseQuery splits "<root prefix>[-<sigs prefix>]" when the query is one.
func parseQuery(q string) (root, sigs string, ok bool) {
	root, sigs, _ = strings.Cut(strings.ToLower(q), "-")
	if len(root) < minPrefix || len(root) > 64 || len(sigs) > 64 || !isHex(root) || !isHex(sigs) {
		return "", "", false
	}
	return root, sigs, true
}

// Resolve finds the stored package a query names: a full ID, a unique
// prefix of one (at least 6 hex digits of the root digest, optionally
// "-" and a prefix of the signature set), or a package name
// (e.g. LV-2021-001_confidential) when only one version of it is stored.
func (a *Archive) Resolve(ctx context.Context, query string) (ID, error) {
	if root, sigs, ok := parseQuery(query); ok {
		var ids []ID
		for fi, err := range a.st.List(ctx, PackagesPrefix+root) {
			if err != nil {
				return ID{}, err
			}
			if id, ok := idFromRecordKey(fi.Key); ok && strings.HasPrefix(id.Sigs, sigs) {
				ids = append(ids, id)
			}
		}
		switch len(ids) {
		case 1:
			return ids[0], nil
		case 0:
			return ID{}, &NoPackageError{Root: a.Root(), Query: query, ByID: true}
		}
		slices.SortFunc(ids, func(x, y ID) int { return strings.Compare(x.String(), y.String()) })
		amb := &AmbiguousError{Query: query}
		for _, id := range ids {
			amb.Matches = append(amb.Matches, id.Short())
		}
		return ID{}, amb
	}
	cat, err := a.List(ctx, ListOptions{})
	if err != nil {
		return ID{}, err
	}
	e, err := resolveIn(cat, query)
	if err != nil {
		return ID{}, err
	}
	return ParseID(e.ID)
}

// resolveIn resolves a query against a catalogue.
func resolveIn(cat *Catalogue, query string) (*Entry, error) {
	var hits []*Entry
	root, sigs, isID := parseQuery(query)
	for _, e := range cat.Entries {
		if isID && strings.HasPrefix(e.RootDigest, root) && strings.HasPrefix(e.SignatureSet, sigs) ||
			!isID && (e.Name == query || e.Name+".zip" == query) {
			hits = append(hits, e)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return nil, &NoPackageError{Root: cat.Root, Query: query, ByID: isID}
	}
	amb := &AmbiguousError{Query: query}
	for _, e := range hits {
		amb.Matches = append(amb.Matches, fmt.Sprintf("%s (version %d, %d signature(s), stored %s)", e.Short(), e.Version, len(e.Signers), e.StoredAt.Format("2006-01-02 15:04Z")))
	}
	return nil, amb
}

func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than the %d bytes casepack reads", limit)
	}
	return b, nil
}
