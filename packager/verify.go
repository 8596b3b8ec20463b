package packager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/packager/verify"
)

// signedPDFs are the payload PDFs whose embedded signatures are checked:
// the narratives (one per language), which build signs with an X.509
// credential.
var signedPDFs = submission.SignedPDFs()

func verifyPackage(ctx context.Context, path string, opt VerifyOptions) (*VerifyReport, error) {
	if root, id, ok := archiveTarget(path); ok {
		return verifyArchived(ctx, root, id, opt)
	}
	pkg, err := openPackage(path, opt.Warn)
	if err != nil {
		if fault.ClassOf(err) == fault.Verification {
			// Not a package: still one report, with the finding.
			code := finding.BagBagit
			if strings.HasSuffix(strings.ToLower(path), ".zip") {
				code = finding.ZipUnsafe
			}
			rep := &verify.Report{Package: path, Findings: []finding.Finding{{Code: code, Severity: finding.Error, Message: err.Error()}}}
			return &VerifyReport{Integrity: rep, Signatures: []sign.SignatureResult{}}, err
		}
		return nil, err
	}
	defer pkg.Close()
	rep, err := verify.Verify(ctx, pkg, verify.Options{Workers: opt.Workers, EveryDigest: opt.EveryDigest, Progress: opt.Progress})
	if err != nil {
		return nil, err
	}
	// A bag another tool made has no casepack signatures to check; only a
	// demand for one (--require-signature, or signers to trust) makes their
	// absence a finding, as it does for a package.
	sigs := &sign.Report{}
	if !rep.PlainBag() || opt.SignatureRequired() {
		sigs, err = sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{Trust: opt.Trust, RequireSignature: opt.SignatureRequired(), PDFs: signedPDFs})
		if err != nil {
			return nil, err
		}
	}
	rep.Add(sigs.Findings...)
	return verifyReport(rep, sigs, opt)
}

// verifyReport is Verify's report on a package checked (its integrity
// report holding the signature findings too), with its verdict.
func verifyReport(rep *verify.Report, sigs *sign.Report, opt VerifyOptions) (*VerifyReport, error) {
	out := &VerifyReport{Intact: rep.Intact(), Integrity: rep, Signatures: sigs.Signatures, TrustedValid: sigs.TrustedValid, Trusted: len(opt.Trust) > 0}
	if out.Signatures == nil {
		out.Signatures = []sign.SignatureResult{}
	}
	return out, verdict(out)
}

// verdict is what a verification's report comes to: nil when the package
// is intact; "cannot read" (operational, exit 1) when the only errors are
// files the reader could not read, since nothing is known about them;
// otherwise ErrVerifyFailed (exit 4).
func verdict(out *VerifyReport) error {
	if out.Intact {
		return nil
	}
	if unread := verify.CannotRead(out.Integrity); len(unread) > 0 {
		return fault.New(fault.Operational, notVerified(out.Integrity.Package, unread), "check the files' permissions and the disk, then verify again")
	}
	return fault.New(fault.Verification, ErrVerifyFailed, "")
}

// notVerified says that files of the package could not be read, and that
// nothing else was found wrong (verify.Unread).
func notVerified(path string, unread []finding.Finding) error {
	return fmt.Errorf("%s: %s", path, verify.Unread(unread))
}

// settleWait is how long openPackage waits for a command that is putting a
// package in place right now (its two renames take microseconds).
const settleWait = 5 * time.Second

