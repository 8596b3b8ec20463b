package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/packager/verify"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "verify",
		Usage:     "recompute every digest and check every signature of a package; name each change",
		ArgsUsage: "PKG",
		Description: "PKG is a package folder or its .zip (read in place, never extracted), or a\n" +
			"package inside an archive: ROOT/ID or s3://bucket/prefix/ID (see casepack archive).\n" +
			"Every file is re-hashed with SHA-256 and SHA-512; every missing, added or\n" +
			"modified file is named, with the expected and actual digest. Signatures\n" +
			"are reported as valid and trusted, valid but untrusted, or invalid.\n" +
			"Exit 0 when the package is intact, 4 when it is not.",
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "trust", Usage: "trust signatures by this public key, certificate or CA certificate (PEM; repeatable)"},
			&cli.BoolFlag{Name: "require-signature", Usage: "fail unless at least one signature is valid and trusted"},
			&countFlag{Name: "workers", Validator: nonNegative("--workers"), Usage: "files hashed at once (default: number of CPUs)"},
			&cli.BoolFlag{Name: "no-progress", Usage: "do not draw a progress bar"},
			formatFlag(),
			quietFlag(),
		}, s3Flags()...), // for a package inside an s3:// archive
		Action: runVerify,
	})
}

type verifyCheck = verify.Check

// signedPDFs are the payload PDFs whose embedded signatures verify checks:
// the narrative, which build signs with an X.509 credential.
var signedPDFs = []string{submission.NarrativePath}

// verifyOutput is the JSON object of `verify --format json`.
type verifyOutput struct {
	Intact       bool                   `json:"intact"`
	Integrity    *verify.Report         `json:"integrity"`
	Signatures   []sign.SignatureResult `json:"signatures"`
	TrustedValid int                    `json:"trusted_valid"`
}

func runVerify(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "PKG")
	if err != nil {
		return err
	}
	trust, err := loadTrust(cmd.StringSlice("trust"))
	if err != nil {
		return err
	}
	if root, id, ok := archiveTarget(path); ok {
		return runVerifyArchived(ctx, cmd, format, root, id, trust)
	}
	pkg, err := openPackage(path)
	if err != nil {
		if format == "json" && exitCode(err) == exitVerifyFail {
			// Not a package: still one JSON object, with the finding.
			code := finding.BagBagit
			if strings.HasSuffix(strings.ToLower(path), ".zip") {
				code = finding.ZipUnsafe
			}
			rep := &verify.Report{Package: path, Findings: []finding.Finding{{Code: code, Severity: finding.Error, Message: message(err)}}}
			_ = writeJSON(cmd.Root().Writer, verifyOutput{Intact: false, Integrity: rep, Signatures: []sign.SignatureResult{}})
		}
		return err
	}
	defer pkg.Close()
	vopt := verify.Options{Workers: int(cmd.Int("workers"))}
	var bar *progressBar
	if format == "text" && !cmd.Bool("no-progress") && !cmd.Bool("quiet") && stderrIsTerminal() {
		bar = newProgressBar(cmd.Root().ErrWriter)
		vopt.Progress = bar.phase("checking")
	}
	rep, err := verify.Verify(ctx, pkg, vopt)
	bar.finish(err == nil)
	if err != nil {
		return err
	}
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{Trust: trust, RequireSignature: cmd.Bool("require-signature"), PDFs: signedPDFs})
	if err != nil {
		return err
	}
	rep.Add(sigs.Findings...)
	out := verifyOutput{Intact: rep.Intact(), Integrity: rep, Signatures: sigs.Signatures, TrustedValid: sigs.TrustedValid}
	if out.Signatures == nil {
		out.Signatures = []sign.SignatureResult{}
	}
	if format == "json" {
		if err := writeJSON(cmd.Root().Writer, out); err != nil {
			return err
		}
	} else {
		printVerify(cmd.Root().Writer, cmd.Root().ErrWriter, rep, sigs, cmd.Bool("quiet"))
	}
	if !out.Intact {
		return silentExit(exitVerifyFail)
	}
	return nil
}

