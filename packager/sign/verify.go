package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Status is the outcome for one signature, after the three EU DSS indications.
type Status string

const (
	// StatusValidTrusted: the signature is intact and its signer is trusted.
	StatusValidTrusted Status = "valid_trusted"
	// StatusValidUntrusted: the signature is intact but nothing the verifier
	// trusts vouches for the signer (EU DSS: INDETERMINATE).
	StatusValidUntrusted Status = "valid_untrusted"
	// StatusInvalid: the signature does not match, or is malformed.
	StatusInvalid Status = "invalid"
)

// TimestampResult is the outcome for one RFC 3161 token.
type TimestampResult struct {
	File   string    `json:"file"`
	Status Status    `json:"status"`
	Time   time.Time `json:"time,omitzero"`
	// TSASubject is the subject of the certificate that signed the token.
	TSASubject string `json:"tsa_subject,omitempty"`
	TrustedBy  string `json:"trusted_by,omitempty"`
	Problem    string `json:"problem,omitempty"`
}

// SignatureResult is the outcome for one signature group.
type SignatureResult struct {
	// ID is the group name, e.g. "1-alice".
	ID     string   `json:"id"`
	Seq    int      `json:"seq"`
	Format string   `json:"format"`
	Files  []string `json:"files"`
	Status Status   `json:"status"`
	// Signer is the (signed) label, when present and valid.
	Signer *Label `json:"signer,omitempty"`
	// KeyFingerprint is sha256:<hex of the PKIX DER> of the signing key.
	KeyFingerprint     string `json:"key_fingerprint,omitempty"`
	CertificateSubject string `json:"certificate_subject,omitempty"`
	CertificateIssuer  string `json:"certificate_issuer,omitempty"`
	// TrustedBy names the trust file that made it trusted.
	TrustedBy string `json:"trusted_by,omitempty"`
	// Time is when it was signed: from a trusted time-stamp ("timestamp"), or
	// as the signer's own claim in the CMS ("claimed"), or absent.
	Time       time.Time        `json:"time,omitzero"`
	TimeSource string           `json:"time_source,omitempty"`
	Timestamp  *TimestampResult `json:"timestamp,omitempty"`
	Problem    string           `json:"problem,omitempty"`
}

// Report is what VerifyPackage found.
type Report struct {
	Signatures []SignatureResult `json:"signatures"`
	Findings   []finding.Finding `json:"findings"`
	// TrustedValid counts signatures that are valid and trusted.
	TrustedValid int `json:"trusted_valid"`

	fatal error // a signature file could not be read at all (see fault.CannotRead)
}

// OK reports whether nothing of error severity was found.
func (r *Report) OK() bool { return !finding.HasErrors(r.Findings) }

// VerifyOptions controls VerifyPackage.
type VerifyOptions struct {
	// Trust decides which signers are trusted.
	Trust []TrustAnchor
	// TSATrust decides which time-stamp authorities are trusted; Trust when nil.
	TSATrust []TrustAnchor
	// RequireSignature makes "no valid trusted signature" an error.
	RequireSignature bool
	// Now is the time certificates are checked at when no trusted time-stamp
	// gives the signing time; time.Now when zero.
	Now time.Time
	// PDFs are payload PDFs whose embedded signatures are checked too (the
	// narrative, data/narrative/submission.pdf); an unsigned one is fine.
	PDFs []string
}

// Caps on what is read from an untrusted package.
const (
	maxSignedFile    = 64 << 20
	maxSigFile       = 1 << 20
	maxSigDirEntries = 10000
)

