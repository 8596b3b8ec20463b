package finding

// Scope says what a code is about, and so which command reports it.
type Scope string

const (
	// Case: case data (validate; build refuses to build on an error).
	Case Scope = "case"
	// Package: a package's files and manifests (verify, build's check after
	// writing).
	Package Scope = "package"
	// Signature: a package's signatures and time-stamps (verify, sign).
	Signature Scope = "signature"
	// Archive: a package as stored in an archive root (archive add, audit,
	// get, sync), beside the package and signature codes.
	Archive Scope = "archive"
)

// Info documents one code: one row of Table.
type Info struct {
	Code Code
	// Severity is what a finding of this code is unless Also applies.
	Severity Severity
	// Also is the other severity some findings of this code have ("" when
	// none); Meaning says when.
	Also  Severity
	Scope Scope
	// At says what a package finding's Path names ("" for case data, which
	// is located by file, line, column and pointer).
	At      string
	Meaning string
}

// The codes of case data (Scope Case).
const (
	JSONSyntax   Code = "CP-JSON-SYNTAX"
	JSONDupKey   Code = "CP-JSON-DUPKEY"
	JSONUTF8     Code = "CP-JSON-UTF8"
	JSONTrailing Code = "CP-JSON-TRAILING"
	JSONTooBig   Code = "CP-JSON-TOOBIG"
	JSONDepth    Code = "CP-JSON-DEPTH"

	SchemaRequired Code = "CP-SCHEMA-REQUIRED"
	SchemaUnknown  Code = "CP-SCHEMA-UNKNOWN"
	SchemaType     Code = "CP-SCHEMA-TYPE"
	SchemaEnum     Code = "CP-SCHEMA-ENUM"
	SchemaFormat   Code = "CP-SCHEMA-FORMAT"
	SchemaPattern  Code = "CP-SCHEMA-PATTERN"
	SchemaRange    Code = "CP-SCHEMA-RANGE"
	SchemaLength   Code = "CP-SCHEMA-LENGTH"
	SchemaUnique   Code = "CP-SCHEMA-UNIQUE"
	SchemaOther    Code = "CP-SCHEMA-OTHER"

	IDDuplicate     Code = "CP-ID-DUPLICATE"
	RefDangling     Code = "CP-REF-DANGLING"
	RefRole         Code = "CP-REF-ROLE"
	CiteDangling    Code = "CP-CITE-DANGLING"
	CiteLocator     Code = "CP-CITE-LOCATOR"
	CitePinpoint    Code = "CP-CITE-PINPOINT"
	TextHTML        Code = "CP-TEXT-HTML"
	TextGlyph       Code = "CP-TEXT-GLYPH"
	TextRTL         Code = "CP-TEXT-RTL"
	TextControl     Code = "CP-TEXT-CONTROL"
	TextBidi        Code = "CP-TEXT-BIDI"
	TextBlank       Code = "CP-TEXT-BLANK"
	DateRange       Code = "CP-DATE-RANGE"
	URLScheme       Code = "CP-URL-SCHEME"
	DateInvalid     Code = "CP-DATE-INVALID"
	DateOrder       Code = "CP-DATE-ORDER"
	CustodyOrder    Code = "CP-CUSTODY-ORDER"
	MinorAge        Code = "CP-MINOR-AGE"
	DeathOutside    Code = "CP-DEATH-OUTSIDE"
	FileMissing     Code = "CP-FILE-MISSING"
	FileNotRegular  Code = "CP-FILE-NOT-REGULAR"
	PathUnsafe      Code = "CP-PATH-UNSAFE"
	PathSymlink     Code = "CP-PATH-SYMLINK"
	PathNonportable Code = "CP-PATH-NONPORTABLE"
	FileClash       Code = "CP-FILE-CLASH"
	PathPercent     Code = "CP-PATH-PERCENT"
	HashMismatch    Code = "CP-HASH-MISMATCH"
	EvidenceUncited Code = "CP-EVIDENCE-UNCITED"
	ConsentScope    Code = "CP-CONSENT-SCOPE"

	// Translations of the case's texts (translations).
	TranslationTarget    Code = "CP-TRANSLATION-TARGET"
	TranslationNotText   Code = "CP-TRANSLATION-NOT-TEXT"
	TranslationLine      Code = "CP-TRANSLATION-LINE"
	TranslationDuplicate Code = "CP-TRANSLATION-DUPLICATE"
	TranslationLanguage  Code = "CP-TRANSLATION-LANGUAGE"
	// The checklist of the art. 53(1) test and the elements of each crime
	// (schema/checklist.go): warnings that say what is not yet argued or
	// proved.
	CheckUnargued    Code = "CP-CHECK-UNARGUED"
	CheckUnsupported Code = "CP-CHECK-UNSUPPORTED"
	CheckUnverified  Code = "CP-CHECK-UNVERIFIED"
	CheckLiability   Code = "CP-CHECK-LIABILITY"
	CheckDeath       Code = "CP-CHECK-DEATH"

	// The YAML form (case.yaml).
	YAMLSyntax  Code = "CP-YAML-SYNTAX"
	YAMLDupKey  Code = "CP-YAML-DUPKEY"
	YAMLUTF8    Code = "CP-YAML-UTF8"
	YAMLFeature Code = "CP-YAML-FEATURE"
	YAMLTooBig  Code = "CP-YAML-TOOBIG"

	// The workbook form (case.xlsx).
	XLSXRead   Code = "CP-XLSX-READ"
	XLSXTooBig Code = "CP-XLSX-TOOBIG"
	XLSXSheet  Code = "CP-XLSX-SHEET"
	XLSXHeader Code = "CP-XLSX-HEADER"
	XLSXRow    Code = "CP-XLSX-ROW"
	XLSXCell   Code = "CP-XLSX-CELL"
)