func openPackage(path string) (*verify.Package, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, withHint(exitOperational, fmt.Errorf("%s: no such package folder or .zip", path), "give the package folder (out/<submission>_<edition>) or its .zip")
	}
	if err == nil && fi.IsDir() {
		// A folder with neither bagit.txt nor bag-info.txt is not a damaged
		// package but the wrong folder.
		_, e1 := os.Stat(filepath.Join(path, "bagit.txt"))
		_, e2 := os.Stat(filepath.Join(path, "bag-info.txt"))
		if e1 != nil && e2 != nil {
			return nil, withHint(exitVerifyFail, fmt.Errorf("%s: not a package (no bagit.txt or bag-info.txt in it)", path),
				"a package is the folder casepack build wrote (out/<submission>_<edition>), or its .zip")
		}
	}
	pkg, err := verify.Open(path)
	if errors.Is(err, verify.ErrNotPackage) {
		return nil, withHint(exitVerifyFail, fmt.Errorf("%s: not a package folder or .zip", path), "a package is a folder holding bagit.txt, or a .zip of one")
	}
	return pkg, err
}

func loadTrust(files []string) ([]sign.TrustAnchor, error) {
	var out []sign.TrustAnchor
	for _, f := range files {
		a, err := sign.LoadTrustFile(f)
		if err != nil {
			if _, serr := os.Stat(f); serr != nil {
				return nil, withHint(exitUsage, fmt.Errorf("--trust %s: no such file", f), "give the path of a PEM public key or certificate")
			}
			return nil, withHint(exitUsage, fmt.Errorf("--trust %s: not a public key or certificate casepack can read", f),
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

func printVerify(stdout, stderr io.Writer, rep *verify.Report, sigs *sign.Report, quiet bool) {
	printFindings(stderr, rep.Findings, quiet, rep.Package)
	if quiet && rep.Intact() {
		return
	}
	for _, s := range sigs.Signatures {
		who := []string{}
		if s.Signer != nil {
			for _, x := range []string{s.Signer.Name, s.Signer.Role, s.Signer.Organisation} {
				if x != "" {
					who = append(who, x)
				}
			}
		}
		id := s.KeyFingerprint
		if s.CertificateSubject != "" {
			id = s.CertificateSubject
		}
		if id == "" {
			id = "signer unknown"
		}
		format := s.Format
		if format == "" {
			format = "unknown format"
		}
		line := fmt.Sprintf("signature %s: %s (%s", s.ID, statusWords(s.Status), format)
		if len(who) > 0 {
			line += ", " + strings.Join(who, ", ")
		}
		line += ", " + id + ")"
		if !s.Time.IsZero() {
			line += fmt.Sprintf(", signed %s (%s)", s.Time.UTC().Format("2006-01-02 15:04:05Z"), timeSourceWords(s.TimeSource))
		}
		if s.Timestamp != nil && s.Timestamp.Status == sign.StatusInvalid {
			line += ", TIME-STAMP INVALID"
		}
		if s.TrustedBy != "" {
			line += ", trusted via " + s.TrustedBy
		}
		fmt.Fprintln(stdout, line)
	}
	trusted := 0
	for _, s := range sigs.Signatures {
		if s.Status == sign.StatusValidTrusted {
			trusted++
		}
	}
	state := "intact"
	if !rep.Intact() {
		state = "FAILED verification"
	}
	fmt.Fprintf(stdout, "%s: %s (%d files, %s checked; %s, %s; %d signature(s), %d valid and trusted)\n",
		rep.Package, state, rep.Files, humanBytes(rep.Bytes), plural(len(rep.Errors()), "error"), plural(len(rep.Warnings()), "warning"),
		len(sigs.Signatures), trusted)
}

// timeSourceWords says where a signing time comes from, in words.
func timeSourceWords(src string) string {
	switch src {
	case "timestamp":
		return "trusted time-stamp"
	case "untrusted_timestamp":
		return "time-stamp from an authority not trusted (use --trust)"
	case "claimed":
		return "the signer's own clock"
	}
	return src
}

func statusWords(s sign.Status) string {
	switch s {
	case sign.StatusValidTrusted:
		return "valid, trusted signer"
	case sign.StatusValidUntrusted:
		return "valid, but the signer is not trusted (use --trust)"
	}
	return "INVALID"
}