// VerifyPackage checks every signature in signatures/ of the bag rooted at
// fsys against tagmanifest-sha256.txt, and every time-stamp and label. fsys
// may be os.DirFS(folder) or, for a ZIP, fs.Sub(zipReader, top). It reads
// only; every problem is a finding in the report. The error is for failures
// to read at all: signatures/ or one of its files that cannot be read
// (permission denied, a disk error) is an operational *fault.Error, since
// nothing is known about that signature.
func VerifyPackage(fsys fs.FS, opt VerifyOptions) (*Report, error) {
	r := &Report{Signatures: []SignatureResult{}, Findings: []finding.Finding{}}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.TSATrust == nil {
		opt.TSATrust = opt.Trust
	}
	verifyPDFs(r, fsys, opt)
	entries, err := fs.ReadDir(fsys, SignaturesDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		if fi, serr := fs.Stat(fsys, SignaturesDir); serr == nil && !fi.IsDir() {
			r.add(finding.SigExtra, finding.Error, SignaturesDir, "signatures is a file, not a folder; no signature can be read", "")
			entries, err = nil, nil
		} else {
			return nil, fmt.Errorf("cannot read %s: %s", SignaturesDir, fault.Describe(err))
		}
	}
	groups, order := groupFiles(r, entries)
	if len(groups) == 0 {
		sev, hint := finding.Warning, "sign it: casepack sign --key KEY PACKAGE"
		if opt.RequireSignature {
			sev = finding.Error
		}
		if len(opt.Trust) > 0 {
			// Deleting signatures/ is the cheapest forgery of all.
			hint = "a signature by a trusted signer was required (--trust); without one nothing shows who made this package, or that it was not altered and its signatures removed"
		}
		r.add(finding.SigMissing, sev, SignaturesDir+"/", "the package carries no signature", hint)
		return r, nil
	}
	manifest, err := readCapped(fsys, SignedFile, maxSignedFile)
	if err != nil {
		r.add(finding.SigNoManifest, finding.Error, SignedFile, "cannot read the signed file: "+fault.Describe(err),
			"without it no signature can be checked; the package is damaged")
		for _, id := range order {
			g := groups[id]
			r.Signatures = append(r.Signatures, SignatureResult{ID: id, Seq: g.seq, Files: g.fileList(), Status: StatusInvalid, Problem: "signed file missing"})
		}
		return r, nil
	}
	for _, id := range order {
		res := verifyGroup(r, fsys, groups[id], manifest, opt)
		if res.Status == StatusValidTrusted {
			r.TrustedValid++
		}
		r.Signatures = append(r.Signatures, res)
	}
	if r.fatal != nil {
		return nil, r.fatal
	}
	if opt.RequireSignature && r.TrustedValid == 0 {
		hint := "give the signer's public key or CA certificate with --trust FILE"
		if len(opt.Trust) > 0 {
			hint = "none is by a key or certificate given with --trust. Anyone can sign a package under any name: " +
				"if you expected this signer, get their key fingerprint from them (letter, website, phone), never from the package"
		}
		r.add(finding.SigNoneTrusted, finding.Error, SignaturesDir+"/", "no signature is both valid and from a trusted signer", hint)
	}
	return r, nil
}

func (r *Report) add(code finding.Code, sev finding.Severity, p, msg, hint string) {
	r.Findings = append(r.Findings, finding.Finding{Code: code, Severity: sev, Path: p, Message: msg, Hint: hint})
}

type group struct {
	id    string
	seq   int
	files map[string]string // ext → base name
}

func (g *group) fileList() []string {
	var out []string
	for _, name := range g.files {
		out = append(out, SignaturesDir+"/"+name)
	}
	sort.Strings(out)
	return out
}

// groupFiles sorts signatures/ into groups; everything else is CP-SIG-EXTRA.
func groupFiles(r *Report, entries []fs.DirEntry) (map[string]*group, []string) {
	groups := map[string]*group{}
	var order []string
	for i, e := range entries {
		p := SignaturesDir + "/" + e.Name()
		if i >= maxSigDirEntries {
			r.add(finding.SigExtra, finding.Error, SignaturesDir+"/", fmt.Sprintf("more than %d files; the rest were not examined", maxSigDirEntries), "")
			break
		}
		if !e.Type().IsRegular() {
			r.add(finding.SigExtra, finding.Error, p, "not a regular file; signatures/ may hold only signature files", "remove it")
			continue
		}
		n, ok := parseSigName(e.Name())
		if !ok {
			r.add(finding.SigExtra, finding.Error, p, "not a casepack signature file; nothing signs it", "remove it, or find out who added it")
			continue
		}
		g := groups[n.ID()]
		if g == nil {
			g = &group{id: n.ID(), seq: n.Seq, files: map[string]string{}}
			groups[n.ID()] = g
			order = append(order, n.ID())
		}
		g.files[n.Ext] = e.Name()
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := groups[order[i]], groups[order[j]]
		if a.seq != b.seq {
			return a.seq < b.seq
		}
		return a.id < b.id
	})
	return groups, order
}

