package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/sign"
)

// ID identifies a stored package: Root is the SHA-256 of its
// tagmanifest-sha256.txt (the bytes every signature signs, the "root
// digest" casepack inspect shows) and Sigs the SHA-256 of its signature set
// (see SignatureSetDigest). A co-signed package keeps Root and gets a new
// Sigs.
type ID struct {
	Root string
	Sigs string
}

// String is the full ID, "<root>-<sigs>" (129 characters).
func (id ID) String() string { return id.Root + "-" + id.Sigs }

// Short is the ID as lists show it: 12 + 4 hex digits, enough to tell
// packages apart in any real archive; Resolve accepts any unique prefix.
func (id ID) Short() string { return id.Root[:12] + "-" + id.Sigs[:4] }

func (id ID) dir() string { return PackagesPrefix + id.Root + "/" + id.Sigs + "/" }

func (id ID) recordKey() string { return id.dir() + recordName }

func (id ID) entryKey() string { return entriesPrefix + id.String() + ".json" }

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseID reads a full ID.
func ParseID(s string) (ID, error) {
	r, g, ok := strings.Cut(s, "-")
	if !ok || len(r) != 64 || len(g) != 64 || !isHex(r) || !isHex(g) {
		return ID{}, fmt.Errorf("%q is not a package ID (<64 hex>-<64 hex>)", s)
	}
	return ID{Root: r, Sigs: g}, nil
}

// idFromRecordKey reads packages/<root>/<sigs>/record.json.
func idFromRecordKey(key string) (ID, bool) {
	rest, ok := strings.CutPrefix(key, PackagesPrefix)
	if !ok {
		return ID{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[2] != recordName {
		return ID{}, false
	}
	id, err := ParseID(parts[0] + "-" + parts[1])
	return id, err == nil
}

// Limits on what identification reads from a package.
const (
	maxTagManifest = 256 << 20
	maxSigFile     = 1 << 20
	maxSigFiles    = 10000
)

// Identify computes a package's ID from its files: the SHA-256 of
// tagmanifest-sha256.txt and SignatureSetDigest of signatures/.
func Identify(fsys fs.FS) (ID, error) {
	h := sha256.New()
	f, err := fsys.Open(bag.TagManifestName(bag.SHA256))
	if err != nil {
		return ID{}, fmt.Errorf("the package has no readable %s: %w", bag.TagManifestName(bag.SHA256), err)
	}
	n, err := io.Copy(h, io.LimitReader(f, maxTagManifest+1))
	f.Close()
	if err != nil {
		return ID{}, fmt.Errorf("read %s: %w", bag.TagManifestName(bag.SHA256), err)
	}
	if n > maxTagManifest {
		return ID{}, fmt.Errorf("%s is larger than %d bytes", bag.TagManifestName(bag.SHA256), maxTagManifest)
	}
	sigs, err := SignatureSetDigest(fsys)
	if err != nil {
		return ID{}, err
	}
	return ID{Root: hex.EncodeToString(h.Sum(nil)), Sigs: sigs}, nil
}

// SignatureSetDigest is the SHA-256 of the lines
//
//	<sha256 of the file>  signatures/<name>\n
//
// for every regular file in signatures/, sorted by name: sha256sum's own
// line form, so coreutils recompute it (docs/ARCHIVE.md §2).
// A package without signatures has the digest of no lines, e3b0c442….
func SignatureSetDigest(fsys fs.FS) (string, error) {
	entries, err := fs.ReadDir(fsys, sign.SignaturesDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", sign.SignaturesDir, err)
	}
	if len(entries) > maxSigFiles {
		return "", fmt.Errorf("%s has more than %d files", sign.SignaturesDir, maxSigFiles)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	set := sha256.New()
	for _, name := range names {
		p := sign.SignaturesDir + "/" + name
		f, err := fsys.Open(p)
		if err != nil {
			return "", err
		}
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(f, maxSigFile+1))
		f.Close()
		if err != nil {
			return "", fmt.Errorf("read %s: %w", p, err)
		}
		if n > maxSigFile {
			return "", fmt.Errorf("%s is larger than %d bytes", p, maxSigFile)
		}
		fmt.Fprintf(set, "%x  %s\n", h.Sum(nil), p)
	}
	return hex.EncodeToString(set.Sum(nil)), nil
}
