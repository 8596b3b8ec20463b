package main

import (
	"fmt"

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
		if err != nil {
			return nil, nil, err
		}
		creds = append(creds, sign.CredentialOptions{P12File: p12, Password: pw})
	}
	for _, co := range creds {
		cred, err := sign.LoadCredential(co)
		if err != nil {
			return nil, nil, err
		}
		s, err := sign.NewSigner(cred, cmd.String("signer-name"), cmd.String("role"), cmd.String("org"))
		if err != nil {
			return nil, nil, err
		}
		s.TSAURL = cmd.String("tsa")
		signers = append(signers, s)
		if pdfSigner == nil && s.Format() == sign.FormatCMS {
			pdfSigner = s
		}
	}
	return signers, pdfSigner, nil
}
