package sign

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
)

// credFileError is a key, certificate or PKCS#12 file that could not be
// read (Read) or whose content is not what it should be.
type credFileError struct {
	Path string
	Kind string // "private key", "certificate chain", "PKCS#12 file"
	Read bool
	Err  error
}

func (e *credFileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *credFileError) Unwrap() error { return e.Err }

// credentialFault turns a credential problem into the message and hint a
// user needs: what is wrong with which file, and what to give instead. The
// parsers' own words (ASN.1 tags, OIDs) mean nothing to a lawyer's IT.
func credentialFault(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var insecure *InsecureFileError
	var cf *credFileError
	var notFile *source.NotRegularError
	isFile := errors.As(err, &cf)
	switch {
	case errors.As(err, &notFile):
		return fault.New(fault.Usage, notFile, "give the key, certificate or PKCS#12 file itself")
	case errors.As(err, &insecure):
		return fault.New(fault.Operational, insecure, "make the key readable by you only: chmod 600 "+insecure.Path)
	case isFile && cf.Read && errors.Is(err, fs.ErrNotExist):
		return fault.New(fault.Usage, fmt.Errorf("%s: no such key or certificate file", cf.Path),
			"check the path; casepack keygen -o NAME makes NAME.key and NAME.pub.pem")
	case isFile && cf.Read && errors.Is(err, fs.ErrPermission):
		return fault.IO(cf.Path, cf.Err)
	case errors.Is(err, ErrPublicKey):
		return fault.New(fault.Usage, fmt.Errorf("%s is a public key; signing needs the private key", cf.Path),
			"give NAME.key, not NAME.pub.pem (casepack keygen writes both)")
	case errors.Is(err, ErrKeyMismatch):
		return fault.New(fault.Usage, err, "give the certificate that was issued for this private key")
	case errors.Is(err, ErrEncryptedPEM):
		return fault.New(fault.Usage, err, "write an unencrypted copy, e.g. openssl pkey -in KEY -out KEY.pem, then chmod 600 KEY.pem")
	case errors.Is(err, ErrWrongPassword):
		return fault.New(fault.Usage, err, "check --password-file or --password-env")
	case errors.Is(err, ErrNoPassword):
		return fault.New(fault.Usage, err, "give it with --password-file FILE or --password-env VARIABLE (never on the command line)")
	case errors.Is(err, ErrUnsupportedKey):
		return fault.New(fault.Usage, err, unsupportedKeyHint)
	case isFile && cf.Kind == "PKCS#12 file":
		return fault.New(fault.Usage, fmt.Errorf("%s: not a PKCS#12 file casepack can read", cf.Path),
			"export the credential again as .p12/.pfx (private key and certificate chain), or give --key and --cert as PEM files")
	case isFile && cf.Kind == "certificate chain":
		return fault.New(fault.Usage, fmt.Errorf("%s: not a certificate chain casepack can read", cf.Path),
			"give the signer's certificate and the CAs above it as PEM (-----BEGIN CERTIFICATE-----)")
	case isFile:
		return fault.New(fault.Usage, fmt.Errorf("%s: not a private key casepack can read", cf.Path),
			"give a PEM private key (PKCS#8: Ed25519, ECDSA P-256 or RSA), such as NAME.key from casepack keygen")
	}
	return fault.New(fault.Usage, err, "")
}

const unsupportedKeyHint = "a certificate (--cert, --p12) needs an RSA or ECDSA P-256 key; an Ed25519 key from casepack keygen signs without --cert"
