package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
	"software.sslmate.com/src/go-pkcs12"
)

// Sentinel errors callers branch on (the CLI maps them to messages and exit codes).
var (
	// ErrInsecureKeyFile: a secret file is readable by group or others.
	ErrInsecureKeyFile = errors.New("private key file readable by other users")
	// ErrEncryptedPEM: an encrypted PEM private key, which Go cannot read.
	ErrEncryptedPEM = errors.New("encrypted PEM private key")
	// ErrNoCertificate: an operation needs an X.509 certificate and the credential has none.
	ErrNoCertificate = errors.New("credential has no certificate")
	// ErrUnsupportedKey: a key type casepack does not sign with.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrKeyMismatch: the certificate does not belong to the private key.
	ErrKeyMismatch = errors.New("certificate does not match the private key")
	// ErrNoPassword: a password source was named but gave nothing.
	ErrNoPassword = errors.New("no password")
	// ErrWrongPassword: the password does not open the PKCS#12 file.
	ErrWrongPassword = errors.New("wrong password for the PKCS#12 file")
	// ErrPublicKey: a public key where the private key is needed.
	ErrPublicKey = errors.New("a public key where the private key is needed")
)

// InsecureFileError names a secret file whose permissions let other users read it.
type InsecureFileError struct {
	Path string
	Mode fs.FileMode
	What string // "private key file" (default), "PKCS#12 file", "password file"
}

func (e *InsecureFileError) Error() string {
	what := e.What
	if what == "" {
		what = "private key file"
	}
	return fmt.Sprintf("%s: %s is readable by other users (mode %04o)", e.Path, what, e.Mode.Perm())
}

// Hint says how to fix it.
func (e *InsecureFileError) Hint() string {
	return fmt.Sprintf("run: chmod 600 %s", e.Path)
}

func (e *InsecureFileError) Unwrap() error { return ErrInsecureKeyFile }

// Credential is what signs: a private key, and for institutional signers the
// X.509 certificate for that key plus the chain up to (optionally including)
// the root. A bare Ed25519 key has no certificate.
type Credential struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate   // nil for a bare key
	Chain       []*x509.Certificate // issuers of Certificate, nearest first
	// Source names where the credential came from, for messages and default slugs.
	Source string
}

// Public returns the public key.
func (c *Credential) Public() crypto.PublicKey { return c.Signer.Public() }

// Fingerprint returns the credential's key fingerprint (see Fingerprint).
func (c *Credential) Fingerprint() (string, error) { return Fingerprint(c.Signer.Public()) }

// Fingerprint is "sha256:" and the lowercase hex SHA-256 of the key's PKIX
// (SubjectPublicKeyInfo) DER, the same as
// `openssl pkey -pubin -in K.pub.pem -outform DER | sha256sum`.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// GenerateKey makes a new Ed25519 key from rand (crypto/rand when nil).
func GenerateKey(r io.Reader) (ed25519.PrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("generate Ed25519 key: %w", err)
	}
	return priv, nil
}

// MarshalPrivateKeyPEM encodes a private key as PKCS#8 PEM ("PRIVATE KEY").
func MarshalPrivateKeyPEM(priv crypto.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes a public key as PKIX PEM ("PUBLIC KEY").
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// KeyPairFiles are the paths keygen writes for NAME.
func KeyPairFiles(name string) (keyPath, pubPath string) {
	return name + ".key", name + ".pub.pem"
}

// WriteKeyPair writes NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub.pem (PKIX
// PEM, mode 0644) for priv and returns the key fingerprint. It never
// overwrites: an existing file is an error (fs.ErrExist), and a failure
// leaves neither file behind.
func WriteKeyPair(name string, priv crypto.Signer) (string, error) {
	keyPath, pubPath := KeyPairFiles(name)
	privPEM, err := MarshalPrivateKeyPEM(priv)
	if err != nil {
		return "", err
	}
	pubPEM, err := MarshalPublicKeyPEM(priv.Public())
	if err != nil {
		return "", err
	}
	fp, err := Fingerprint(priv.Public())
	if err != nil {
		return "", err
	}
	// Refuse before writing anything when either name is taken.
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", fmt.Errorf("write %s: %w", p, fs.ErrExist)
		}
	}
	if err := writeNewFile(keyPath, privPEM, 0o600); err != nil {
		return "", err
	}
	if err := writeNewFile(pubPath, pubPEM, 0o644); err != nil {
		os.Remove(keyPath)
		return "", err
	}
	return fp, nil
}

