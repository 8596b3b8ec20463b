package main

import (
	"github.com/casepack/casepack/packager"
	"github.com/urfave/cli/v3"
)

// Signing flags shared by `build` and `sign`. A private key or password is
// never taken as a flag value: keys come from files (mode 0600), passwords
// from a file or an environment variable.

// signerFlags are the signing flags; signsPDF is true for build, whose
// --cert also signs the narrative PDF;
// co-signing (sign) adds signatures beside the package and never changes a
// byte of it, the PDF included.
func signerFlags(signsPDF bool) []cli.Flag {
	cert := "X.509 certificate chain (PEM) for the --key: makes a CMS signature (the narrative PDF is left as it is)"
	if signsPDF {
		cert = "X.509 certificate chain (PEM) for the --key: makes a CMS signature and signs the narrative PDF"
	}
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "key", Usage: "sign with this private key (PEM; repeat for several signers)"},
		&cli.StringFlag{Name: "cert", Usage: cert},
		&cli.StringFlag{Name: "p12", Usage: "sign with a PKCS#12 credential (.p12/.pfx: key and certificate chain)"},
		&cli.StringFlag{Name: "password-file", Usage: "read the --p12 password from this file"},
		&cli.StringFlag{Name: "password-env", Usage: "read the --p12 password from this environment variable"},
		&cli.StringFlag{Name: "signer-name", Usage: "signer's name, recorded beside the signature"},
		&cli.StringFlag{Name: "role", Usage: "signer's role, e.g. \"Legal counsel\""},
		&cli.StringFlag{Name: "org", Usage: "signer's organisation"},
		&cli.StringFlag{Name: "tsa", Usage: "URL of an RFC 3161 time-stamp authority: adds a trusted time to each new signature"},
	}
}

// signerOptions reads the signing flags.
func signerOptions(cmd *cli.Command) packager.SignerOptions {
	return packager.SignerOptions{
		Keys:         cmd.StringSlice("key"),
		Cert:         cmd.String("cert"),
		P12:          cmd.String("p12"),
		PasswordFile: cmd.String("password-file"),
		PasswordEnv:  cmd.String("password-env"),
		Name:         cmd.String("signer-name"),
		Role:         cmd.String("role"),
		Organisation: cmd.String("org"),
		TSA:          cmd.String("tsa"),
	}
}
