package narrative

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// LetterTemplate is the template of the covering letter, in the template
// folder beside EntryTemplate (a user's folder may replace it too).
const LetterTemplate = "letter.md.tmpl"

// Letter is what the covering letter says about a package. It goes to the
// Office of the Prosecutor with the upload: it names the submission and its
// edition, counts what the package holds and gives the digests that let the
// recipient check that what arrived is what was sent.
type Letter struct {
	Case    *schema.Case
	Edition edition.Edition
	Package string    // the package folder's name
	Date    time.Time // the build date
	// Annexes is the number of annex files (the registers and their CSV
	// twins); EvidenceItems counts the evidence items, EvidenceFiles all
	// their files and WithheldFiles those of them the edition withholds.
	Annexes, EvidenceItems, EvidenceFiles, WithheldFiles int
	// ManifestSHA256 is the SHA-256 of casepack/manifest.json, the
	// evidence manifest. A letter inside the package can carry it (the
	// manifest does not list the letter); it cannot carry the digest of the
	// tag manifest, which lists the letter's own digest.
	ManifestSHA256 string
	// TagManifestSHA256 is the SHA-256 of tagmanifest-sha256.txt, which
	// every signature covers; only the letter written beside the package
	// carries it.
	TagManifestSHA256 string
	// Narratives are the narrative PDFs in the package, one per language
	// ("data/narrative/submission.pdf", or submission.en.pdf,
	// submission.fr.pdf … when the package holds several languages).
	Narratives []string
	// NarrativeDir and NarrativeNames are the same paths as the folder
	// ("data/narrative/") and the file names in it, which the letter
	// prints (LetterMarkdown sets them).
	NarrativeDir   string
	NarrativeNames []string
	// Language is the code of the letter's language ("en", "fr", "es");
	// RenderLetter sets it from LetterOptions.Lang.
	Language string
}

// LetterOptions control RenderLetter.
type LetterOptions struct {
	Templates fs.FS // a user's template folder; nil uses the defaults
	Paper     string
	Version   string
	Fonts     []Font
	// Lang is the letter's language; empty picks the case's main
	// language if casepack writes it, else English.
	Lang string
}

// ErrLetterTooLong is returned when the covering letter does not fit on
// one page (a long title, many signatories or a user's template).
var ErrLetterTooLong = errors.New("the covering letter does not fit on one page")

// LetterMarkdown executes the covering letter's template: the Markdown
// RenderLetter lays out (the public edition's leak check reads it).
func LetterMarkdown(l Letter, opt LetterOptions) ([]byte, error) {
	if l.Case == nil {
		return nil, errors.New("narrative: no case")
	}
	lang, err := LangFor(l.Case, opt.Lang)
	if err != nil {
		return nil, err
	}
	l.Language = lang.Code()
	if len(l.Narratives) == 0 {
		l.Narratives = []string{"data/narrative/submission.pdf"}
	}
	l.NarrativeDir, l.NarrativeNames = path.Dir(l.Narratives[0])+"/", nil
	for _, p := range l.Narratives {
		l.NarrativeNames = append(l.NarrativeNames, path.Base(p))
	}
	t, err := loadTemplates(opt.Templates, (&Data{lang: lang}).funcMap())
	if err != nil {
		return nil, err
	}
	if t.Lookup(LetterTemplate) == nil {
		return nil, fmt.Errorf("templates: no %s", LetterTemplate)
	}
	var md bytes.Buffer
	if err := t.ExecuteTemplate(&md, LetterTemplate, l); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return tidy(md.Bytes()), nil
}

// RenderLetter writes the covering letter as a one-page PDF.
func RenderLetter(ctx context.Context, w io.Writer, l Letter, opt LetterOptions) error {
	md, err := LetterMarkdown(l, opt)
	if err != nil {
		return err
	}
	lang, err := LangFor(l.Case, opt.Lang)
	if err != nil {
		return err
	}
	po := PDFOptionsFor(l.Case, Options{Paper: opt.Paper, Date: l.Date, Edition: l.Edition, Version: opt.Version, Fonts: opt.Fonts, Lang: lang.Code()})
	po.Letter = true
	po.Title = lang.T("letter.title", "title", l.Case.Submission.Title)
	po.Source = LetterTemplate
	var pdf bytes.Buffer
	rep, err := renderPDF(ctx, &pdf, md, po)
	if err != nil {
		return err
	}
	if rep.Pages != 1 {
		return fmt.Errorf("%w (%d pages)", ErrLetterTooLong, rep.Pages)
	}
	_, err = w.Write(pdf.Bytes())
	return err
}