func readCapped(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// verifyGroup checks one signature with its key, label and time-stamp.
func verifyGroup(r *Report, fsys fs.FS, g *group, manifest []byte, opt VerifyOptions) SignatureResult {
	res := SignatureResult{ID: g.id, Seq: g.seq, Files: g.fileList(), Status: StatusInvalid}
	loc := func(ext string) string { return SignaturesDir + "/" + g.id + ext }
	read := func(ext string) ([]byte, bool) {
		data, err := readCapped(fsys, loc(ext), maxSigFile)
		switch {
		case err != nil && fault.CannotRead(err):
			// The reader's problem, not the package's: nothing is known
			// about the signature, so it is neither valid nor invalid.
			if r.fatal == nil {
				r.fatal = fault.New(fault.Operational, fmt.Errorf("%s: cannot read: %s", loc(ext), fault.Describe(err)),
					"check the file's permissions and the disk, then verify again")
			}
			return nil, false
		case err != nil:
			r.add(finding.SigInvalid, finding.Error, loc(ext), "cannot read: "+fault.Describe(err), "")
			return nil, false
		}
		return data, true
	}
	invalid := func(p, msg, hint string) SignatureResult {
		res.Status = StatusInvalid
		res.Problem = msg
		r.add(finding.SigInvalid, finding.Error, p, msg, hint)
		return res
	}
	const changedHint = "compare " + SignedFile + " with a copy you trust, and check every file with casepack verify"
	_, hasSig := g.files[ExtEd25519]
	_, hasCMS := g.files[ExtCMS]
	_, hasPub := g.files[ExtPublicKey]
	switch {
	case hasSig && hasCMS:
		r.add(finding.SigIncomplete, finding.Error, loc(ExtCMS), "signature "+g.id+" has both an Ed25519 (.sig) and a CMS (.p7s) signature", "each signature must have its own number")
		res.Problem = "ambiguous signature group"
		return res
	case !hasSig && !hasCMS:
		for _, f := range res.Files {
			r.add(finding.SigIncomplete, finding.Error, f, "belongs to signature "+g.id+", but its signature file (.sig or .p7s) is missing", "the signature was removed or only partly copied")
		}
		res.Problem = "signature file missing"
		return res
	case hasCMS && hasPub:
		r.add(finding.SigExtra, finding.Error, loc(ExtPublicKey), "a public key file beside a CMS signature (the certificate is inside the .p7s)", "remove it")
	}
	if _, ok := g.files[ExtLabelCMS]; ok && hasSig {
		r.add(finding.SigExtra, finding.Error, loc(ExtLabelCMS), "a CMS label signature beside an Ed25519 signature", "remove it")
	}
	if _, ok := g.files[ExtLabelEd25519]; ok && hasCMS {
		r.add(finding.SigExtra, finding.Error, loc(ExtLabelEd25519), "an Ed25519 label signature beside a CMS signature", "remove it")
	}

	var (
		sigExt  string
		sigData []byte
		keyDER  []byte // PKIX DER of the signing key
		leaf    *x509.Certificate
		certs   []*x509.Certificate
		verify  func(data, sig []byte) error
		ok      bool
	)
	if hasSig {
		res.Format, sigExt = FormatEd25519, ExtEd25519
		if !hasPub {
			r.add(finding.SigIncomplete, finding.Error, loc(ExtEd25519), "the signer's public key "+g.id+ExtPublicKey+" is missing", "without it the signature cannot be checked")
			res.Problem = "public key missing"
			return res
		}
		pubPEM, ok := read(ExtPublicKey)
		if !ok {
			return res
		}
		pub, der, err := parseEd25519PublicPEM(pubPEM)
		if err != nil {
			return invalid(loc(ExtPublicKey), "not a usable public key: "+err.Error(), "")
		}
		keyDER = der
		res.KeyFingerprint, _ = Fingerprint(pub)
		if sigData, ok = read(ExtEd25519); !ok {
			return res
		}
		verify = func(data, sig []byte) error { return verifyEd25519(pub, data, sig) }
		if err := verify(manifest, sigData); err != nil {
			return invalid(loc(ExtEd25519), err.Error()+": "+SignedFile+" changed after signing, or the signature or key was altered", changedHint)
		}
	} else {
		res.Format, sigExt = FormatCMS, ExtCMS
		if sigData, ok = read(ExtCMS); !ok {
			return res
		}
		var claimed time.Time
		var err error
		leaf, certs, claimed, err = verifyCMS(sigData, manifest)
		if leaf != nil {
			res.CertificateSubject = leaf.Subject.String()
			res.CertificateIssuer = leaf.Issuer.String()
			res.KeyFingerprint, _ = Fingerprint(leaf.PublicKey)
			keyDER = leaf.RawSubjectPublicKeyInfo
		}
		if err != nil {
			return invalid(loc(ExtCMS), err.Error(), changedHint)
		}
		if !claimed.IsZero() {
			res.Time, res.TimeSource = claimed.UTC(), "claimed"
		}
		verify = func(data, sig []byte) error {
			l2, _, _, err := verifyCMS(sig, data)
			if err == nil && !l2.Equal(leaf) {
				err = errors.New("signed with a different certificate than the signature")
			}
			return err
		}
	}

	// The signature itself is valid from here on.
	res.Status = StatusValidUntrusted
	verifyLabel(r, g, &res, verify, loc, read)
	verifyTimestamp(r, g, &res, sigData, opt, loc, read)
	by, problem := decideTrust(&res, keyDER, leaf, certs, opt)
	if by != "" {
		res.Status, res.TrustedBy = StatusValidTrusted, by
		return res
	}
	res.Problem = problem
	r.add(finding.SigUntrusted, finding.Warning, loc(sigExt),
		"the signature is intact, but its signer is not trusted: "+problem,
		"confirm the key fingerprint "+res.KeyFingerprint+" with the signer, then pass their public key or CA certificate with --trust FILE")
	return res
}

func verifyEd25519(pub ed25519.PublicKey, data, sig []byte) error {
	if len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("an Ed25519 signature is %d bytes, this one is %d", ed25519.SignatureSize, len(sig))
	}
	if !ed25519.Verify(pub, data, sig) {
		return errors.New("the signature does not match")
	}
	return nil
}

