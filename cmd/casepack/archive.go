package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/urfave/cli/v3"
)

// casepack archive: keeping packages, one call each to the archive
// operations of the domain API (packager/archive.go). This file parses
// flags; archive_report.go prints.

const archiveRootHelp = "ROOT is a folder (made on the first add) or s3://bucket/prefix. For S3,\n" +
	"credentials come from the standard AWS environment (AWS_ACCESS_KEY_ID and\n" +
	"AWS_SECRET_ACCESS_KEY, or AWS_PROFILE and ~/.aws/credentials), the service\n" +
	"from --endpoint or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (default Amazon\n" +
	"S3), the region from --region or AWS_REGION. No secret is ever taken on\n" +
	"the command line."

func init() {
	subs := []*cli.Command{archiveAddCmd(), archiveListCmd(), archiveShowCmd(), archiveFindCmd(), archiveAuditCmd(),
		archiveGetCmd(), archiveSyncCmd(), archiveReindexCmd()}
	for _, c := range subs {
		c.OnUsageError = func(_ context.Context, _ *cli.Command, err error, _ bool) error { return usageErrorf("%v", err) }
		c.Flags = append(c.Flags, s3Flags()...)
	}
	register(&cli.Command{
		Name:  "archive",
		Usage: "keep every package on a disk or in an S3 bucket: add, list, show, find, audit, get, sync, reindex",
		Description: "An archive keeps packages verbatim and immutable, each verified before it is\n" +
			"stored and again from the store; its catalogue tracks which package included\n" +
			"or withheld which evidence file; audits re-hash everything and append a\n" +
			"fixity record to the archive itself. docs/ARCHIVE.md describes the layout.\n\n" +
			archiveRootHelp + "\n\n" + exitCodeHelp,
		Commands: subs,
	})
}

func s3Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "endpoint", Usage: "S3 service URL for s3:// roots (default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else Amazon S3)"},
		&cli.StringFlag{Name: "region", Usage: "S3 region (default AWS_REGION, AWS_DEFAULT_REGION)"},
		&cli.StringFlag{Name: "profile", Usage: "AWS profile for the credentials (default AWS_PROFILE)"},
		&cli.StringFlag{Name: "credentials-file", Usage: "AWS shared credentials file to read instead of ~/.aws/credentials"},
	}
}

// archiveArgs reads what every archive subcommand starts with: --format,
// between min and max positional arguments (max < 0: any number), the S3
// flags and the check flags (--trust, --require-signature, --workers)
// where it has them.
func archiveArgs(cmd *cli.Command, min, max int, usage string) (format string, args []string, opt packager.ArchiveOptions, err error) {
	if format, err = outputFormat(cmd); err != nil {
		return "", nil, opt, err
	}
	if n := cmd.NArg(); n < min || (max >= 0 && n > max) {
		return "", nil, opt, usageErrorf("casepack archive %s takes %s, got %s", cmd.Name, usage, humanize.Count(n, "argument"))
	}
	tr, err := packager.LoadTrust(cmd.StringSlice("trust"))
	if err != nil {
		return "", nil, opt, err
	}
	opt = packager.ArchiveOptions{S3: s3Config(cmd), Version: version, Trust: tr, RequireSignature: cmd.Bool("require-signature"), Workers: int(cmd.Int("workers"))}
	return format, cmd.Args().Slice(), opt, nil
}

// s3Config reads the S3 flags.
func s3Config(cmd *cli.Command) store.S3Config {
	return store.S3Config{Endpoint: cmd.String("endpoint"), Region: cmd.String("region"),
		Profile: cmd.String("profile"), CredentialsFile: cmd.String("credentials-file")}
}

