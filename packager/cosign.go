package packager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/verify"
)

func coSign(ctx context.Context, path string, opt CoSignOptions) (*CoSignReport, error) {
	if len(opt.Signers) == 0 {
		return nil, fault.Usagef("nothing to sign with: give --key KEY (and --cert CERT), or --p12 FILE")
	}
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	if err := checkBeforeSigning(ctx, path, warn); err != nil {
		return nil, err
	}
	warnSameKey(path, opt.Signers, warn)

	if err := checkDate(opt.Date); err != nil {
		return nil, err
	}
	res, err := sign.CoSign(ctx, path, opt.Signers, sign.CoSignOptions{Date: opt.Date, Warn: warn})
	if err != nil {
		switch {
		case errors.Is(err, sign.ErrTSA):
			return nil, fault.New(fault.Operational, fmt.Errorf("%w; nothing was added", err), "check the --tsa URL and the network, or sign without --tsa")
		case errors.Is(err, sign.ErrNotPackage):
			return nil, fault.New(fault.Verification, err, "a package is a folder holding bagit.txt, or a .zip of one")
		}
		var fe *fault.Error
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fmt.Errorf("%w; nothing was added", err)
	}

	// Verify what was written, as build does: the new signatures must check out.
	pkg, err := openPackage(path, nil)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	after, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return nil, err
	}
	rep := &CoSignReport{Package: path, Files: res.Files, Signatures: len(after.Signatures)}
	for _, id := range res.IDs {
		r, ok := findResult(after, id)
		if !ok || r.Status == sign.StatusInvalid {
			return nil, fault.New(fault.Verification, fmt.Errorf("%s: the new signature %s does not verify after writing: %s", path, id, r.Problem), "")
		}
		rep.Added = append(rep.Added, SignatureAdded{ID: id, Format: r.Format, KeyFingerprint: r.KeyFingerprint,
			CertificateSubject: r.CertificateSubject, Timestamped: r.Timestamp != nil})
	}
	warnTwin(path, warn)
	return rep, nil
}

// warnTwin says when the package has a twin the co-sign did not touch: a
// build with --zip writes the folder and its ZIP as one package, and a
// signature added to one of them is missing from the other, which a user
// may send instead.
func warnTwin(path string, warn func(string)) {
	clean := filepath.Clean(path)
	twin, isZip := strings.CutSuffix(clean, ".zip")
	if !isZip {
		twin = clean + ".zip"
	}
	if _, err := os.Lstat(twin); err == nil {
		warn(fmt.Sprintf("%s beside it does not carry the new signature: sign it too (casepack sign … %s), or send only the one you signed", twin, twin))
	}
}

func findResult(r *sign.Report, id string) (sign.SignatureResult, bool) {
	for _, s := range r.Signatures {
		if s.ID == id {
			return s, true
		}
	}
	return sign.SignatureResult{}, false
}

// warnSameKey says when a key has signed the package already: signing again
// adds nothing but a time-stamp, which may be the point (--tsa), so it is a
// warning, not a refusal.
func warnSameKey(path string, signers []*sign.Signer, warn func(string)) {
	pkg, err := openPackage(path, nil)
	if err != nil {
		return
	}
	defer pkg.Close()
	before, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return
	}
	for _, s := range signers {
		fp, err := sign.Fingerprint(s.Cred.Signer.Public())
		if err != nil {
			continue
		}
		for _, r := range before.Signatures {
			if r.KeyFingerprint == fp && r.Format != sign.FormatPDF {
				warn(fmt.Sprintf("%s: this key already signed the package (signature %s); adding another signature by it", path, r.ID))
			}
		}
	}
}

// checkBeforeSigning refuses a package that fails verification: a signature
// vouches for what is there, so a changed file or a broken earlier
// signature must be found before anyone signs over it. Untrusted earlier
// signers are fine; the co-signer need not know them.
func checkBeforeSigning(ctx context.Context, path string, warn func(string)) error {
	pkg, err := openPackage(path, warn)
	if err != nil {
		return err
	}
	defer pkg.Close()
	rep, err := verify.Verify(ctx, pkg, verify.Options{})
	if err != nil {
		return err
	}
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return err
	}
	rep.Add(sigs.Findings...)
	if rep.Intact() {
		return nil
	}
	var problems []string
	for _, f := range rep.Errors() {
		problems = append(problems, f.String())
		if len(problems) == 5 {
			problems = append(problems, "…")
			break
		}
	}
	return fault.New(fault.Verification,
		fmt.Errorf("%s failed verification; it was not signed:\n  %s", path, strings.Join(problems, "\n  ")),
		"run: casepack verify "+path)
}

func inspect(_ context.Context, path string) (*InspectReport, error) {
	pkg, err := openPackage(path, nil)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	s, err := verify.Inspect(pkg)
	if err != nil {
		return nil, err
	}
	if s.Signatures == nil {
		s.Signatures = []string{}
	}
	// Signers as the signature files describe them; inspect does not
	// judge trust (verify --trust does).
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{PDFs: signedPDFs})
	if err != nil {
		return nil, err
	}
	rep := &InspectReport{Summary: s, Signers: []InspectSigner{}}
	for _, r := range sigs.Signatures {
		is := InspectSigner{ID: r.ID, Format: r.Format, Fingerprint: r.KeyFingerprint, Certificate: r.CertificateSubject, Valid: r.Status != sign.StatusInvalid}
		if r.Signer != nil {
			is.Name, is.Role, is.Organisation = r.Signer.Name, r.Signer.Role, r.Signer.Organisation
		}
		if !r.Time.IsZero() {
			is.Time = r.Time.UTC().Format(time.RFC3339)
			is.TimeSource = r.TimeSource
		}
		rep.Signers = append(rep.Signers, is)
	}
	return rep, nil
}