// writeNewFile writes data to path crash-safely with exactly mode perm,
// and never over an existing file (an error matching fs.ErrExist). On
// failure nothing is left.
func writeNewFile(path string, data []byte, perm fs.FileMode) error {
	return atomicfs.WriteFile(path, atomicfs.FileOptions{Perm: perm}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// readSecretFile reads a file holding a secret after checking that only its
// owner can read it. Windows has no such mode bits; there the check is skipped.
func readSecretFile(path string) ([]byte, error) { return readSecret(path, "") }

// readSecret reads a file that must be private to its owner; what names it
// in the error ("password file", …).
func readSecret(path, what string) ([]byte, error) {
	// Opened without blocking; a FIFO or device is refused before reading.
	f, err := source.Open(path)
	if errors.Is(err, source.ErrNotRegular) {
		return nil, err
	}
	if err != nil {
		return nil, fault.IO(path, err)
	}
	defer f.Close()
	fi := f.Info()
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, &InsecureFileError{Path: path, Mode: fi.Mode(), What: what}
	}
	// Key files are small; a cap keeps a wrong path (say, a video) from eating memory.
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialFile+1))
	if err != nil {
		return nil, fault.IO(path, err)
	}
	if len(data) > maxCredentialFile {
		return nil, fmt.Errorf("%s: too large for a key or password file (over %d bytes)", path, maxCredentialFile)
	}
	return data, nil
}

const maxCredentialFile = 1 << 20

// ReadPassword returns the password for a PKCS#12 file from exactly one
// source: a file (its first line; the file must be private to its owner) or
// the named environment variable. Passwords are never taken from a flag
// value, because command lines are visible to other users and kept in shell
// history.
//
// Errors are *fault.Error: usage errors with a hint, or an operational one
// for a password file others may read.
func ReadPassword(file, envVar string) ([]byte, error) {
	pw, err := readPassword(file, envVar)
	var insecure *InsecureFileError
	switch {
	case err == nil:
		return pw, nil
	case errors.As(err, &insecure):
		return nil, fault.New(fault.Operational, err, "make the file readable by you only: chmod 600 "+insecure.Path)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fault.New(fault.Usage, fmt.Errorf("%s: no such password file", file), "give the password with --password-file FILE or --password-env VARIABLE")
	}
	return nil, fault.New(fault.Usage, err, "give the password with --password-file FILE or --password-env VARIABLE")
}

func readPassword(file, envVar string) ([]byte, error) {
	switch {
	case file != "" && envVar != "":
		return nil, errors.New("give the password either in a file or in an environment variable, not both")
	case file != "":
		data, err := readSecret(file, "password file")
		if err != nil {
			return nil, err
		}
		line, _, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return nil, fmt.Errorf("%s: %w: the first line is empty", file, ErrNoPassword)
		}
		return line, nil
	case envVar != "":
		v, ok := os.LookupEnv(envVar)
		if !ok || v == "" {
			return nil, fmt.Errorf("environment variable %s: %w: it is not set or empty", envVar, ErrNoPassword)
		}
		return []byte(v), nil
	}
	return nil, nil
}

// CredentialOptions names where a credential comes from: KeyFile alone (a
// bare key, normally Ed25519), KeyFile + CertFile (PEM key and certificate
// chain), or P12File + Password.
type CredentialOptions struct {
	KeyFile  string
	CertFile string
	P12File  string
	Password []byte
}

// LoadCredential reads a signing credential. Private key files must be
// readable by their owner only (ErrInsecureKeyFile, with a chmod hint).
// Every error is a *fault.Error that says, in plain words, which file is
// wrong and how, with a hint: a usage error, or an operational one for a
// file that cannot be read or is readable by others.
func LoadCredential(opt CredentialOptions) (*Credential, error) {
	c, err := loadCredential(opt)
	if err != nil {
		return nil, credentialFault(err)
	}
	return c, nil
}

func loadCredential(opt CredentialOptions) (*Credential, error) {
	switch {
	case opt.P12File != "" && (opt.KeyFile != "" || opt.CertFile != ""):
		return nil, errors.New("give either a PKCS#12 file or a key (and certificate), not both")
	case opt.P12File != "":
		return loadP12(opt.P12File, opt.Password)
	case opt.KeyFile == "":
		return nil, errors.New("no key given")
	}
	// A public key given for the private one is the commonest mix-up: say
	// so, rather than complain about its (public) file mode.
	if isPublicKeyFile(opt.KeyFile) {
		return nil, &credFileError{Path: opt.KeyFile, Kind: "private key", Err: ErrPublicKey}
	}
	keyPEM, err := readSecretFile(opt.KeyFile)
	if err != nil {
		return nil, &credFileError{Path: opt.KeyFile, Kind: "private key", Read: true, Err: err}
	}
	signer, err := ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, &credFileError{Path: opt.KeyFile, Kind: "private key", Err: err}
	}
	cred := &Credential{Signer: signer, Source: opt.KeyFile}
	if opt.CertFile == "" {
		if _, ok := signer.(ed25519.PrivateKey); !ok {
			return nil, fault.New(fault.Usage, fmt.Errorf("%s: an RSA or ECDSA key needs its certificate (--cert); only Ed25519 keys sign without one", opt.KeyFile), "")
		}
		return cred, nil
	}
	certPEM, err := source.ReadFile(opt.CertFile, maxCredentialFile)
	if err != nil {
		return nil, &credFileError{Path: opt.CertFile, Kind: "certificate chain", Read: true, Err: err}
	}
	certs, err := ParseCertificatesPEM(certPEM)
	if err != nil {
		return nil, &credFileError{Path: opt.CertFile, Kind: "certificate chain", Err: err}
	}
	if err := cred.setChain(certs); err != nil {
		return nil, fmt.Errorf("%s: %w", opt.CertFile, err)
	}
	return cred, nil
}

