package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "annexes",
		Usage:     "write the spreadsheet annexes (XLSX workbook and CSV twins) of a case, for drafting",
		ArgsUsage: "CASE",
		Description: "CASE is a case folder holding case.json. The case is validated first;\n" +
			"every evidence file is read once to compute its SHA-256 and SHA-512.\n" +
			"Writes DIR/annexes.xlsx and DIR/csv/<sheet>.csv, the same files a build puts\n" +
			"in data/annexes/. Annexes already in DIR are replaced only with --force, and\n" +
			"DIR may not be inside the case folder or inside a package.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "folder to write the annexes into (created if needed)"},
			&cli.BoolFlag{Name: "force", Usage: "replace the annexes an earlier run wrote in the folder"},
			&cli.StringFlag{Name: "edition", Value: string(edition.Confidential), Usage: "confidential or public (public lists evidence not classified public as withheld)"},
			dateFlag(),
			formatFlag(),
			quietFlag(),
		},
		Action: runAnnexes,
	})
}

// annexesReport is the documented JSON object of `annexes --format json`:
// every file written, with its SHA-256 (for the annex index of a narrative).
type annexesReport struct {
	Case    string          `json:"case"`
	Edition edition.Edition `json:"edition"`
	Date    string          `json:"date"`
	Files   []writtenFile   `json:"files"`
}

type writtenFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

func runAnnexes(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	out := cmd.String("output")
	if out == "" {
		return usageErrorf("missing -o DIR: casepack annexes CASE -o DIR")
	}
	edition, err := editionFlag(cmd)
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}

	// Declared digests are compared while hashing below: one read per file.
	doc, findings, err := loadValid(ctx, path, schema.Options{SkipHashes: true})
	if err != nil {
		return err
	}
	if err := checkAnnexesOut(out, doc.Dir, cmd.Bool("force")); err != nil {
		return err
	}
	if nerr, _ := finding.Count(findings); nerr > 0 {
		printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), doc.Path)
		fmt.Fprintln(cmd.Root().ErrWriter, "casepack: hint: the annexes are written only from valid case data; fix the errors above (casepack validate lists them)")
		return silentExit(exitInvalidCase)
	}
	if format == "text" {
		printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), doc.Path)
	}

	files, err := annex.DraftFiles(ctx, doc.Dir, doc.Case, edition)
	if err != nil {
		if errors.Is(err, annex.ErrDigestMismatch) {
			return withHint(exitInvalidCase, err, "if the file is the right one, correct its sha256 in case.json; otherwise restore the original file")
		}
		return err
	}
	// The digest of the case.json a package of this case carries.
	canonical, err := schema.Canonical(doc.Case)
	if err != nil {
		return err
	}
	opt := annex.Options{
		Date:       date,
		Edition:    edition,
		Version:    version,
		CaseSHA256: digest.SHA256(canonical),
	}
	written, err := writeAnnexes(ctx, doc.Case, files, opt, out, cmd.Bool("force"), func(msg string) { warnf(cmd.Root().ErrWriter, "%s", msg) })
	if err != nil {
		return err
	}

	if format == "json" {
		return writeJSON(cmd.Root().Writer, annexesReport{Case: doc.Path, Edition: edition, Date: date.Format(time.RFC3339), Files: written})
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(cmd.Root().Writer, "%s: wrote %s and %d CSV files in %s (%s edition)\n",
			doc.Path, annex.XLSXName, len(written)-1, filepath.Join(out, annex.CSVDir), edition)
	}
	return nil
}

// writeAnnexes writes the annexes into a temporary folder inside out and
// puts the workbook and the CSV folder in place together (one
// atomicfs.Unit, "annexes") only once all are written, so a failure or a
// crash leaves out as it was. Earlier annexes in out are replaced.
func writeAnnexes(ctx context.Context, c *schema.Case, files []annex.FileInfo, opt annex.Options, out string, force bool, warn func(string)) (written []writtenFile, err error) {
	made, err := atomicfs.MkdirAll(out, 0o755)
	if err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	defer func() {
		if err != nil {
			made.Remove()
		}
	}()
	d, err := atomicfs.OpenDir(out, atomicfs.Options{})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	u, err := d.Unit("annexes")
	if err != nil {
		return nil, err
	}
	lock, err := u.Acquire(warn)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	// Again, now that no other command writes here.
	if err := checkAnnexesOut(out, "", force); err != nil {
		return nil, err
	}
	tmp, err := d.MkdirTemp("annexes")
	if err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	keep := false // a failed undo may have left earlier annexes in tmp
	defer func() {
		if !keep {
			d.RemoveAll(tmp)
		}
	}()
	opt.TmpDir = d.Join(tmp)
	stage := filepath.Join(tmp, "annexes")
	if err := annex.WriteDir(ctx, c, files, opt, d.Join(stage)); err != nil {
		return nil, err
	}
	names := append([]string{annex.XLSXName}, prefixed(annex.CSVDir, annex.CSVNames())...)
	for _, name := range names {
		sum, err := fileSHA256(ctx, d.Join(filepath.Join(stage, name)))
		if err != nil {
			return nil, err
		}
		written = append(written, writtenFile{Path: filepath.Join(out, name), SHA256: sum})
	}
	err = u.Publish(
		atomicfs.Change{New: filepath.Join(stage, annex.XLSXName), Target: annex.XLSXName, Replace: force},
		atomicfs.Change{New: filepath.Join(stage, annex.CSVDir), Target: annex.CSVDir, Replace: force},
	)
	var ie *atomicfs.IncompleteError
	keep = errors.As(err, &ie)
	if err != nil {
		return nil, fmt.Errorf("write the annexes in %s: %w", out, err)
	}
	return written, nil
}

// checkAnnexesOut refuses an -o folder inside the case folder or a package,
// and annexes already there unless force; with force, only a workbook file
// and a csv folder holding nothing but annex twins are replaced.
func checkAnnexesOut(out, caseDir string, force bool) error {
	if err := destination.Place(out, caseDir); err != nil {
		return destinationError(fmt.Errorf("-o %w", err), "")
	}
	if err := destination.New(filepath.Join(out, annex.XLSXName), force); err != nil {
		return destinationError(err, "--force")
	}
	csvOut := filepath.Join(out, annex.CSVDir)
	if !force {
		if err := destination.New(csvOut, false); err != nil {
			return destinationError(err, "--force")
		}
		return nil
	}
	return checkOnlyOurCSV(csvOut)
}

// checkOnlyOurCSV refuses to replace a csv folder that holds anything but
// annex twins: it is not ours to delete.
func checkOnlyOurCSV(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	ours := annex.CSVNames()
	for _, e := range entries {
		if !e.Type().IsRegular() || !slices.Contains(ours, e.Name()) {
			return withHint(exitOperational,
				fmt.Errorf("%s: holds %s, which casepack did not write", dir, e.Name()),
				"choose another -o folder, or move that file away")
		}
	}
	return nil
}

func prefixed(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	d, err := digest.ReadSHA256(ctx, f)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return d.SHA256, nil
}
