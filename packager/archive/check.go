package archive

import (
	"context"
	"fmt"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/packager/verify"
)

// signedPDFs are the payload PDFs whose embedded signatures are checked,
// as casepack verify checks them.
var signedPDFs = submission.SignedPDFs()

// CheckOptions tune how packages are checked (add, audit, get, sync).
type CheckOptions struct {
	// Trust decides which signers count as trusted.
	Trust []sign.TrustAnchor
	// RequireSignature makes "no valid, trusted signature" a failure.
	RequireSignature bool
	// Workers is how many files are hashed at once (default: CPUs).
	Workers int
	// EveryDigest recomputes every payload file's SHA-512 too
	// (verify.Options.EveryDigest).
	EveryDigest bool
	// Progress receives hashing progress (see verify.Options.Progress).
	Progress func(digest.Progress)
}

// Check is the outcome of checking one package: every file re-hashed as
// casepack verify re-hashes it, every signature verified, its identity
// recomputed.
type Check struct {
	Integrity  *verify.Report `json:"integrity"`
	Signatures *sign.Report   `json:"signatures"`
	// ID is the identity recomputed from the package's files (zero when
	// its tag manifest or signatures cannot be read).
	ID ID `json:"-"`
}

// Intact reports whether the package passed: no error finding.
func (c *Check) Intact() bool { return c.Integrity.Intact() }

// checkPackage verifies pkg the way casepack verify does and recomputes
// its ID. Findings from the signature check are merged into Integrity.
func checkPackage(ctx context.Context, pkg *verify.Package, opt CheckOptions) (*Check, error) {
	rep, err := verify.Verify(ctx, pkg, verify.Options{Workers: opt.Workers, EveryDigest: opt.EveryDigest, Progress: opt.Progress})
	if err != nil {
		return nil, err
	}
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{Trust: opt.Trust, RequireSignature: opt.RequireSignature, PDFs: signedPDFs})
	if err != nil {
		return nil, err
	}
	rep.Add(sigs.Findings...)
	c := &Check{Integrity: rep, Signatures: sigs}
	if id, err := Identify(pkg.FS()); err == nil {
		c.ID = id
	}
	return c, nil
}

// identityFinding compares a recomputed ID with the one a package is
// stored under.
func identityFinding(want, got ID) []finding.Finding {
	switch {
	case got == want:
		return nil
	case got.Root != want.Root:
		return []finding.Finding{{Code: finding.ArchiveIdentity, Severity: finding.Error, Path: "tagmanifest-sha256.txt", Algorithm: "sha256", Expected: want.Root, Actual: got.Root,
			Message: "the tag manifest is not the one the package was stored with (its SHA-256 is part of the package ID)"}}
	default:
		return []finding.Finding{{Code: finding.ArchiveIdentity, Severity: finding.Error, Path: "signatures/", Algorithm: "sha256", Expected: want.Sigs, Actual: got.Sigs,
			Message: "the signature files are not the ones the package was stored with (a signature was added, removed or changed)"}}
	}
}

// hashObject streams an object and returns its SHA-256 and size.
func hashObject(ctx context.Context, a *Archive, key string) (string, int64, error) {
	rc, err := a.st.Open(ctx, key)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	d, err := digest.ReadSHA256(ctx, rc)
	if err != nil {
		return "", d.Size, fmt.Errorf("read %s: %w", key, err)
	}
	return d.SHA256, d.Size, nil
}