// isPublicKeyFile reports whether the first PEM block of the file at path
// is a public key.
func isPublicKeyFile(path string) bool {
	f, err := source.Open(path) // never waits on a FIFO or device
	if err != nil {
		return false
	}
	defer f.Close()
	head, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	block, _ := pem.Decode(head)
	return block != nil && block.Type == "PUBLIC KEY"
}

func loadP12(path string, password []byte) (*Credential, error) {
	// A .p12 is encrypted, but only as well as its password: like a PEM key
	// it must be readable by its owner only.
	data, err := readSecret(path, "PKCS#12 file")
	if err != nil {
		return nil, &credFileError{Path: path, Kind: "PKCS#12 file", Read: true, Err: err}
	}
	if len(password) == 0 {
		return nil, fmt.Errorf("%s: %w given for the PKCS#12 file", path, ErrNoPassword)
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, string(password))
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, fmt.Errorf("%s: %w", path, ErrWrongPassword)
		}
		return nil, &credFileError{Path: path, Kind: "PKCS#12 file", Err: err}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: %w: %T", path, ErrUnsupportedKey, key)
	}
	if err := checkSigningKey(signer); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cred := &Credential{Signer: signer, Source: path}
	if err := cred.setChain(append([]*x509.Certificate{cert}, cas...)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cred, nil
}

// setChain picks the certificate that matches the key as the signer's and
// orders the rest issuer-first from it; certificates not on the path are kept
// after it (they do no harm in a CMS bag of certificates).
func (c *Credential) setChain(certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return errors.New("no certificate found")
	}
	pubDER, err := x509.MarshalPKIXPublicKey(c.Signer.Public())
	if err != nil {
		return err
	}
	leaf := -1
	for i, cert := range certs {
		if bytes.Equal(cert.RawSubjectPublicKeyInfo, pubDER) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return ErrKeyMismatch
	}
	c.Certificate = certs[leaf]
	rest := append(append([]*x509.Certificate{}, certs[:leaf]...), certs[leaf+1:]...)
	cur := c.Certificate
	var chain []*x509.Certificate
	for len(rest) > 0 {
		next := -1
		for i, cand := range rest {
			if bytes.Equal(cur.RawIssuer, cand.RawSubject) && cur.CheckSignatureFrom(cand) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		cur = rest[next]
		chain = append(chain, cur)
		rest = append(rest[:next], rest[next+1:]...)
	}
	c.Chain = append(chain, rest...)
	return nil
}

// ParsePrivateKeyPEM reads the first private key in PEM data: PKCS#8
// ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY").
// Ed25519, RSA (2048 bits or more) and ECDSA P-256/P-384 keys are accepted.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM private key found (expected -----BEGIN PRIVATE KEY-----)")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			if _, enc := block.Headers["DEK-Info"]; enc {
				return nil, fmt.Errorf("%w: decrypt it first (openssl pkey -in KEY -out KEY.plain) or use a PKCS#12 file", ErrEncryptedPEM)
			}
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			if _, enc := block.Headers["DEK-Info"]; enc {
				return nil, fmt.Errorf("%w: decrypt it first (openssl pkey -in KEY -out KEY.plain) or use a PKCS#12 file", ErrEncryptedPEM)
			}
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: decrypt it first (openssl pkey -in KEY -out KEY.plain) or use a PKCS#12 file", ErrEncryptedPEM)
		case "PUBLIC KEY":
			return nil, ErrPublicKey
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", block.Type, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
		}
		if err := checkSigningKey(signer); err != nil {
			return nil, err
		}
		return signer, nil
	}
}

func checkSigningKey(k crypto.Signer) error {
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return nil
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key of %d bits (2048 or more needed)", ErrUnsupportedKey, k.N.BitLen())
		}
		return nil
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
		return fmt.Errorf("%w: ECDSA curve %s (P-256 or P-384 needed)", ErrUnsupportedKey, k.Curve.Params().Name)
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedKey, k)
}

// ParseCertificatesPEM reads every CERTIFICATE block in data.
func ParseCertificatesPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")
	}
	return certs, nil
}

// DefaultSlug derives the signer part of signature file names from a label
// name, falling back to the credential file's base name: lowercase ASCII
// letters, digits and single hyphens, at most 32 characters.
func DefaultSlug(name, source string) string {
	if s := slugify(name); s != "" {
		return s
	}
	base := filepath.Base(source)
	for _, ext := range []string{".key", ".pem", ".p12", ".pfx"} {
		base = strings.TrimSuffix(base, ext)
	}
	if s := slugify(base); s != "" {
		return s
	}
	return "signer"
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if r2, ok := foldLatin[r]; ok {
				b.WriteRune(r2)
				dash = false
				continue
			}
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 32 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// foldLatin keeps Spanish and French names readable in file names.
var foldLatin = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u', 'ñ': 'n', 'ç': 'c', 'ÿ': 'y',
}