// archiveAction is the action of a subcommand that runs one operation and
// prints its report: as JSON, or as text.
func archiveAction[T any](min, max int, usage string, op func(ctx context.Context, cmd *cli.Command, args []string, opt packager.ArchiveOptions) (T, error),
	text func(cmd *cli.Command, w, ew io.Writer, rep T, opt packager.ArchiveOptions)) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		format, args, opt, err := archiveArgs(cmd, min, max, usage)
		if err != nil {
			return err
		}
		rep, err := op(ctx, cmd, args, opt)
		if err != nil {
			return err
		}
		return emit(cmd, format, rep, func(w, ew io.Writer) { text(cmd, w, ew, rep, opt) })
	}
}

// told says whether err is one the report just printed explains (a
// damaged package, packages not dealt with): nothing more is printed.
func told(err error) bool {
	return errors.Is(err, packager.ErrVerifyFailed) || errors.Is(err, packager.ErrArchivePartial)
}

// emit prints v as the one JSON object of --format json, or calls text.
func emit(cmd *cli.Command, format string, v any, text func(stdout, stderr io.Writer)) error {
	if format == "json" {
		return writeJSON(cmd.Root().Writer, v)
	}
	text(cmd.Root().Writer, cmd.Root().ErrWriter)
	return nil
}

// retention reads --retain-until and --retention-mode.
func retention(cmd *cli.Command, now time.Time) (*store.Retention, error) {
	s := cmd.String("retain-until")
	if s == "" {
		if cmd.IsSet("retention-mode") {
			return nil, usageErrorf("--retention-mode needs --retain-until DATE")
		}
		return nil, nil
	}
	var until time.Time
	var err error
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if until, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, usageErrorf("--retain-until %q: use YYYY-MM-DD or an RFC 3339 time", s)
	}
	if !until.After(now) {
		return nil, usageErrorf("--retain-until %s is not in the future", s)
	}
	mode, err := store.ParseRetentionMode(cmd.String("retention-mode"))
	if err != nil {
		return nil, usageErrorf("--retention-mode %q: must be governance or compliance", cmd.String("retention-mode"))
	}
	return &store.Retention{Mode: mode, Until: until.UTC()}, nil
}

func retentionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "retain-until", Usage: "lock every stored object until this date (YYYY-MM-DD; S3 buckets with Object Lock only)"},
		&cli.StringFlag{Name: "retention-mode", Value: "governance", Usage: "governance (a privileged user may lift the lock) or compliance (nobody can, until the date)"},
	}
}

func archiveAddCmd() *cli.Command {
	return &cli.Command{
		Name:      "add",
		Usage:     "store packages (folders or ZIPs), each verified before and after, never overwritten",
		ArgsUsage: "ROOT PKG…",
		Description: "Verifies each package (every file, both algorithms, every signature) and\n" +
			"refuses one that fails (exit 4) before storing anything of it. It is stored\n" +
			"as given (a folder as files, a ZIP as one object), checked again from the\n" +
			"archive, and only then committed. A package is identified by the SHA-256 of\n" +
			"its tag manifest and of its signatures: adding it again does nothing, and a\n" +
			"co-signed package becomes a new version beside the first.\n\n" + archiveRootHelp,
		Flags: append(append([]cli.Flag{
			&cli.BoolFlag{Name: "require-signature", Usage: "refuse a package without a valid signature by a trusted signer"},
			workersFlag(), progressFlag(), formatFlag(), quietFlag(),
		}, trustFlags()...), retentionFlags()...),
		Action: runArchiveAdd,
	}
}