// decideTrust returns the trusting anchor's source, or why none trusts.
func decideTrust(res *SignatureResult, keyDER []byte, leaf *x509.Certificate, certs []*x509.Certificate, opt VerifyOptions) (string, string) {
	if a, ok := keyAnchor(opt.Trust, keyDER); ok {
		return a.Source, ""
	}
	if len(opt.Trust) == 0 {
		return "", "no trusted key or certificate was given (--trust)"
	}
	if leaf == nil {
		return "", "the public key is not among the trusted keys"
	}
	roots := certPool(opt.Trust)
	if roots == nil {
		return "", "the certificate's key is not among the trusted keys, and no trusted certificate was given"
	}
	// Certificates expire; a package is verified years later. A trusted
	// time-stamp proves the signature existed at its time, so the chain is
	// checked then; without one, now.
	at := opt.Now
	if res.Timestamp != nil && res.Timestamp.Status == StatusValidTrusted {
		at = res.Timestamp.Time
	}
	inter := x509.NewCertPool()
	for _, c := range certs {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return "", "the certificate does not chain to a trusted certificate at " + at.UTC().Format(time.RFC3339) + ": " + err.Error()
	}
	return anchorFor(opt.Trust, chains), ""
}

// parseEd25519PublicPEM reads exactly one PKIX PEM Ed25519 public key.
func parseEd25519PublicPEM(data []byte) (ed25519.PublicKey, []byte, error) {
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, nil, errors.New("expected one PEM block -----BEGIN PUBLIC KEY-----")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, nil, errors.New("unexpected data after the public key")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, nil, err
	}
	edPub, ok := pub.(ed25519.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("a %T key where an Ed25519 key belongs", pub)
	}
	return edPub, block.Bytes, nil
}