// openPackage opens a package folder or .zip, saying plainly when the path
// is not one. warn, if set, is told when a replacement an earlier build
// was stopped in had to be put right first.
func openPackage(path string, warn func(string)) (*verify.Package, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		clean := filepath.Clean(path)
		dir, name := filepath.Dir(clean), strings.TrimSuffix(filepath.Base(clean), ".zip")
		if atomicfs.Pending(dir, name) {
			// Where folders cannot be exchanged in one step, a build
			// stopped between its two renames leaves the package aside,
			// with a journal saying how to put it back (packager/FORMAT.md
			// §11): put it back now, as the next build would.
			rec, serr := atomicfs.Settle(dir, name, settleWait)
			if fi, err = os.Stat(path); err == nil && warn != nil && rec != atomicfs.Clean {
				warn(rec.Say(path))
			}
			if serr != nil && atomicfs.Pending(dir, name) {
				return nil, fault.New(fault.Operational, fmt.Errorf("%s: missing: a build was stopped while replacing it, and the previous version waits beside it to be put back; it could not be put back now (%v)", path, serr),
					"run the same 'casepack build' into that folder again, without --force, where that folder can be written: it first puts the previous version back (then stops, since the package exists)")
			}
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.New(fault.Operational, fmt.Errorf("%s: no such package folder or .zip", path), "give the package folder (out/<submission>_<edition>) or its .zip")
	}
	if err == nil && fi.IsDir() {
		// A folder with neither bagit.txt nor bag-info.txt is not a damaged
		// package but the wrong folder.
		_, e1 := os.Stat(filepath.Join(path, "bagit.txt"))
		_, e2 := os.Stat(filepath.Join(path, "bag-info.txt"))
		if e1 != nil && e2 != nil {
			return nil, fault.New(fault.Verification, fmt.Errorf("%s: not a package (no bagit.txt or bag-info.txt in it)", path),
				"a package is the folder casepack build wrote (out/<submission>_<edition>), or its .zip")
		}
	}
	pkg, err := verify.Open(path)
	if errors.Is(err, verify.ErrDamagedZip) {
		return nil, fault.New(fault.Verification, fmt.Errorf("%s: a damaged or incomplete ZIP: it starts as one, but the table of contents at its end is missing or unreadable (a copy or download cut short?)", path),
			"copy the package again from where it came from, compare the sizes, and verify the copy")
	}
	if errors.Is(err, verify.ErrNotPackage) {
		return nil, fault.New(fault.Verification, fmt.Errorf("%s: not a package folder or .zip", path), "a package is a folder holding bagit.txt, or a .zip of one")
	}
	return pkg, err
}

// TrustFileError is a trust file LoadTrust cannot use: the file as given
// and what is wrong with it, so that a front end that names files its own
// way (the web app names an upload by the name it was uploaded as) can say
// it in its own words.
type TrustFileError struct {
	File    string
	Problem string
}

func (e *TrustFileError) Error() string { return "--trust " + e.File + ": " + e.Problem }

// LoadTrust reads the public keys and certificates in PEM files, for
// VerifyOptions.Trust. A missing or unreadable file is a usage error.
func LoadTrust(files []string) ([]sign.TrustAnchor, error) {
	var out []sign.TrustAnchor
	for _, f := range files {
		a, err := sign.LoadTrustFile(f)
		var notFile *source.NotRegularError
		if errors.As(err, &notFile) {
			return nil, fault.New(fault.Usage, fmt.Errorf("--trust %w", notFile), "give the PEM file itself (a public key or certificate)")
		}
		if err != nil {
			if _, serr := os.Stat(f); serr != nil {
				return nil, fault.New(fault.Usage, &TrustFileError{File: f, Problem: "no such file"}, "give the path of a PEM public key or certificate")
			}
			return nil, fault.New(fault.Usage, &TrustFileError{File: f, Problem: "not a public key or certificate casepack can read"},
				"give a PEM public key (NAME.pub.pem from casepack keygen), a certificate or a CA certificate")
		}
		out = append(out, a...)
	}
	return out, nil
}

// signatureCheck plugs the signature verifier into the verifier's checks
// (build's verify-after-write uses it).
func signatureCheck(trust []sign.TrustAnchor, require bool) verify.Check {
	return func(_ context.Context, fsys fs.FS) ([]finding.Finding, error) {
		r, err := sign.VerifyPackage(fsys, sign.VerifyOptions{Trust: trust, RequireSignature: require, PDFs: signedPDFs})
		if err != nil {
			return nil, err
		}
		return r.Findings, nil
	}
}
