package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/sign"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "verify",
		Usage:     "check every file against the manifests and every signature of a package; name each change",
		ArgsUsage: "PKG",
		Description: "PKG is a package folder or its .zip (read in place, never extracted), or a\n" +
			"package inside an archive: ROOT/ID or s3://bucket/prefix/ID (see casepack archive).\n" +
			"Every payload file is re-hashed with SHA-256 and checked against\n" +
			"manifest-sha256.txt, every tag file (manifest-sha512.txt among them) with\n" +
			"SHA-256 and SHA-512; --every-digest recomputes each payload file's SHA-512\n" +
			"too (RFC 8493's full validation, about three times the CPU time). Every\n" +
			"missing, added or modified file is named, with the expected and actual\n" +
			"digest. Signatures\n" +
			"are reported as valid and trusted, valid but untrusted, or invalid.\n" +
			"A bag another tool made (BagIt 1.0, 0.97) is checked by RFC 8493's rules\n" +
			"and reported as a valid BagIt bag, not a casepack package.\n" +
			"Exit 0 when the package is intact, 4 when it is not, 1 when a file of it\n" +
			"cannot be read (permission denied, a disk error) and nothing else is wrong.",
		Flags: append(append(trustFlags(),
			&cli.BoolFlag{Name: "require-signature", Usage: "fail unless at least one signature is valid and trusted (always so with --trust)"},
			&cli.BoolFlag{Name: "every-digest", Usage: "recompute every payload file's SHA-512 as well as its SHA-256 (RFC 8493's full validation; slower)"},
			workersFlag(), progressFlag(), formatFlag(), quietFlag(),
		), s3Flags()...), // for a package inside an s3:// archive
		Action: runVerify,
	})
}

func runVerify(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "PKG")
	if err != nil {
		return err
	}
	trust, err := packager.LoadTrust(cmd.StringSlice("trust"))
	if err != nil {
		return err
	}
	opt := packager.VerifyOptions{Trust: trust, RequireSignature: cmd.Bool("require-signature"), EveryDigest: cmd.Bool("every-digest"), Workers: cmd.Int("workers"), S3: s3Config(cmd),
		Warn: func(msg string) { warnf(cmd.Root().ErrWriter, "%s", msg) }}
	bar := progressFor(cmd, format)
	opt.Progress = bar.phase("checking")
	rep, err := packager.Verify(ctx, path, opt)
	bar.finish(err == nil)
	switch {
	case rep == nil:
		return err
	case format == "json":
		if jerr := writeJSON(cmd.Root().Writer, rep); jerr != nil {
			return jerr
		}
		return reported(err)
	case err != nil && !errors.Is(err, packager.ErrVerifyFailed):
		return err // not a package: the error says so
	}
	printVerify(cmd.Root().Writer, cmd.Root().ErrWriter, rep, cmd.Bool("quiet"))
	return reported(err)
}

func printVerify(stdout, stderr io.Writer, vr *packager.VerifyReport, quiet bool) {
	rep := vr.Integrity
	printFindings(stderr, rep.Findings, quiet, rep.Package)
	if quiet && rep.Intact() {
		return
	}
	for _, s := range vr.Signatures {
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
		line := fmt.Sprintf("signature %s: %s (%s", s.ID, statusWords(s.Status, vr.Trusted), format)
		if len(who) > 0 {
			line += ", " + strings.Join(who, ", ")
		}
		line += ", " + id + ")"
		if !s.Time.IsZero() {
			line += fmt.Sprintf(", signed %s (%s)", s.Time.UTC().Format("2006-01-02 15:04:05Z"), timeSourceWords(s.TimeSource, vr.Trusted))
		}
		if s.Timestamp != nil && s.Timestamp.Status == sign.StatusInvalid {
			line += ", TIME-STAMP INVALID"
		}
		if s.TrustedBy != "" {
			line += ", trusted via " + s.TrustedBy
		}
		fmt.Fprintln(stdout, termsafe.Line(line)) // a signer's label is the package's text
	}
	trusted := 0
	for _, s := range vr.Signatures {
		if s.Status == sign.StatusValidTrusted {
			trusted++
		}
	}
	state := "intact"
	switch {
	case rep.PlainBag() && rep.Intact():
		state = "valid BagIt bag, not a casepack package"
	case rep.PlainBag():
		state = "FAILED verification as a BagIt bag (not a casepack package)"
	case !rep.Intact():
		state = "FAILED verification"
	}
	sigs := fmt.Sprintf("; %d signature(s), %d valid and trusted", len(vr.Signatures), trusted)
	if rep.PlainBag() {
		sigs = "" // another tool's bag carries no casepack signatures
	}
	fmt.Fprintf(stdout, "%s: %s (%d files, %s checked; %s, %s%s)%s\n",
		termsafe.Line(rep.Package), state, rep.Files, humanize.Bytes(rep.Bytes), humanize.Count(len(rep.Errors()), "error"), humanize.Count(len(rep.Warnings()), "warning"),
		sigs, originWords(len(vr.Signatures), trusted, vr.Trusted))
}

// originWords ends the summary line when no trusted signer vouches for the
// package: intact files prove nothing about who made them, since whoever
// altered a package can rewrite its manifests too. A reader who stops at
// the last line must not take "intact" for "authentic".
func originWords(signatures, trusted int, trustGiven bool) string {
	switch {
	case trusted > 0:
		return ""
	case signatures == 0 && trustGiven:
		return "; NOT SIGNED, so not by anyone you trust"
	case signatures == 0:
		return "; NOT SIGNED: nothing shows who made it"
	case trustGiven:
		return "; NO SIGNATURE BY A TRUSTED SIGNER: none is by a key or certificate given with --trust"
	}
	return "; who signed it is NOT VERIFIED: give the signer's public key with --trust"
}

// timeSourceWords says where a signing time comes from, in words.
func timeSourceWords(src string, trustGiven bool) string {
	switch src {
	case "timestamp":
		return "trusted time-stamp"
	case "untrusted_timestamp":
		if trustGiven {
			return "time-stamp from an authority none of the --trust files vouches for"
		}
		return "time-stamp from an authority not trusted (use --trust)"
	case "claimed":
		return "the signer's own clock"
	}
	return src
}

func statusWords(s sign.Status, trustGiven bool) string {
	switch {
	case s == sign.StatusValidTrusted:
		return "valid, trusted signer"
	case s == sign.StatusValidUntrusted && trustGiven:
		return "valid, but NOT by a key or certificate given with --trust"
	case s == sign.StatusValidUntrusted:
		return "valid, but the signer is not trusted (use --trust)"
	}
	return "INVALID"
}
