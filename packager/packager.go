// Package packager is casepack as a library: every operation the command
// line offers, one function each, for any front end (cmd/casepack, the
// archive commands, a local web app). Read this file to see them all.
//
// Case data:
//
//	Validate(ctx, casePath, ValidateOptions)        check a case; every finding at once
//	Convert(ctx, src, dst, ConvertOptions)          write a case as a workbook, YAML or JSON
//	AddEvidence(ctx, casePath, files, AddOptions)   copy, hash and record evidence files
//	Init(dir, InitOptions)                          start a case folder from a sample
//	Schema()                                        the JSON Schema of the case data
//
// Packages:
//
//	CheckEdition(ctx, casePath)                     what the public edition withholds; may it be built
//	Build(ctx, casePath, BuildOptions)              validate, build, sign, verify what was written
//	Verify(ctx, pkgPath, VerifyOptions)             every digest and every signature, findings merged
//	CoSign(ctx, pkgPath, CoSignOptions)             add signatures; verify before and after
//	Inspect(ctx, pkgPath)                           what a package says about itself, unchecked
//
// Archives (a folder or s3://bucket/prefix keeping every package; archive.go):
//
//	ArchiveAdd(ctx, root, pkgs, ArchiveAddOptions)  store packages, verified before and after
//	ArchiveList(ctx, root, ArchiveOptions)          the catalogue: packages, versions, signers
//	ArchiveShow(ctx, root, id, ArchiveOptions)      one stored package
//	ArchiveFind(ctx, root, query, ArchiveOptions)   which packages included or withheld a file
//	ArchiveAudit(ctx, root, ArchiveAuditOptions)    re-hash stored packages, append a fixity record
//	ArchiveGet(ctx, root, id, ArchiveGetOptions)    write a stored package back, verified
//	ArchiveSync(ctx, src, dst, ArchiveSyncOptions)  copy what dst lacks, verified in dst
//	ArchiveReindex(ctx, root, ArchiveOptions)       rebuild the catalogue
//	Verify(ctx, "ROOT/ID", VerifyOptions)           a stored package, checked from the archive
//
// Drafts and keys:
//
//	Narrative(ctx, casePath, NarrativeOptions)      the narrative PDF (or its Markdown) alone
//	Annexes(ctx, casePath, AnnexesOptions)          the XLSX workbook and its CSV twins alone
//	Keygen(name)                                    an Ed25519 key pair for signing
//	LoadSigners(SignerOptions), LoadTrust(files)    credentials for Build, CoSign and Verify
//	Demo(ctx, out, DemoOptions)                     the La Vega sample validated, built both ways, verified
//
// # Reports and errors
//
// Each operation returns one report, whose JSON form is what `casepack
// COMMAND --format json` prints. Its error is nil, or a failure of a class
// of packager/fault (usage, invalid case, failed verification,
// operational), which decides the exit code; the message is written for the
// user and the fault carries a hint. When the case is invalid
// (ErrCaseInvalid) or a package fails verification (ErrVerifyFailed) the
// report is returned too: its findings say why.
//
// The packages below this one each own one job (docs/ARCHITECTURE.md):
// schema (the case format), packager/edition (what a public edition
// holds), packager/assemble (writing a package), packager/verify and
// packager/sign (checking one), packager/finding (the one finding model),
// packager/fault (failure classes). The local web app (packager/serve) is
// a front end on these same calls, like cmd/casepack.
package packager

import (
	"context"
	"errors"

	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/schema"
)

// ErrCaseInvalid is wrapped by the error of an operation refused because
// the case data has errors; the report's findings list them.
var ErrCaseInvalid = errors.New("the case is invalid")

// ErrVerifyFailed is wrapped by the error of a verification that failed;
// the report's findings say what changed.
var ErrVerifyFailed = errors.New("the package failed verification")

// Validate loads a case (a folder holding case.json, case.yaml or
// case.xlsx, or such a file) and checks it against the schema and every
// consistency rule, comparing declared evidence digests unless
// opt.SkipHashes. The error wraps ErrCaseInvalid when a finding is an error.
func Validate(ctx context.Context, casePath string, opt ValidateOptions) (*ValidateReport, error) {
	return validate(ctx, casePath, opt)
}

// Build validates the case and builds its package: evidence copied and
// hashed in one pass, the narrative and annexes generated, manifests
// written and signed, the result verified (signatures included) before it
// is moved into place. An invalid case is refused with its findings
// (ErrCaseInvalid); a case folder is only ever read.
func Build(ctx context.Context, casePath string, opt BuildOptions) (*BuildReport, error) {
	return build(ctx, casePath, opt)
}

// Verify checks a package folder or .zip, or a package inside an archive
// (ROOT/ID or s3://bucket/prefix/ID, checked from the archive): every file
// re-hashed against every manifest, and every signature checked (against
// opt.Trust). The
// error wraps ErrVerifyFailed when the package is not intact or, with
// trust or RequireSignature, has no valid signature by a trusted signer.
func Verify(ctx context.Context, pkgPath string, opt VerifyOptions) (*VerifyReport, error) {
	return verifyPackage(ctx, pkgPath, opt)
}

// CoSign adds a signature by each of opt.Signers to a package, touching
// nothing else. A package that fails verification is not signed; the new
// signatures are verified after writing.
func CoSign(ctx context.Context, pkgPath string, opt CoSignOptions) (*CoSignReport, error) {
	return coSign(ctx, pkgPath, opt)
}

// Inspect summarises a package from its metadata without re-hashing it.
// Signatures are reported as intact or not; who is trusted is Verify's
// question.
func Inspect(ctx context.Context, pkgPath string) (*InspectReport, error) {
	return inspect(ctx, pkgPath)
}

// Narrative renders the narrative PDF of a valid case (or, with
// opt.Markdown, the Markdown the templates produce) to opt.Output.
func Narrative(ctx context.Context, casePath string, opt NarrativeOptions) (*NarrativeReport, error) {
	return renderNarrative(ctx, casePath, opt)
}

// Annexes writes the XLSX workbook and CSV twins of a valid case into
// opt.OutDir, as a build puts them in data/annexes/.
func Annexes(ctx context.Context, casePath string, opt AnnexesOptions) (*AnnexesReport, error) {
	return writeAnnexes(ctx, casePath, opt)
}

// Keygen writes an Ed25519 key pair, name.key (private, readable by its
// owner only) and name.pub.pem, never replacing a file.
func Keygen(name string) (*KeygenReport, error) {
	return keygen(name)
}

// Init starts a case folder dir (which must not exist) from a bundled
// sample, with the case file in the form asked for.
func Init(dir string, opt InitOptions) (*InitReport, error) {
	return initCase(dir, opt)
}

// Convert writes the case at src as the file dst, in the form dst's name
// ends in, after checking that nothing is lost.
func Convert(ctx context.Context, src, dst string, opt ConvertOptions) (*ConvertReport, error) {
	return convert(ctx, src, dst, opt)
}

// AddEvidence copies (or moves) files into the case folder, hashes them and
// records them in the case file with their chain of custody.
func AddEvidence(ctx context.Context, casePath string, files []string, opt AddOptions) (*AddReport, error) {
	return addEvidence(ctx, casePath, files, opt)
}

// Schema is the JSON Schema (draft 2020-12) case data follows.
func Schema() []byte { return schema.JSON }

// invalidCase is the error of an operation refused for invalid case data.
func invalidCase(hint string) error {
	return fault.New(fault.InvalidCase, ErrCaseInvalid, hint)
}