// The codes of a package (Scope Package).
const (
	BagBagit                Code = "CP-BAG-BAGIT"
	BagInfo                 Code = "CP-BAG-INFO"
	BagOxum                 Code = "CP-BAG-OXUM"
	BagMissing              Code = "CP-BAG-MISSING"
	BagExtra                Code = "CP-BAG-EXTRA"
	BagModified             Code = "CP-BAG-MODIFIED"
	BagManifestModified     Code = "CP-BAG-MANIFEST-MODIFIED"
	BagManifestSyntax       Code = "CP-BAG-MANIFEST-SYNTAX"
	BagManifestNoncanonical Code = "CP-BAG-MANIFEST-NONCANONICAL"
	BagPathUnsafe           Code = "CP-BAG-PATH-UNSAFE"
	BagPathCollision        Code = "CP-BAG-PATH-COLLISION"
	BagUnreadable           Code = "CP-BAG-UNREADABLE"
	BagFetch                Code = "CP-BAG-FETCH"
	BagTagUnknown           Code = "CP-BAG-TAG-UNKNOWN"
	BagAlgorithm            Code = "CP-BAG-ALGORITHM"
	BagSystemFile           Code = "CP-BAG-SYSTEM-FILE"
	ZipUnsafe               Code = "CP-ZIP-UNSAFE"
	CasepackManifest        Code = "CP-CASEPACK-MANIFEST"
	CasepackMismatch        Code = "CP-CASEPACK-MISMATCH"
	CasepackWithheld        Code = "CP-CASEPACK-WITHHELD"
)

// The codes of signatures and time-stamps (Scope Signature).
const (
	SigInvalid     Code = "CP-SIG-INVALID"
	SigUntrusted   Code = "CP-SIG-UNTRUSTED"
	SigMissing     Code = "CP-SIG-MISSING"
	SigNoneTrusted Code = "CP-SIG-NONE-TRUSTED"
	SigIncomplete  Code = "CP-SIG-INCOMPLETE"
	SigExtra       Code = "CP-SIG-EXTRA"
	SigLabel       Code = "CP-SIG-LABEL"
	SigNoManifest  Code = "CP-SIG-NO-MANIFEST"
	TSAInvalid     Code = "CP-TSA-INVALID"
	TSAUntrusted   Code = "CP-TSA-UNTRUSTED"
)

