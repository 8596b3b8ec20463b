package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/casepack/casepack/packager/sign"
	"github.com/urfave/cli/v3"
)

// Signing flags shared by `build` and `sign`. A private key or password is
// never taken as a flag value: keys come from files (mode 0600), passwords
// from a file or an environment variable.

func signerFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "key", Usage: "sign with this private key (PEM; repeat for several signers)"},
		&cli.StringFlag{Name: "cert", Usage: "X.509 certificate chain (PEM) for the --key: makes a CMS signature and signs the narrative PDF"},
		&cli.StringFlag{Name: "p12", Usage: "sign with a PKCS#12 credential (.p12/.pfx: key and certificate chain)"},
		&cli.StringFlag{Name: "password-file", Usage: "read the --p12 password from this file"},
		&cli.StringFlag{Name: "password-env", Usage: "read the --p12 password from this environment variable"},
		&cli.StringFlag{Name: "signer-name", Usage: "signer's name, recorded beside the signature"},
		&cli.StringFlag{Name: "role", Usage: "signer's role, e.g. \"Legal counsel\""},
		&cli.StringFlag{Name: "org", Usage: "signer's organisation"},
		&cli.StringFlag{Name: "tsa", Usage: "URL of an RFC 3161 time-stamp authority: adds a trusted time to each new signature"},
	}
}

// credentialError says in plain words why a key, certificate or PKCS#12
// file could not be used; the parsers' own words (ASN.1 tags, OIDs) mean
// nothing to a lawyer's IT.
func credentialError(err error, co sign.CredentialOptions) error {
	msg := err.Error()
	switch {
	case errors.Is(err, sign.ErrKeyMismatch):
		return withHint(exitUsage, err, "give the certificate that was issued for this private key")
	case errors.Is(err, sign.ErrEncryptedPEM):
		return withHint(exitUsage, err, "write an unencrypted copy, e.g. openssl pkey -in KEY -out KEY.pem, then chmod 600 KEY.pem")
	case co.P12File != "" && strings.Contains(msg, "wrong password"):
		return withHint(exitUsage, fmt.Errorf("%s: wrong password for the PKCS#12 file", co.P12File), "check --password-file or --password-env")
	case co.P12File != "":
		return withHint(exitUsage, fmt.Errorf("%s: not a PKCS#12 file casepack can read", co.P12File),
			"export the credential again as .p12/.pfx (private key and certificate chain), or give --key and --cert as PEM files")
	case co.CertFile != "" && strings.HasPrefix(msg, co.CertFile):
		return withHint(exitUsage, fmt.Errorf("%s: not a certificate chain casepack can read", co.CertFile),
			"give the signer's certificate and the CAs above it as PEM (-----BEGIN CERTIFICATE-----)")
	case strings.Contains(msg, "asn1:") || strings.Contains(msg, "x509:") || strings.Contains(msg, "PEM"):
		return withHint(exitUsage, fmt.Errorf("%s: not a private key casepack can read", co.KeyFile),
			"give a PEM private key (PKCS#8: Ed25519, ECDSA P-256 or RSA), such as NAME.key from casepack keygen")
	}
	return err
}

// readHead reads at most n bytes of a file.
func readHead(name string, n int64) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n))
	return string(b), err
}

// signersFromFlags builds the signers the flags ask for. The first X.509
// credential also signs the narrative PDF (pdfSigner).
func signersFromFlags(cmd *cli.Command) (signers []*sign.Signer, pdfSigner *sign.Signer, err error) {
	keys := cmd.StringSlice("key")
	p12 := cmd.String("p12")
	cert := cmd.String("cert")
	if cert != "" && len(keys) != 1 {
		return nil, nil, usageErrorf("--cert needs exactly one --key (the certificate's private key)")
	}
	if (cmd.String("password-file") != "" || cmd.String("password-env") != "") && p12 == "" {
		return nil, nil, usageErrorf("--password-file and --password-env are for --p12")
	}
	var creds []sign.CredentialOptions
	for _, k := range keys {
		creds = append(creds, sign.CredentialOptions{KeyFile: k, CertFile: cert})
	}
	if p12 != "" {
		if cmd.String("password-file") == "" && cmd.String("password-env") == "" {
			return nil, nil, withHint(exitUsage, fmt.Errorf("--p12 %s: no password given", p12),
				"give it with --password-file FILE or --password-env VARIABLE (never on the command line)")
		}
		pw, err := sign.ReadPassword(cmd.String("password-file"), cmd.String("password-env"))
		var insecure *sign.InsecureFileError
		switch {
		case errors.As(err, &insecure):
			return nil, nil, withHint(exitOperational, err, "make the file readable by you only: chmod 600 "+insecure.Path)
		case err != nil:
			return nil, nil, withHint(exitUsage, err, "give the password with --password-file FILE or --password-env VARIABLE")
		}
		creds = append(creds, sign.CredentialOptions{P12File: p12, Password: pw})
	}
	for _, f := range append(append([]string{}, keys...), cert, p12) {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return nil, nil, withHint(exitUsage, fmt.Errorf("%s: no such key or certificate file", f), "check the path; casepack keygen -o NAME makes NAME.key and NAME.pub.pem")
		}
	}
	for _, k := range keys {
		// A public key given as --key is the commonest mix-up: say so,
		// rather than complain about its (public) file mode.
		if head, err := readHead(k, 4096); err == nil && strings.Contains(head, "PUBLIC KEY-----") {
			return nil, nil, withHint(exitUsage, fmt.Errorf("%s is a public key; signing needs the private key", k),
				"give NAME.key, not NAME.pub.pem (casepack keygen writes both)")
		}
	}
	for _, co := range creds {
		cred, err := sign.LoadCredential(co)
		if err != nil {
			var insecure *sign.InsecureFileError
			if errors.As(err, &insecure) {
				return nil, nil, withHint(exitOperational, err, "make the key readable by you only: chmod 600 "+insecure.Path)
			}
			return nil, nil, credentialError(err, co)
		}
		s, err := sign.NewSigner(cred, cmd.String("signer-name"), cmd.String("role"), cmd.String("org"))
		switch {
		case errors.Is(err, sign.ErrUnsupportedKey):
			return nil, nil, withHint(exitUsage, err, "a certificate (--cert, --p12) needs an RSA or ECDSA P-256 key; an Ed25519 key from casepack keygen signs without --cert")
		case err != nil:
			return nil, nil, withHint(exitUsage, err, "check --signer-name, --role and --org")
		}
		s.TSAURL = cmd.String("tsa")
		signers = append(signers, s)
		if pdfSigner == nil && s.Format() == sign.FormatCMS {
			pdfSigner = s
		}
	}
	return signers, pdfSigner, nil
}
