package packager

import (
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/intake"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/translation"
	"github.com/casepack/casepack/packager/verify"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
)

// ValidateOptions controls Validate.
type ValidateOptions struct {
	// SkipHashes checks that evidence files exist without re-reading them
	// to compare declared SHA-256 digests.
	SkipHashes bool
	// Workers is how many evidence files are hashed at once (0: one per CPU).
	Workers int
	// Fonts are TrueType files the narrative may use beyond its own: text
	// none of the fonts can print is a finding.
	Fonts []string
	// Checklist also returns the whole checklist of the art. 53(1) test
	// and of each crime's elements (its unmet lines are always findings).
	Checklist bool
}

// ValidateReport is the outcome of Validate (`validate --format json`).
type ValidateReport struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Errors   int               `json:"errors"`
	Warnings int               `json:"warnings"`
	Findings []finding.Finding `json:"findings"`
	// Checklist is there when asked for (ValidateOptions.Checklist) and
	// the case could be read.
	Checklist *schema.Checklist `json:"checklist,omitempty"`
}

// BuildOptions controls Build.
type BuildOptions struct {
	OutDir  string          // where the package goes ("out" when empty)
	Edition edition.Edition // confidential (default) or public
	Zip     bool            // also write OUT/<package>.zip
	Force   bool            // replace an earlier build of the package
	Date    time.Time       // every timestamp in the package (reproducible output)
	Paper   string          // narrative paper: "a4" (default) or "letter"
	// Templates is a folder of narrative templates over the built-in ones.
	Templates string
	Workers   int // evidence files hashed at once (0: one per CPU)
	// Signers sign the tag manifest; the first X.509 one also signs the
	// narrative PDF.
	Signers []*sign.Signer
	Version string   // the casepack version recorded in the package
	Fonts   []string // TrueType files for characters the narrative's fonts lack
	// Lang is the language of the narrative, covering letter and annexes:
	// en, fr or es, or several separated by commas ("en,fr"), which put a
	// narrative and a letter per language in the package (the annexes are
	// in the first). Empty picks the case's main language if casepack
	// writes it, else en.
	Lang string
	// RenameUnsafe stores evidence files whose names have '%' under a plain
	// name ('_' for '%'); casepack/manifest.json and the annexes keep the
	// original. Off, every file keeps its name.
	RenameUnsafe bool
	// Progress and VerifyProgress receive the copy's and the check's
	// progress; Warn is told about leftovers of an earlier build.
	Progress       func(digest.Progress)
	VerifyProgress func(digest.Progress)
	Warn           func(string)
}

// BuildReport is the outcome of Build (`build --format json`). Package is
// nil when nothing was built.
type BuildReport struct {
	Case    string           `json:"case"`
	Edition edition.Edition  `json:"edition"`
	Package *assemble.Result `json:"package,omitempty"`
	Letter  string           `json:"letter,omitempty"`  // the covering letter beside the package (the first language's)
	Letters []string         `json:"letters,omitempty"` // every covering letter beside the package, one per language
	Langs   []string         `json:"langs,omitempty"`   // the languages of the narratives, the first also the annexes'
	// Translations say, for each language other than the case's own, which
	// of the case's texts the documents show untranslated (and marked).
	Translations []*translation.Status `json:"translations,omitempty"`
	Findings     []finding.Finding     `json:"findings"`
	// EditionCheck is the public edition's re-identification report.
	EditionCheck *edition.Reidentification `json:"edition_check,omitempty"`
	Timings      []assemble.Phase          `json:"timings,omitempty"` // wall time of each phase, validation first
}

// VerifyOptions controls Verify.
type VerifyOptions struct {
	// Trust names the keys and certificates whose signatures are trusted;
	// with any, the package fails unless a valid signature is by one of
	// them.
	Trust []sign.TrustAnchor
	// RequireSignature fails a package without a valid trusted signature
	// even when no trust is given.
	RequireSignature bool
	// EveryDigest recomputes every payload file's SHA-512 as well as its
	// SHA-256 (verify.Options.EveryDigest).
	EveryDigest bool
	Workers     int
	Progress    func(digest.Progress)
	// S3 reaches the archive of a package named inside an s3:// archive
	// root (s3://bucket/prefix/ID; see ArchiveOptions.S3).
	S3 store.S3Config
	// Warn, when set, is told when a replacement an earlier build was
	// stopped in had to be put right before the package could be read.
	Warn func(string)
}

// SignatureRequired says whether a package without a valid signature by a
// trusted signer fails: when asked to, and whenever trust is given. Whoever
// names the keys they trust is asking "did one of these people sign it?";
// a package with no signature, or signed only by some other key, must not
// answer yes with exit 0 — re-signing a forgery with one's own key under
// the victim's name costs a forger nothing.
func (o VerifyOptions) SignatureRequired() bool {
	return o.RequireSignature || len(o.Trust) > 0
}

// VerifyReport is the outcome of Verify (`verify --format json`).
type VerifyReport struct {
	Intact       bool                   `json:"intact"`
	Integrity    *verify.Report         `json:"integrity"`
	Signatures   []sign.SignatureResult `json:"signatures"`
	TrustedValid int                    `json:"trusted_valid"`
	// Trusted says whether trust was given (--trust), so that a summary
	// can say what "trusted" was measured against.
	Trusted bool `json:"-"`
}

