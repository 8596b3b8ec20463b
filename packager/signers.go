package packager

import (
	"fmt"

	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign"
)

// SignerOptions names the credentials of the signers of a Build or CoSign.
// A private key or password is never given as a value: keys come from files
// readable by their owner only, passwords from a file or an environment
// variable.
type SignerOptions struct {
	Keys         []string // private keys (PEM), one signer each
	Cert         string   // certificate chain (PEM) for the one key: a CMS signature
	P12          string   // a PKCS#12 credential (key and certificate chain)
	PasswordFile string   // the P12's password, first line of this file
	PasswordEnv  string   // or this environment variable
	// Password is the P12's password as typed into a form (the local web
	// app), used instead of a file or variable; the caller forgets it.
	Password []byte
	// Name, Role and Organisation label every signature (signed with it).
	Name, Role, Organisation string
	TSA                      string // URL of an RFC 3161 time-stamp authority
}

// LoadSigners loads the signers opt names (none when it names no key):
// every problem with a file, password or label is a usage error that says
// which file and what to give instead, or an operational one for a key
// others may read.
func LoadSigners(opt SignerOptions) ([]*sign.Signer, error) {
	if opt.Cert != "" && len(opt.Keys) != 1 {
		return nil, fault.Usagef("--cert needs exactly one --key (the certificate's private key)")
	}
	if (opt.PasswordFile != "" || opt.PasswordEnv != "" || opt.Password != nil) && opt.P12 == "" {
		return nil, fault.Usagef("--password-file and --password-env are for --p12")
	}
	var creds []sign.CredentialOptions
	for _, k := range opt.Keys {
		creds = append(creds, sign.CredentialOptions{KeyFile: k, CertFile: opt.Cert})
	}
	if opt.P12 != "" {
		pw := opt.Password
		if pw == nil {
			if opt.PasswordFile == "" && opt.PasswordEnv == "" {
				return nil, fault.New(fault.Usage, fmt.Errorf("--p12 %s: no password given", opt.P12),
					"give it with --password-file FILE or --password-env VARIABLE (never on the command line)")
			}
			var err error
			if pw, err = sign.ReadPassword(opt.PasswordFile, opt.PasswordEnv); err != nil {
				return nil, err
			}
		}
		creds = append(creds, sign.CredentialOptions{P12File: opt.P12, Password: pw})
	}
	var signers []*sign.Signer
	for _, co := range creds {
		cred, err := sign.LoadCredential(co)
		if err != nil {
			return nil, err
		}
		s, err := sign.NewSigner(cred, opt.Name, opt.Role, opt.Organisation)
		if err != nil {
			return nil, err
		}
		s.TSAURL = opt.TSA
		signers = append(signers, s)
	}
	return signers, nil
}
