package sign

import (
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"io/fs"
	"strconv"
	"strings"
)

// Folder and file names of the package that this package reads and writes.
const (
	// SignaturesDir is the folder, at the bag root, holding every signature file.
	SignaturesDir = "signatures"
	// SignedFile is the file every signature signs, byte for byte.
	SignedFile = "tagmanifest-sha256.txt"
)

// Extensions of the files in one signature group.
const (
	ExtEd25519      = ".sig"      // raw Ed25519 signature over SignedFile
	ExtPublicKey    = ".pub.pem"  // the Ed25519 signer's public key
	ExtCMS          = ".p7s"      // DER CMS detached signature over SignedFile
	ExtLabel        = ".json"     // the signer's label
	ExtLabelEd25519 = ".json.sig" // Ed25519 signature over the label
	ExtLabelCMS     = ".json.p7s" // CMS signature over the label
	ExtTimestamp    = ".tsr"      // RFC 3161 response over the .sig or .p7s bytes
)

// fileKinds lists the extensions longest first so ".json.sig" wins over ".sig".
var fileKinds = []string{ExtLabelEd25519, ExtLabelCMS, ExtPublicKey, ExtEd25519, ExtCMS, ExtLabel, ExtTimestamp}

const (
	maxSeq     = 999999
	maxSlugLen = 64
)

// sigName is a parsed signature file name: <seq>-<slug><ext>.
type sigName struct {
	Seq  int
	Slug string
	Ext  string
}

// ID is the group name shared by all files of one signature, e.g. "1-alice".
func (n sigName) ID() string { return strconv.Itoa(n.Seq) + "-" + n.Slug }

// parseSigName parses a base name from signatures/. It accepts only the
// canonical form casepack writes (no leading zeros, lowercase slug), so one
// signature has exactly one spelling.
func parseSigName(name string) (sigName, bool) {
	dash := strings.IndexByte(name, '-')
	if dash < 1 || dash > 6 {
		return sigName{}, false
	}
	num := name[:dash]
	if num[0] == '0' {
		return sigName{}, false
	}
	seq := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return sigName{}, false
		}
		seq = seq*10 + int(c-'0')
	}
	rest := name[dash+1:]
	dot := strings.IndexByte(rest, '.')
	if dot < 1 {
		return sigName{}, false
	}
	slug, ext := rest[:dot], rest[dot:]
	if !validSlug(slug) {
		return sigName{}, false
	}
	for _, k := range fileKinds {
		if ext == k {
			return sigName{Seq: seq, Slug: slug, Ext: ext}, true
		}
	}
	return sigName{}, false
}

// validSlug: lowercase ASCII letters, digits and inner single hyphens.
func validSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	prevDash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevDash = false
		case c == '-':
			if prevDash {
				return false
			}
			prevDash = true
		default:
			return false
		}
	}
	return true
}

// NextSeq returns the number the next signature in fsys (a bag root) gets:
// one more than the highest number in signatures/, or 1. Files that are not
// signature files do not count (verification reports them).
func NextSeq(fsys fs.FS) (int, error) {
	entries, err := fs.ReadDir(fsys, SignaturesDir)
	if err != nil {
		if isNotExist(err) {
			return 1, nil
		}
		return 0, fmt.Errorf("cannot read %s: %s", SignaturesDir, fault.Describe(err))
	}
	hi := 0
	for _, e := range entries {
		if n, ok := parseSigName(e.Name()); ok && n.Seq > hi {
			hi = n.Seq
		}
	}
	if hi >= maxSeq {
		return 0, fmt.Errorf("%s: signature numbers exhausted", SignaturesDir)
	}
	return hi + 1, nil
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}

// IsSignatureFile reports whether name (a base name in signatures/) is one
// casepack writes for a signature: what a replaced package may hold there.
func IsSignatureFile(name string) bool {
	_, ok := parseSigName(name)
	return ok
}