func runArchiveAdd(ctx context.Context, cmd *cli.Command) error {
	format, args, aopt, err := archiveArgs(cmd, 2, -1, "ROOT and at least one PKG")
	if err != nil {
		return err
	}
	opt := packager.ArchiveAddOptions{ArchiveOptions: aopt}
	if opt.Retention, err = retention(cmd, time.Now()); err != nil {
		return err
	}
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	var bar *progressBar
	phase := "checking"
	opt.Stage = func(_, s string) {
		if bar == nil {
			bar = progressFor(cmd, format)
		}
		phase = map[string]string{"checking": "checking", "storing": "storing", "checking the stored copy": "re-checking"}[s]
	}
	opt.Progress = func(ev digest.Progress) {
		if bar != nil {
			bar.update(phase, ev)
		}
	}
	opt.Done = func(p *packager.ArchivedPackage) {
		bar.finish(p.Err == nil)
		bar = nil
		switch {
		case format != "text":
		case p.Err != nil:
			if p.Check != nil {
				printFindings(stderr, p.Check.Integrity.Findings, cmd.Bool("quiet"), p.Package)
			}
			printError(stderr, p.Err)
		case !cmd.Bool("quiet"):
			printAdd(stdout, p.Result, p.Version)
		}
	}
	rep, err := packager.ArchiveAdd(ctx, args[0], args[1:], opt)
	if rep == nil {
		return err
	}
	if format == "json" {
		if werr := writeJSON(stdout, rep); werr != nil {
			return werr
		}
	}
	return reported(err)
}

func archiveListCmd() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list the stored packages: submission, edition, version, dates, size, root digest, signers",
		ArgsUsage: "ROOT",
		Description: "Signers are shown as valid or invalid; give --trust to re-check each\n" +
			"package's signatures from the archive against your trusted keys.\n\n" + archiveRootHelp,
		Flags: append([]cli.Flag{formatFlag()}, trustFlags()...),
		Action: archiveAction(1, 1, "ROOT", func(ctx context.Context, _ *cli.Command, args []string, opt packager.ArchiveOptions) (*archive.Catalogue, error) {
			return packager.ArchiveList(ctx, args[0], opt)
		}, func(_ *cli.Command, w, ew io.Writer, cat *archive.Catalogue, opt packager.ArchiveOptions) {
			printCatalogue(w, ew, cat, opt.Trust != nil)
		}),
	}
}

func archiveShowCmd() *cli.Command {
	return &cli.Command{
		Name:        "show",
		Usage:       "describe one stored package: its versions, signers, evidence, record and last audit",
		ArgsUsage:   "ROOT ID",
		Description: "ID is a package ID from archive list (any unique prefix of at least 6 hex\ndigits) or a package name such as LV-2021-001_confidential.\n\n" + archiveRootHelp,
		Flags:       append([]cli.Flag{formatFlag()}, trustFlags()...),
		Action: archiveAction(2, 2, "ROOT and ID", func(ctx context.Context, _ *cli.Command, args []string, opt packager.ArchiveOptions) (*archive.Shown, error) {
			return packager.ArchiveShow(ctx, args[0], args[1], opt)
		}, func(_ *cli.Command, w, _ io.Writer, sh *archive.Shown, opt packager.ArchiveOptions) {
			printShow(w, sh, opt.Trust != nil)
		}),
	}
}

func archiveFindCmd() *cli.Command {
	return &cli.Command{
		Name:      "find",
		Usage:     "every package that included or withheld an evidence file, by edition",
		ArgsUsage: "ROOT (--evidence ID | --sha256 HEX)",
		Description: "Answers \"has this file ever been disclosed, and in which edition?\": a\n" +
			"package includes a file, or withholds it from its edition (a public edition\n" +
			"lists a withheld file's digests only). --sha256 finds the file under any\n" +
			"evidence ID it was filed as.\n\n" + archiveRootHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "evidence", Usage: "evidence ID, e.g. EV-0007"},
			&cli.StringFlag{Name: "sha256", Usage: "SHA-256 of the file (64 hex digits)"},
			formatFlag(),
		},
		Action: archiveAction(1, 1, "ROOT", func(ctx context.Context, cmd *cli.Command, args []string, opt packager.ArchiveOptions) (*archive.Found, error) {
			return packager.ArchiveFind(ctx, args[0], archive.FindQuery{Evidence: cmd.String("evidence"), SHA256: cmd.String("sha256")}, opt)
		}, func(_ *cli.Command, w, ew io.Writer, found *archive.Found, _ packager.ArchiveOptions) {
			printFound(w, ew, found)
		}),
	}
}