// verifyCMS checks a detached CMS signature over content and returns the
// signer certificate, all certificates inside, and the claimed signing time.
func verifyCMS(der, content []byte) (leaf *x509.Certificate, certs []*x509.Certificate, claimed time.Time, err error) {
	defer func() {
		// The CMS parser is third-party code fed with hostile bytes.
		if p := recover(); p != nil {
			leaf, certs, err = nil, nil, fmt.Errorf("not a readable CMS signature (parser failed: %v)", p)
		}
	}()
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("not a readable CMS signature: %w", err)
	}
	if len(p7.Content) != 0 && !bytes.Equal(p7.Content, content) {
		return nil, nil, time.Time{}, errors.New("the CMS signature carries other content than the file it should sign")
	}
	if len(p7.Signers) != 1 {
		return nil, nil, time.Time{}, fmt.Errorf("expected exactly one signer in the CMS signature, found %d", len(p7.Signers))
	}
	leaf = p7.GetOnlySigner()
	if leaf == nil {
		return nil, nil, time.Time{}, errors.New("the signer's certificate is not inside the CMS signature")
	}
	p7.Content = content
	var st time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &st) == nil {
		claimed = st
	}
	if err := p7.Verify(); err != nil {
		var mm *pkcs7.MessageDigestMismatchError
		if errors.As(err, &mm) {
			return leaf, p7.Certificates, claimed, errors.New("the signature does not match: the signed file changed after signing")
		}
		return leaf, p7.Certificates, claimed, fmt.Errorf("the signature does not verify: %w", err)
	}
	return leaf, p7.Certificates, claimed, nil
}

// verifyLabel checks the label and its signature and, when both are good,
// puts the label on the result.
func verifyLabel(r *Report, g *group, res *SignatureResult, verify func(data, sig []byte) error, loc func(string) string, read func(string) ([]byte, bool)) {
	sigExt := ExtLabelEd25519
	if res.Format == FormatCMS {
		sigExt = ExtLabelCMS
	}
	_, hasLabel := g.files[ExtLabel]
	_, hasLabelSig := g.files[sigExt]
	switch {
	case !hasLabel && !hasLabelSig:
		r.add(finding.SigLabel, finding.Warning, loc(ExtLabel), "signature "+g.id+" has no signer label (name, role, organisation)", "")
		return
	case !hasLabel:
		r.add(finding.SigIncomplete, finding.Error, loc(sigExt), "a label signature without its label "+g.id+ExtLabel, "the label was removed")
		return
	case !hasLabelSig:
		r.add(finding.SigLabel, finding.Error, loc(ExtLabel), "the signer label is not signed, so anyone could have written it", "")
		return
	}
	data, ok := read(ExtLabel)
	if !ok {
		return
	}
	sig, ok := read(sigExt)
	if !ok {
		return
	}
	if err := verify(data, sig); err != nil {
		r.add(finding.SigLabel, finding.Error, loc(ExtLabel), "the signer label was changed after signing: "+err.Error(), "")
		return
	}
	l, err := ParseLabel(data)
	if err != nil {
		r.add(finding.SigLabel, finding.Error, loc(ExtLabel), err.Error(), "")
		return
	}
	var bad []string
	if l.Format != res.Format {
		bad = append(bad, fmt.Sprintf("format %q, but the signature is %s", l.Format, res.Format))
	}
	if l.KeyFingerprint != res.KeyFingerprint {
		bad = append(bad, "key_fingerprint is not the signing key's")
	}
	if res.Format == FormatCMS && l.CertificateSubject != res.CertificateSubject {
		bad = append(bad, "certificate_subject is not the signing certificate's")
	}
	if l.Timestamp != "" {
		if l.Timestamp != g.id+ExtTimestamp {
			bad = append(bad, "timestamp names another file")
		} else if _, ok := g.files[ExtTimestamp]; !ok {
			r.add(finding.SigIncomplete, finding.Error, loc(ExtTimestamp), "the label says this signature was time-stamped, but the time-stamp file is missing", "")
		}
	}
	if len(bad) > 0 {
		r.add(finding.SigLabel, finding.Error, loc(ExtLabel), "the signer label contradicts the signature: "+strings.Join(bad, "; "), "")
		return
	}
	res.Signer = &l
}