// The codes of a stored package (Scope Archive).
const (
	ArchiveObjectMissing Code = "CP-ARCHIVE-OBJECT-MISSING"
	ArchiveObjectExtra   Code = "CP-ARCHIVE-OBJECT-EXTRA"
	ArchiveObjectChanged Code = "CP-ARCHIVE-OBJECT-CHANGED"
	ArchiveIdentity      Code = "CP-ARCHIVE-IDENTITY"
	ArchiveRecord        Code = "CP-ARCHIVE-RECORD"
	ArchiveUnreadable    Code = "CP-ARCHIVE-UNREADABLE"
)

// Table is the one table of every finding code, in the order the
// documentation lists them. README.md (case data) and packager/FORMAT.md
// (packages and signatures) hold tables generated from it: run
// `go test ./packager/finding -update` after changing it.
var Table = []Info{
	{JSONSyntax, Error, "", Case, "", "case.json is not valid JSON (a missing comma, quote or bracket)"},
	{JSONDupKey, Error, "", Case, "", "a property appears twice in one object; JSON readers would silently keep one"},
	{JSONUTF8, Error, "", Case, "", "the file is not UTF-8 text"},
	{JSONTrailing, Error, "", Case, "", "there is data after the end of the case object"},
	// schema's tests check the two limits against the ones it applies.
	{JSONTooBig, Error, "", Case, "", "the file is larger than 256 MiB"},
	{JSONDepth, Error, "", Case, "", "objects and lists are nested more than 64 deep"},
	{SchemaRequired, Error, "", Case, "", "a required field is missing"},
	{SchemaUnknown, Error, "", Case, "", "a field the format does not know (often a typo)"},
	{SchemaType, Error, "", Case, "", "a value of the wrong kind (text where a number is needed, …)"},
	{SchemaEnum, Error, "", Case, "", "a value outside the allowed list"},
	{SchemaFormat, Error, "", Case, "", "a malformed date, time, e-mail address or URL"},
	{SchemaPattern, Error, "", Case, "", "a value not in the required form (IDs, digests, dates with precision)"},
	{SchemaRange, Error, "", Case, "", "a number out of range"},
	{SchemaLength, Error, "", Case, "", "text or a list that is empty or too long"},
	{SchemaUnique, Error, "", Case, "", "a list that repeats an item"},
	{SchemaOther, Error, "", Case, "", "another schema rule"},
	{IDDuplicate, Error, "", Case, "", "two items share one ID"},
	{RefDangling, Error, "", Case, "", "a reference to an ID that does not exist"},
	{RefRole, Error, "", Case, "", "a reference to a person without the role it needs (e.g. a victim ID that is not a victim)"},
	{CiteDangling, Error, "", Case, "", "a citation in text ([EV-…] or [RS …]) of evidence or an authority that does not exist"},
	{CiteLocator, Error, "", Case, "", "a citation whose pinpoint cannot be read (write [EV-0005 @ 00:01:12], [EV-0025 p. 3], [EV-0026 para. 4])"},
	{CitePinpoint, Warning, "", Case, "", "a pinpoint that does not fit the item: a time in something that is not a recording, past its duration, or a page past its page count"},
	{TextHTML, Error, "", Case, "", "raw HTML in case text: the narrative refuses it in Markdown, and a browser or spreadsheet showing plain text could obey it"},
	{TextGlyph, Error, "", Case, "", "a character no embedded font can draw (the narrative would lose it): give a font that has it with --font FILE"},
	{TextRTL, Error, "", Case, "", "right-to-left text (Arabic, Hebrew…), which the narrative cannot lay out and would print reversed"},
	{TextControl, Error, "", Case, "", "a control character (ESC, BEL, NUL, a lone CR…) in text; only tabs and, in long text, line breaks are text"},
	{TextBidi, Error, "", Case, "", "an invisible bidirectional control (U+202A–U+202E, U+2066–U+2069) that reorders how a name or text is shown"},
	{TextBlank, Error, "", Case, "", "text of spaces only"},
	{DateRange, Error, "", Case, "", "a date outside 1900–2100, or the range its field allows (an authority's date: 1000–2100); year 0000 or 9999 is a slip or a placeholder"},
	{URLScheme, Error, "", Case, "", "a link that is not an http:// or https:// address (javascript:, data:, file:…)"},
	{DateInvalid, Error, "", Case, "", "a date that does not exist (e.g. 2021-02-30)"},
	{DateOrder, Error, "", Case, "", "an end before its start"},
	{CustodyOrder, Error, "", Case, "", "custody events out of time order"},
	{MinorAge, Error, "", Case, "", "the minor flag disagrees with the age"},
	{DeathOutside, Warning, "", Case, "", "a death outside its incident's dates"},
	{FileMissing, Error, "", Case, "", "an evidence file that is not in the case folder"},
	{FileNotRegular, Error, "", Case, "", "an evidence path that is a folder or a device, not a file"},
	{PathUnsafe, Error, "", Case, "", "an evidence path that is absolute or leaves the case folder"},
	{PathSymlink, Error, "", Case, "", "an evidence path through a symbolic link that leads out of the case folder"},
	{PathNonportable, Error, "", Case, "", "a file name Windows or macOS cannot hold"},
	{FileClash, Error, "", Case, "", "two files of one item whose names would collide in the package"},
	{PathPercent, Warning, "", Case, "", "a file name with '%', which the manifests must write as %25, so sha256sum -c cannot check it and bagit-python reports it missing; build --rename-unsafe stores it with '_' for '%'"},
	{HashMismatch, Error, "", Case, "", "an evidence file whose SHA-256 differs from the one recorded at acquisition"},
	{EvidenceUncited, Warning, "", Case, "", "an evidence item cited nowhere"},
	{ConsentScope, Warning, "", Case, "", "evidence covered by a consent that does not allow sharing with the ICC, or was withdrawn"},
	{TranslationTarget, Error, "", Case, "", "a translation whose JSON pointer names no text of the case (no such field or item, or an empty one)"},
	{TranslationNotText, Error, "", Case, "", "a translation of something that is not a text (an ID, date, number or fixed value) or of a person's protected detail"},
	{TranslationLine, Error, "", Case, "", "a translation with a line break of a one-line text (a title, a name)"},
	{TranslationDuplicate, Error, "", Case, "", "one text translated twice into one language"},
	{TranslationLanguage, Warning, "", Case, "", "a translation into the case's main language (the first of submission.languages)"},
	{CheckUnargued, Warning, "", Case, "", "checklist: an element of the art. 53(1) test, a contextual element of crimes against humanity, an element of a charged crime, a search or an art. 17 indicator that is not argued, a national proceeding that does not say whether it concerns the same person and conduct, or no potential case"},
	{CheckUnsupported, Warning, "", Case, "", "checklist: an element whose argument cites no evidence, or that the sender assesses unsupported"},
	{CheckUnverified, Warning, "", Case, "", "checklist: an element whose argument cites only evidence that is not verified or partly verified"},
	{CheckLiability, Warning, "", Case, "", "checklist: a person of interest (alleged perpetrator) with no mode of liability"},
	{CheckDeath, Warning, "", Case, "", "checklist: a victim's death with no evidence of its place, its time or the unit that caused it"},
	{YAMLSyntax, Error, "", Case, "", "case.yaml is not valid YAML (indentation, a missing colon, unquoted text with ': '), holds two documents, or nests more than 64 deep"},
	{YAMLDupKey, Error, "", Case, "", "a field appears twice in one block; YAML readers would silently keep one"},
	{YAMLUTF8, Error, "", Case, "", "case.yaml is not UTF-8 text"},
	{YAMLFeature, Error, "", Case, "", "an alias (*name), merge key (<<) or custom tag: a case file writes every value out"},
	{YAMLTooBig, Error, "", Case, "", "case.yaml is larger than 256 MiB"},
	{XLSXRead, Error, "", Case, "", "case.xlsx cannot be read as a workbook (damaged, encrypted, or not .xlsx)"},
	{XLSXTooBig, Error, "", Case, "", "case.xlsx is larger than 256 MiB"},
	{XLSXSheet, Warning, Error, Case, "", "a sheet casepack does not know, which it ignores (warning); a misspelt register name, or one register on two sheets (error)"},
	{XLSXHeader, Error, "", Case, "", "a column header (or a label) that is repeated, missing above values, or a missing key column (evidence_id…)"},
	{XLSXRow, Error, "", Case, "", "a row that cannot be placed: it names no parent item, one not on its sheet, or repeats a number"},
	{XLSXCell, Error, "", Case, "", "a cell that shows an error (#N/A) instead of a value; on writing, a text over 32,767 characters or with a control character, which a cell cannot hold"},

	{BagBagit, Error, "", Package, "bagit.txt", "bagit.txt missing, unreadable, with a byte-order mark or white space around a label, or of a version casepack does not read (a package: 1.0 or 0.97 with UTF-8 tag files; another tool's bag: 1.0, 0.97 or 0.96, tag files in any registered encoding)"},
	{BagInfo, Error, Warning, Package, "bag-info.txt", "bag-info.txt unreadable or too large (error); a package's without Payload-Oxum, or lines read although BagIt writes them otherwise: white space before a colon, blank lines, a byte-order mark (warning)"},
	{BagOxum, Error, "", Package, "bag-info.txt", "Payload-Oxum disagrees with the payload present (expected/actual `bytes.files`)"},
	{BagMissing, Error, "", Package, "the file", "a file listed by both manifests of a pair (another tool's bag: by every manifest that lists it), or a required file (bagit.txt, data/, a payload manifest; a package's bag-info.txt, casepack/manifest.json), is absent"},
	{BagExtra, Error, Warning, Package, "the file", "a file no manifest lists (outside signatures/); in another tool's bag, a tag file no tag manifest lists is a warning (RFC 8493 allows it, but nothing shows it came with the bag)"},
	{BagModified, Error, "", Package, "the file", "the file's digest matches no manifest that lists it"},
	{BagManifestModified, Error, Warning, Package, "the manifest", "a manifest line disagrees with the file while another algorithm's manifest agrees; or one manifest lacks a line another has, or lists an absent file another does not (a warning in a BagIt 0.97 bag, where manifests need not list every file)"},
	{BagManifestSyntax, Error, "", Package, "the manifest", "a line that cannot be read; a manifest over the size limit"},
	{BagManifestNoncanonical, Warning, "", Package, "the manifest", "readable but not in the canonical form of §4.1; in another tool's bag, lines read although RFC 8493 writes them otherwise (md5sum's `*`, a leading `./`, a `%` not percent-encoded, blank lines, a byte-order mark), and paths matched to a file in another Unicode normalisation"},
	{BagPathUnsafe, Error, "", Package, "the manifest or the file", "a manifest path that is absolute, has `..`, a backslash, a drive letter…, or is in the wrong manifest; a symbolic link or special file in the package"},
	{BagPathCollision, Error, Warning, Package, "the manifest or the file", "a duplicate path, or two paths equal after case folding and NFC; in another tool's bag, a path listed twice with the same digest (BagIt 0.97) or two spellings of one name with the same digest are a warning"},
	{BagUnreadable, Error, "", Package, "the file", "a file of the package could not be read (permission denied, a disk error): the reader's problem, not the package's; alone, verify exits 1, not 4"},
	{BagFetch, Error, Warning, Package, "fetch.txt", "a fetch.txt: files to download from elsewhere (a package is always complete and never has one); paths in it that would land outside the bag are named. In another tool's bag it is unsupported remote content: a warning when every line is well formed and safe (casepack downloads nothing; a listed file that is absent is CP-BAG-MISSING), an error otherwise"},
	{BagTagUnknown, Warning, "", Package, "the file", "a tag file that neither casepack nor RFC 8493 defines: nothing checks what it says"},
	{BagAlgorithm, Warning, "", Package, "the manifest", "another tool's bag: a manifest of MD5 or SHA-1, digests that can be forged (checked, but a swapped file could match), or of an algorithm casepack cannot compute (not checked)"},
	{BagSystemFile, Warning, "", Package, "the file", "another tool's bag: an operating system's own file in the payload (.DS_Store, Thumbs.db, desktop.ini…), most likely bagged by accident"},
	{ZipUnsafe, Error, "", Package, "the entry", "a ZIP entry that is a symlink, escapes or lies outside the single top folder, is duplicated or collides, is both file and folder, declares an impossible or absurd size, uses an unknown method, or cannot be read as declared"},
	{CasepackManifest, Error, "", Package, "casepack/manifest.json", "unreadable, too large, or of an unknown format"},
	{CasepackMismatch, Error, "", Package, "casepack/manifest.json", "disagrees with the BagIt manifests or the files (size, digest, listing)"},
	{CasepackWithheld, Error, "", Package, "the file", "a file marked withheld is present in the package"},

	{SigInvalid, Error, "", Signature, "the signature file or the PDF", "a signature that does not verify over tagmanifest-sha256.txt, is malformed or cannot be read; a PDF signature that does not cover the PDF as it is"},
	{SigUntrusted, Warning, "", Signature, "the signature file or the PDF", "a valid signature whose signer is not among the trusted keys and certificates"},
	{SigMissing, Warning, Error, Signature, "signatures/", "the package carries no signature (an error when a signature is required)"},
	{SigNoneTrusted, Error, "", Signature, "signatures/", "signatures exist but none is both valid and by a trusted signer (when a signature is required)"},
	{SigIncomplete, Error, "", Signature, "the signature file", "a signature lacks a file it needs (its .sig or .p7s, the public key, the label, the time-stamp)"},
	{SigExtra, Error, "", Signature, "the file", "a file in signatures/ that belongs to no signature"},
	{SigLabel, Error, Warning, Signature, "the label", "the signer label is not signed, was changed, is malformed or contradicts the signature (error); there is no label (warning)"},
	{SigNoManifest, Error, "", Signature, "tagmanifest-sha256.txt", "the signed file cannot be read"},
	{TSAInvalid, Error, "", Signature, "the time-stamp", "a time-stamp token that is malformed, badly signed, or for other data"},
	{TSAUntrusted, Warning, "", Signature, "the time-stamp", "a valid time-stamp from an authority the verifier does not trust"},

	{ArchiveObjectMissing, Error, "", Archive, "the file, or the ZIP", "an object the package's commit record lists is gone from the archive"},
	{ArchiveObjectExtra, Error, "", Archive, "the file", "an object in the package's upload folder that its commit record does not list (added after it was stored)"},
	{ArchiveObjectChanged, Error, "", Archive, "the file, or the ZIP", "a stored object's size, or a stored ZIP's SHA-256, differs from its commit record"},
	{ArchiveIdentity, Error, "", Archive, "tagmanifest-sha256.txt or signatures/", "the tag manifest or the signature files no longer give the ID the package is stored under"},
	{ArchiveRecord, Error, "", Archive, "the record", "the package's commit record cannot be read or is not valid"},
	{ArchiveUnreadable, Error, "", Archive, "the ZIP", "the stored ZIP can no longer be opened as a ZIP"},
}

var byCode = func() map[Code]Info {
	m := make(map[Code]Info, len(Table))
	for _, i := range Table {
		m[i.Code] = i
	}
	return m
}()

// Lookup returns the table's row for code.
func Lookup(code Code) (Info, bool) {
	i, ok := byCode[code]
	return i, ok
}

// SeverityOf is the severity the table gives code (Error for a code it does
// not know, so that an unknown problem is never waved through).
func SeverityOf(code Code) Severity {
	if i, ok := Lookup(code); ok {
		return i.Severity
	}
	return Error
}