func archiveAuditCmd() *cli.Command {
	return &cli.Command{
		Name:      "audit",
		Usage:     "re-hash every stored package (or a sample) and append a fixity record to the archive",
		ArgsUsage: "ROOT [ID…]",
		Description: "Checks each package from the archive: every object against its record,\n" +
			"every file with SHA-256 and SHA-512, every signature, its identity. With\n" +
			"--sample and --budget, routine audits cover the whole archive over\n" +
			"successive runs, packages checked longest ago (or never) first. Each audit\n" +
			"appends a record under fixity/ in the archive. Exit 4 when any package is\n" +
			"damaged; every damaged package and file is named.\n\n" + archiveRootHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "sample", Usage: "check only this share of the packages, e.g. 10%"},
			&cli.DurationFlag{Name: "budget", Usage: "stop after this long, e.g. 2h; the rest comes first next time"},
			workersFlag(), progressFlag(), formatFlag(), quietFlag(),
		}, trustFlags()...),
		Action: runArchiveAudit,
	}
}

func runArchiveAudit(ctx context.Context, cmd *cli.Command) error {
	format, args, aopt, err := archiveArgs(cmd, 1, -1, "ROOT and any IDs")
	if err != nil {
		return err
	}
	opt := packager.ArchiveAuditOptions{ArchiveOptions: aopt, IDs: args[1:], Budget: cmd.Duration("budget")}
	if s := cmd.String("sample"); s != "" {
		var p float64
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "%"), "%g", &p); err != nil || p <= 0 || p > 100 {
			return usageErrorf("--sample %q: give a share between 0%% and 100%%, e.g. 10%%", s)
		}
		opt.Sample = p
	}
	if opt.Budget < 0 {
		return usageErrorf("--budget %s: must be positive", opt.Budget)
	}
	bar := progressFor(cmd, format)
	if bar != nil {
		opt.Progress = func(p archive.AuditProgress) {
			bar.update("auditing", digest.Progress{TotalDone: p.Done, Total: p.Total})
		}
	}
	start := time.Now()
	fx, err := packager.ArchiveAudit(ctx, args[0], opt)
	bar.finish(err == nil)
	if fx == nil {
		return err
	}
	if format == "json" {
		if werr := writeJSON(cmd.Root().Writer, fx); werr != nil {
			return werr
		}
		return reported(err)
	}
	printAudit(cmd.Root().Writer, cmd.Root().ErrWriter, fx, time.Since(start), cmd.Bool("quiet"))
	if told(err) {
		return reported(err)
	}
	return err
}

func archiveGetCmd() *cli.Command {
	return &cli.Command{
		Name:      "get",
		Usage:     "write a stored package into a folder, byte-identical to what was stored, verified",
		ArgsUsage: "ROOT ID -o DIR",
		Description: "Writes DIR/<name> (a folder) or DIR/<name>.zip, as the package was added,\n" +
			"under a temporary name; checks it (a ZIP byte for byte against the record,\n" +
			"every file and signature) and only then puts it in place. Never replaces\n" +
			"anything in DIR. Exit 4 when the stored package is damaged.\n\n" + archiveRootHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "folder to write the package into (made if missing)"},
			&cli.BoolFlag{Name: "require-signature", Usage: "fail unless at least one signature is valid and trusted"},
			workersFlag(), formatFlag(), quietFlag(),
		}, trustFlags()...),
		Action: runArchiveGet,
	}
}