// ParseLabel reads a label strictly: unknown fields, a wrong version or
// signed file, and bad text are errors.
func ParseLabel(data []byte) (Label, error) {
	var l Label
	if len(data) > maxSigFile {
		return l, errors.New("the signer label is too large")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return Label{}, fmt.Errorf("the signer label is not valid: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Label{}, errors.New("the signer label has data after the JSON object")
	}
	if l.Version != LabelVersion {
		return Label{}, fmt.Errorf("the signer label has version %d; this casepack reads version %d", l.Version, LabelVersion)
	}
	if l.SignedFile != SignedFile {
		return Label{}, fmt.Errorf("the signer label says it signs %q, not %s", l.SignedFile, SignedFile)
	}
	if l.Format != FormatEd25519 && l.Format != FormatCMS {
		return Label{}, fmt.Errorf("the signer label has unknown format %q", l.Format)
	}
	for field, v := range map[string]string{"name": l.Name, "role": l.Role, "organisation": l.Organisation} {
		if err := checkLabelField(field, v); err != nil {
			return Label{}, fmt.Errorf("the signer label's %w", err)
		}
	}
	return l, nil
}

// verifyTimestamp checks the optional .tsr over the signature bytes.
func verifyTimestamp(r *Report, g *group, res *SignatureResult, sigData []byte, opt VerifyOptions, loc func(string) string, read func(string) ([]byte, bool)) {
	if _, ok := g.files[ExtTimestamp]; !ok {
		return
	}
	data, ok := read(ExtTimestamp)
	if !ok {
		return
	}
	tr := &TimestampResult{File: loc(ExtTimestamp), Status: StatusInvalid}
	res.Timestamp = tr
	info, err := safeCheckTimestamp(data, sigData, opt.TSATrust)
	if err != nil {
		tr.Problem = err.Error()
		r.add(finding.TSAInvalid, finding.Error, tr.File, "the time-stamp is not valid for "+g.id+sigFileExt(res)+": "+err.Error(), "the time-stamp or the signature was altered")
		return
	}
	tr.Time = info.Time
	tr.TSASubject = info.Signer.Subject.String()
	res.Time = info.Time
	if info.Trusted {
		tr.Status, tr.TrustedBy = StatusValidTrusted, info.TrustedBy
		res.TimeSource = "timestamp"
		return
	}
	tr.Status, tr.Problem = StatusValidUntrusted, info.Problem
	res.TimeSource = "untrusted_timestamp"
	r.add(finding.TSAUntrusted, finding.Warning, tr.File, "the time-stamp is intact, but its authority is not trusted: "+info.Problem,
		"pass the time-stamp authority's CA certificate with --trust FILE")
}

func sigFileExt(res *SignatureResult) string {
	if res.Format == FormatCMS {
		return ExtCMS
	}
	return ExtEd25519
}

func safeCheckTimestamp(tsr, data []byte, anchors []TrustAnchor) (info *tokenInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			info, err = nil, fmt.Errorf("not a readable time-stamp (parser failed: %v)", p)
		}
	}()
	return checkTimestamp(tsr, data, anchors)
}