// CoSignOptions controls CoSign.
type CoSignOptions struct {
	Signers []*sign.Signer
	Date    time.Time // the time of new ZIP entries; now when zero
	// Warn is told about what deserves a word but does not stop the
	// co-signing (the same key signing twice, a stale lock).
	Warn func(string)
}

// CoSignReport is the outcome of CoSign (`sign --format json`).
type CoSignReport struct {
	Package    string           `json:"package"`
	Added      []SignatureAdded `json:"added"`
	Files      []string         `json:"files"`
	Signatures int              `json:"signatures"`
}

// SignatureAdded describes one signature CoSign added.
type SignatureAdded struct {
	ID                 string `json:"id"`
	Format             string `json:"format"`
	KeyFingerprint     string `json:"key_fingerprint"`
	CertificateSubject string `json:"certificate_subject,omitempty"`
	Timestamped        bool   `json:"timestamped"`
}

// InspectReport is the outcome of Inspect (`inspect --format json`).
type InspectReport struct {
	*verify.Summary
	Signers []InspectSigner `json:"signers"`
}

// InspectSigner is one signature as the package describes it.
type InspectSigner struct {
	ID           string `json:"id"`
	Format       string `json:"format"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"role,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Fingerprint  string `json:"key_fingerprint,omitempty"`
	Certificate  string `json:"certificate_subject,omitempty"`
	// Valid says the signature matches the package's bytes; it says
	// nothing about who made it (Verify with trust does).
	Valid      bool   `json:"signature_matches"`
	Time       string `json:"time,omitempty"`
	TimeSource string `json:"time_source,omitempty"`
}

// NarrativeOptions controls Narrative.
type NarrativeOptions struct {
	Output    string // the file to write
	Force     bool   // replace Output if it exists
	Templates string // a folder of templates over the built-in ones
	Paper     string
	Edition   edition.Edition
	Date      time.Time
	Markdown  bool // write the Markdown the templates produce instead of the PDF
	Version   string
	Fonts     []string // TrueType files for characters the narrative's fonts lack
	// Lang is the narrative's language: en, fr or es; empty picks the
	// case's main language if casepack writes it, else en.
	Lang string
}

// NarrativeReport is the outcome of Narrative.
type NarrativeReport struct {
	Case     string            `json:"case"`
	Output   string            `json:"output"`
	Edition  edition.Edition   `json:"edition"`
	Lang     string            `json:"lang"`
	Findings []finding.Finding `json:"findings"`
	// Translation says which of the case's texts the narrative shows
	// untranslated (and marked); nil in the case's own language.
	Translation *translation.Status `json:"translation,omitempty"`
}

// AnnexesOptions controls Annexes.
type AnnexesOptions struct {
	OutDir  string
	Force   bool // replace the annexes an earlier run wrote in OutDir
	Edition edition.Edition
	Date    time.Time
	Version string
	Warn    func(string)
	// Lang is the language of the sheet names, headers and the words the
	// registers print: en, fr or es; empty picks the case's main language
	// if casepack writes it, else en.
	Lang string
}

// AnnexesReport is the outcome of Annexes (`annexes --format json`): every
// file written, with its SHA-256.
type AnnexesReport struct {
	Case     string            `json:"case"`
	Edition  edition.Edition   `json:"edition"`
	Lang     string            `json:"lang"`
	Date     string            `json:"date"`
	Files    []WrittenFile     `json:"files"`
	Findings []finding.Finding `json:"-"`
}

// WrittenFile is a file an operation wrote, with its digest.
type WrittenFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// KeygenReport is the outcome of Keygen (`keygen --format json`).
type KeygenReport struct {
	PrivateKey  string `json:"private_key"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
}

// InitOptions controls Init.
type InitOptions struct {
	Form   caseform.Form // the case file's form (JSON when empty)
	Sample string        // "minimal" (default) or "la-vega"
}

// InitReport is the outcome of Init.
type InitReport struct {
	Dir  string        `json:"dir"`
	File string        `json:"file"`
	Form caseform.Form `json:"form"`
}

// ConvertOptions controls Convert.
type ConvertOptions = caseform.ConvertOptions

// ConvertReport is the outcome of Convert (`convert --format json`).
type ConvertReport struct {
	*caseform.ConvertReport
	// CaseFiles lists the case files in the target's folder when it now
	// holds more than one, which casepack cannot read as one case.
	CaseFiles []string `json:"-"`
}

// AddOptions controls AddEvidence.
type AddOptions = intake.Options

// AddReport is the outcome of AddEvidence (`evidence add --format json`).
type AddReport = intake.Report

// CheckEditionReport is the outcome of CheckEdition (`check-edition
// --format json`).
type CheckEditionReport struct {
	Case string `json:"case"`
	*edition.CheckReport
	// EvidenceItems is how many evidence items the case has.
	EvidenceItems int               `json:"-"`
	Findings      []finding.Finding `json:"-"`
}