func archiveSyncCmd() *cli.Command {
	return &cli.Command{
		Name:      "sync",
		Usage:     "copy to DST every package it lacks from SRC, each verified in DST before it counts",
		ArgsUsage: "SRC DST",
		Description: "Keeps two copies in step (a disk and a bucket, two buckets): packages are\n" +
			"immutable and identified by content, so only missing ones are copied. Each\n" +
			"copy is checked from DST before it is committed there; a package damaged in\n" +
			"SRC is reported (exit 4) and not copied. The same --endpoint and AWS\n" +
			"credentials serve both roots when both are s3://.\n\n" + archiveRootHelp,
		Flags:  append(append([]cli.Flag{workersFlag(), formatFlag(), quietFlag()}, trustFlags()...), retentionFlags()...),
		Action: runArchiveSync,
	}
}

func archiveReindexCmd() *cli.Command {
	return &cli.Command{
		Name:      "reindex",
		Usage:     "rebuild the catalogue from the stored packages and fixity records",
		ArgsUsage: "ROOT",
		Description: "The catalogue (catalogue/ in the root) is derived: this rebuilds every\n" +
			"entry from its package, removes entries with no package behind them and\n" +
			"recomputes when each package was last audited from the fixity records.\n\n" + archiveRootHelp,
		Flags:  []cli.Flag{formatFlag()},
		Action: runArchiveReindex,
	}
}

func runArchiveGet(ctx context.Context, cmd *cli.Command) error {
	format, args, aopt, err := archiveArgs(cmd, 2, 2, "ROOT and ID")
	if err != nil {
		return err
	}
	res, err := packager.ArchiveGet(ctx, args[0], args[1], packager.ArchiveGetOptions{ArchiveOptions: aopt, OutDir: cmd.String("out")})
	var damaged *packager.ArchiveDamagedError
	switch {
	case errors.As(err, &damaged) && format == "json":
		writeJSON(cmd.Root().Writer, struct {
			ID    string         `json:"id"`
			Check *archive.Check `json:"check"`
			Error string         `json:"error"`
		}{damaged.ID, damaged.Check, message(err)})
		return reported(err)
	case errors.As(err, &damaged):
		printFindings(cmd.Root().ErrWriter, damaged.Check.Integrity.Findings, cmd.Bool("quiet"), damaged.Package)
		return err
	case err != nil:
		return err
	}
	return emit(cmd, format, res, func(w, _ io.Writer) {
		if !cmd.Bool("quiet") {
			printGet(w, res)
		}
	})
}

func runArchiveSync(ctx context.Context, cmd *cli.Command) error {
	format, args, aopt, err := archiveArgs(cmd, 2, 2, "SRC and DST")
	if err != nil {
		return err
	}
	opt := packager.ArchiveSyncOptions{ArchiveOptions: aopt}
	if opt.Retention, err = retention(cmd, time.Now()); err != nil {
		return err
	}
	if format == "text" && !cmd.Bool("quiet") {
		opt.Package = func(id archive.ID, name string, bytes int64) {
			fmt.Fprintf(cmd.Root().ErrWriter, "casepack: copying %s %s (%s)\n", id.Short(), name, humanize.Bytes(bytes))
		}
	}
	rep, err := packager.ArchiveSync(ctx, args[0], args[1], opt)
	if rep == nil {
		return err
	}
	if format == "json" {
		if werr := writeJSON(cmd.Root().Writer, rep); werr != nil {
			return werr
		}
	} else {
		printSync(cmd.Root().Writer, cmd.Root().ErrWriter, rep, cmd.Bool("quiet"))
	}
	if told(err) {
		return reported(err)
	}
	return err
}

func runArchiveReindex(ctx context.Context, cmd *cli.Command) error {
	format, args, opt, err := archiveArgs(cmd, 1, 1, "ROOT")
	if err != nil {
		return err
	}
	rep, err := packager.ArchiveReindex(ctx, args[0], opt)
	switch {
	case rep == nil:
		return err
	case format == "json":
		if werr := writeJSON(cmd.Root().Writer, rep); werr != nil {
			return werr
		}
		return reported(err)
	}
	printReindex(cmd.Root().Writer, cmd.Root().ErrWriter, rep, err)
	return reported(err)
}
