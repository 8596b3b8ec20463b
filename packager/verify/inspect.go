package verify

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/fault"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/bag"
)

// Summary is what Inspect tells about a package without checking it. Its
// JSON field names are part of `casepack inspect --format json`.
type Summary struct {
	Package            string      `json:"package"`
	Kind               string      `json:"kind"` // "folder" or "zip"
	Name               string      `json:"name"`
	SubmissionID       string      `json:"submission_id"`
	Edition            string      `json:"edition"`
	BaggingDate        string      `json:"bagging_date"`
	SourceOrganization string      `json:"source_organization,omitempty"`
	CasepackVersion    string      `json:"casepack_version,omitempty"`
	PayloadOxum        string      `json:"payload_oxum,omitempty"`
	PayloadFiles       int         `json:"payload_files"`
	PayloadBytes       int64       `json:"payload_bytes"`
	TagFiles           int         `json:"tag_files"`
	EvidenceItems      int         `json:"evidence_items"`
	EvidenceFiles      int         `json:"evidence_files"`
	WithheldFiles      int         `json:"withheld_files"`
	TagManifestSHA256  string      `json:"tag_manifest_sha256"` // SHA-256 of tagmanifest-sha256.txt: the bytes signatures sign
	Signatures         []string    `json:"signatures"`          // files under signatures/
	BagInfo            []bag.Field `json:"bag_info"`
}

// Inspect reads a package's metadata: bag-info.txt, casepack/manifest.json
// and the file listing. It hashes only tagmanifest-sha256.txt and verifies
// nothing; run Verify for that. It fails only when the package has no
// readable bag-info.txt or tag manifest.
func Inspect(pkg *Package) (*Summary, error) {
	fsys := pkg.FS()
	s := &Summary{Package: pkg.Path(), Kind: pkg.kind, Name: pkg.Name(), Signatures: []string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(p, "data/"):
			s.PayloadFiles++
			s.PayloadBytes += info.Size()
		case strings.HasPrefix(p, "signatures/"):
			s.Signatures = append(s.Signatures, strings.TrimPrefix(p, "signatures/"))
		default:
			s.TagFiles++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Path(), err)
	}
	slices.Sort(s.Signatures)

	b, err := readLimited(fsys, "bag-info.txt", maxBagInfo)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Path(), err)
	}
	if s.BagInfo, err = bag.ParseBagInfo(b); err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Path(), err)
	}
	s.SubmissionID, _ = bag.Lookup(s.BagInfo, bag.LabelExternalID)
	s.Edition, _ = bag.Lookup(s.BagInfo, bag.LabelEdition)
	s.BaggingDate, _ = bag.Lookup(s.BagInfo, bag.LabelBaggingDate)
	s.SourceOrganization, _ = bag.Lookup(s.BagInfo, bag.LabelSourceOrg)
	s.CasepackVersion, _ = bag.Lookup(s.BagInfo, bag.LabelVersion)
	s.PayloadOxum, _ = bag.Lookup(s.BagInfo, bag.LabelPayloadOxum)

	// Whole or not at all: a digest of a truncated manifest would name
	// bytes nobody signed.
	tm, err := readLimited(fsys, bag.TagManifestName(bag.SHA256), maxManifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Path(), fault.IO(bag.TagManifestName(bag.SHA256), err))
	}
	s.TagManifestSHA256 = digest.SHA256(tm)

	// The casepack manifest is optional here: a plain BagIt bag inspects too.
	if b, err := readLimited(fsys, bag.CasepackManifestPath, maxCasepackM); err == nil {
		if m, err := bag.ParseCasepackManifest(b); err == nil {
			s.EvidenceItems = len(m.Evidence)
			for _, it := range m.Evidence {
				for _, f := range it.Files {
					s.EvidenceFiles++
					if f.Withheld {
						s.WithheldFiles++
					}
				}
			}
			if s.SubmissionID == "" {
				s.SubmissionID = m.SubmissionID
			}
			if s.Edition == "" {
				s.Edition = m.Edition
			}
		}
	}
	return s, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fault.IO(name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fault.IO(name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return b, nil
}
