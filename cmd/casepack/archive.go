package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/archive"
	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/sign"
	"github.com/urfave/cli/v3"
)

// casepack archive: the second front end on the domain API, for keeping
// packages (packager/archive). This file parses flags, opens roots and maps
// errors; archive_report.go prints.

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

func trustFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "trust", Usage: "trust signatures by this public key, certificate or CA certificate (PEM; repeatable)"},
	}
}

func progressFlag() cli.Flag {
	return &cli.BoolFlag{Name: "no-progress", Usage: "do not draw a progress bar"}
}

func workersFlag() cli.Flag {
	return &cli.IntFlag{Name: "workers", Validator: nonNegative("--workers"), Usage: "files hashed at once (default: number of CPUs)"}
}

// openArchive opens ROOT with the S3 flags.
func openArchive(ctx context.Context, cmd *cli.Command, root string, create bool) (*archive.Archive, error) {
	opt := archive.Options{Version: version, S3: store.S3Config{
		Endpoint: cmd.String("endpoint"), Region: cmd.String("region"),
		Profile: cmd.String("profile"), CredentialsFile: cmd.String("credentials-file"),
	}}
	a, err := archive.Open(ctx, root, create, opt)
	var ue *store.URLError
	switch {
	case err == nil:
		return a, nil
	case errors.Is(err, archive.ErrNotArchive):
		return nil, withHint(exitOperational, err, "an archive root is a folder or s3://bucket/prefix that casepack archive add made; check the path")
	case errors.Is(err, store.ErrNoCredentials):
		return nil, withHint(exitOperational, err, "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the shell; never put a secret on the command line")
	case errors.As(err, &ue):
		return nil, withHint(exitUsage, err, "an S3 root is s3://bucket/prefix; the service comes from --endpoint or AWS_ENDPOINT_URL")
	}
	return nil, err
}

// archiveErr maps the archive's errors to exit codes and hints.
func archiveErr(err error, root string) error {
	var amb *archive.AmbiguousError
	var ni *archive.NotIntactError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &amb):
		return withHint(exitUsage, err, "give more of the ID: casepack archive list "+root+" shows them")
	case errors.Is(err, archive.ErrNoPackage):
		return withHint(exitOperational, err, "casepack archive list "+root+" shows the packages and their IDs (give at least 6 hex digits of one)")
	case errors.Is(err, store.ErrRetentionUnsupported):
		return withHint(exitUsage, err, "--retain-until needs an S3 bucket created with Object Lock; leave it out for this root")
	case errors.As(err, &ni):
		return withHint(exitVerifyFail, err, "")
	}
	return err
}

// archiveArgs reads what every archive subcommand starts with: --format,
// between min and max positional arguments (max < 0: any number), and the
// check flags (--trust, --require-signature, --workers) where it has them.
func archiveArgs(cmd *cli.Command, min, max int, usage string) (format string, args []string, copt archive.CheckOptions, err error) {
	if format, err = outputFormat(cmd); err != nil {
		return "", nil, copt, err
	}
	if n := cmd.NArg(); n < min || (max >= 0 && n > max) {
		return "", nil, copt, usageErrorf("casepack archive %s takes %s, got %s", cmd.Name, usage, plural(n, "argument"))
	}
	tr, err := packager.LoadTrust(cmd.StringSlice("trust"))
	if err != nil {
		return "", nil, copt, err
	}
	copt = archive.CheckOptions{Trust: tr, RequireSignature: cmd.Bool("require-signature"), Workers: int(cmd.Int("workers"))}
	return format, cmd.Args().Slice(), copt, nil
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

// bar returns a progress bar when the command may draw one.
func archiveBar(cmd *cli.Command, format string) *progressBar {
	if format == "text" && !cmd.Bool("no-progress") && !cmd.Bool("quiet") && stderrIsTerminal() {
		return newProgressBar(cmd.Root().ErrWriter)
	}
	return nil
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

// addOutput is one package of `archive add --format json`.
type addOutput struct {
	Package string         `json:"package"`
	ID      string         `json:"id,omitempty"`
	Stored  bool           `json:"stored"`
	Already bool           `json:"already_stored"`
	Name    string         `json:"name,omitempty"`
	Form    archive.Form   `json:"form,omitempty"`
	Bytes   int64          `json:"bytes,omitempty"`
	Version int            `json:"version,omitempty"`
	Check   *archive.Check `json:"check,omitempty"`
	Error   string         `json:"error,omitempty"`
}

func runArchiveAdd(ctx context.Context, cmd *cli.Command) error {
	format, args, copt, err := archiveArgs(cmd, 2, -1, "ROOT and at least one PKG")
	if err != nil {
		return err
	}
	root, pkgs := args[0], args[1:]
	ret, err := retention(cmd, time.Now())
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		if _, err := os.Stat(p); err != nil {
			return withHint(exitOperational, fmt.Errorf("%s: no such package folder or .zip", p), "give the package folder (out/<submission>_<edition>) or its .zip")
		}
	}
	a, err := openArchive(ctx, cmd, root, true)
	if err != nil {
		return err
	}
	defer a.Close()
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	var outs []addOutput
	code := exitOK
	for _, p := range pkgs {
		bar := archiveBar(cmd, format)
		opt := archive.AddOptions{Check: copt, Retention: ret}
		phase := "checking"
		opt.Stage = func(s string) {
			phase = map[string]string{"checking": "checking", "storing": "storing", "checking the stored copy": "re-checking"}[s]
		}
		if bar != nil {
			opt.Check.Progress = func(ev digest.Progress) { bar.update(phase, ev) }
		}
		res, err := a.Add(ctx, p, opt)
		bar.finish(err == nil)
		out := addOutput{Package: p}
		if err != nil {
			err = archiveErr(err, root)
			out.Error = message(err)
			var ni *archive.NotIntactError
			if errors.As(err, &ni) {
				out.ID, out.Check = ni.Check.ID.String(), ni.Check
				if ni.Check.ID.Root == "" {
					out.ID = ""
				}
				if format == "text" {
					printFindings(stderr, ni.Check.Integrity.Findings, cmd.Bool("quiet"), p)
				}
			}
			if format == "text" {
				printError(stderr, err)
			}
			code = max(code, exitCode(err))
			if errors.Is(err, context.Canceled) {
				break
			}
			outs = append(outs, out)
			continue
		}
		out.ID, out.Already, out.Stored, out.Check = res.ID, res.Already, !res.Already, res.Check
		out.Name, out.Form, out.Bytes = res.Record.Name, res.Record.Form, res.Record.Bytes
		if res.Entry != nil {
			out.Version = versionOf(ctx, a, res.Entry)
		}
		outs = append(outs, out)
		if format == "text" && !cmd.Bool("quiet") {
			printAdd(stdout, res, out.Version)
		}
	}
	if format == "json" {
		if outs == nil {
			outs = []addOutput{}
		}
		if err := writeJSON(stdout, struct {
			Root     string      `json:"root"`
			Packages []addOutput `json:"packages"`
		}{a.Root(), outs}); err != nil {
			return err
		}
	}
	if code != exitOK {
		return silentExit(code)
	}
	return nil
}

// versionOf numbers a just-stored package among its submission's.
func versionOf(ctx context.Context, a *archive.Archive, e *archive.Entry) int {
	cat, err := a.List(ctx, archive.ListOptions{})
	if err != nil {
		return 0
	}
	for _, o := range cat.Entries {
		if o.ID == e.ID {
			return o.Version
		}
	}
	return 0
}

func archiveListCmd() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list the stored packages: submission, edition, version, dates, size, root digest, signers",
		ArgsUsage: "ROOT",
		Description: "Signers are shown as valid or invalid; give --trust to re-check each\n" +
			"package's signatures from the archive against your trusted keys.\n\n" + archiveRootHelp,
		Flags: append([]cli.Flag{formatFlag()}, trustFlags()...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, copt, err := archiveArgs(cmd, 1, 1, "ROOT")
			if err != nil {
				return err
			}
			a, err := openArchive(ctx, cmd, args[0], false)
			if err != nil {
				return err
			}
			defer a.Close()
			cat, err := a.List(ctx, archive.ListOptions{Trust: copt.Trust})
			if err != nil {
				return archiveErr(err, args[0])
			}
			return emit(cmd, format, cat, func(w, ew io.Writer) { printCatalogue(w, ew, cat, copt.Trust != nil) })
		},
	}
}

func archiveShowCmd() *cli.Command {
	return &cli.Command{
		Name:        "show",
		Usage:       "describe one stored package: its versions, signers, evidence, record and last audit",
		ArgsUsage:   "ROOT ID",
		Description: "ID is a package ID from archive list (any unique prefix of at least 6 hex\ndigits) or a package name such as LV-2021-001_confidential.\n\n" + archiveRootHelp,
		Flags:       append([]cli.Flag{formatFlag()}, trustFlags()...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, copt, err := archiveArgs(cmd, 2, 2, "ROOT and ID")
			if err != nil {
				return err
			}
			a, err := openArchive(ctx, cmd, args[0], false)
			if err != nil {
				return err
			}
			defer a.Close()
			sh, err := a.Show(ctx, args[1], archive.ListOptions{Trust: copt.Trust})
			if err != nil {
				return archiveErr(err, args[0])
			}
			return emit(cmd, format, sh, func(w, _ io.Writer) { printShow(w, sh, copt.Trust != nil) })
		},
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
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, _, err := archiveArgs(cmd, 1, 1, "ROOT")
			if err != nil {
				return err
			}
			root := args[0]
			q := archive.FindQuery{Evidence: cmd.String("evidence"), SHA256: cmd.String("sha256")}
			if (q.Evidence == "") == (q.SHA256 == "") {
				return usageErrorf("give exactly one of --evidence ID or --sha256 HEX")
			}
			if h := strings.ToLower(q.SHA256); h != "" && (len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "") {
				return usageErrorf("--sha256 %q: must be 64 hex digits (sha256sum prints them)", q.SHA256)
			}
			a, err := openArchive(ctx, cmd, root, false)
			if err != nil {
				return err
			}
			defer a.Close()
			found, err := a.Find(ctx, q)
			if err != nil {
				return archiveErr(err, root)
			}
			return emit(cmd, format, found, func(w, ew io.Writer) { printFound(w, ew, found) })
		},
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
	format, args, copt, err := archiveArgs(cmd, 1, -1, "ROOT and any IDs")
	if err != nil {
		return err
	}
	root := args[0]
	opt := archive.AuditOptions{Check: copt, Budget: cmd.Duration("budget")}
	if s := cmd.String("sample"); s != "" {
		var p float64
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "%"), "%g", &p); err != nil || p <= 0 || p > 100 {
			return usageErrorf("--sample %q: give a share between 0%% and 100%%, e.g. 10%%", s)
		}
		opt.Sample = p
	}
	if cmd.Duration("budget") < 0 {
		return usageErrorf("--budget %s: must be positive", cmd.Duration("budget"))
	}
	a, err := openArchive(ctx, cmd, root, false)
	if err != nil {
		return err
	}
	defer a.Close()
	for _, q := range args[1:] {
		id, err := a.Resolve(ctx, q)
		if err != nil {
			return archiveErr(err, root)
		}
		opt.IDs = append(opt.IDs, id)
	}
	bar := archiveBar(cmd, format)
	if bar != nil {
		opt.Progress = func(p archive.AuditProgress) {
			bar.update("auditing", digest.Progress{TotalDone: p.Done, Total: p.Total})
		}
	}
	start := time.Now()
	fx, err := a.Audit(ctx, opt)
	bar.finish(err == nil)
	if fx == nil {
		return archiveErr(err, root)
	}
	if format == "json" {
		if werr := writeJSON(cmd.Root().Writer, fx); werr != nil {
			return werr
		}
	} else {
		printAudit(cmd.Root().Writer, cmd.Root().ErrWriter, fx, time.Since(start), cmd.Bool("quiet"))
	}
	if err != nil {
		if format == "json" {
			return silentExit(exitCode(err))
		}
		return err
	}
	switch {
	case fx.Damaged > 0:
		return silentExit(exitVerifyFail)
	case fx.Errors > 0:
		return silentExit(exitOperational)
	}
	return nil
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
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, copt, err := archiveArgs(cmd, 2, 2, "ROOT and ID")
			if err != nil {
				return err
			}
			root, query, out := args[0], args[1], cmd.String("out")
			if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
				return usageErrorf("-o %s: is a file, not a folder", out)
			}
			a, err := openArchive(ctx, cmd, root, false)
			if err != nil {
				return err
			}
			defer a.Close()
			id, err := a.Resolve(ctx, query)
			if err != nil {
				return archiveErr(err, root)
			}
			res, err := a.Get(ctx, id, out, copt)
			var ni *archive.NotIntactError
			switch {
			case errors.As(err, &ni):
				if format == "json" {
					writeJSON(cmd.Root().Writer, struct {
						ID    string         `json:"id"`
						Check *archive.Check `json:"check"`
						Error string         `json:"error"`
					}{id.String(), ni.Check, message(err)})
					return silentExit(exitVerifyFail)
				}
				printFindings(cmd.Root().ErrWriter, ni.Check.Integrity.Findings, cmd.Bool("quiet"), ni.Package)
				return withHint(exitVerifyFail, fmt.Errorf("%s: the stored package is damaged; nothing was written", ni.Package),
					"run casepack archive audit "+root+" "+id.Short()+", and get the package from another copy of the archive")
			case errors.Is(err, fs.ErrExist):
				return withHint(exitOperational, err, "choose another -o folder, or move the existing package away; get never replaces anything")
			case err != nil:
				return archiveErr(err, root)
			}
			return emit(cmd, format, res, func(w, _ io.Writer) {
				if !cmd.Bool("quiet") {
					printGet(w, res)
				}
			})
		},
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
		Flags: append(append([]cli.Flag{workersFlag(), formatFlag(), quietFlag()}, trustFlags()...), retentionFlags()...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, copt, err := archiveArgs(cmd, 2, 2, "SRC and DST")
			if err != nil {
				return err
			}
			srcRoot, dstRoot := args[0], args[1]
			ret, err := retention(cmd, time.Now())
			if err != nil {
				return err
			}
			src, err := openArchive(ctx, cmd, srcRoot, false)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := openArchive(ctx, cmd, dstRoot, true)
			if err != nil {
				return err
			}
			defer dst.Close()
			opt := archive.SyncOptions{Check: copt, Retention: ret}
			if format == "text" && !cmd.Bool("quiet") {
				opt.Package = func(id archive.ID, name string, bytes int64) {
					fmt.Fprintf(cmd.Root().ErrWriter, "casepack: copying %s %s (%s)\n", id.Short(), name, humanBytes(bytes))
				}
			}
			rep, err := archive.Sync(ctx, src, dst, opt)
			if rep == nil {
				return archiveErr(err, srcRoot)
			}
			if format == "json" {
				if werr := writeJSON(cmd.Root().Writer, rep); werr != nil {
					return werr
				}
			} else {
				printSync(cmd.Root().Writer, cmd.Root().ErrWriter, rep, cmd.Bool("quiet"))
			}
			if err != nil {
				return err
			}
			for _, f := range rep.Failed {
				if f.Check != nil {
					return silentExit(exitVerifyFail)
				}
			}
			if len(rep.Failed) > 0 {
				return silentExit(exitOperational)
			}
			return nil
		},
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
		Flags: []cli.Flag{formatFlag()},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, args, _, err := archiveArgs(cmd, 1, 1, "ROOT")
			if err != nil {
				return err
			}
			root := args[0]
			a, err := openArchive(ctx, cmd, root, false)
			if err != nil {
				return err
			}
			defer a.Close()
			rep, err := a.Reindex(ctx, archive.ListOptions{})
			if err != nil {
				return archiveErr(err, root)
			}
			if format == "json" {
				return writeJSON(cmd.Root().Writer, rep)
			}
			for _, f := range rep.Failed {
				fmt.Fprintf(cmd.Root().ErrWriter, "casepack: error: %s\n", f)
			}
			entries := "entries"
			if len(rep.Removed) == 1 {
				entries = "entry"
			}
			fmt.Fprintf(cmd.Root().Writer, "catalogued %s in %s; removed %d %s without a package; last-checked index rebuilt from %s\n",
				plural(rep.Packages, "package"), a.Root(), len(rep.Removed), entries, plural(rep.Fixity, "fixity record"))
			if len(rep.Failed) > 0 {
				fmt.Fprintf(cmd.Root().ErrWriter, "casepack: hint: run casepack archive audit %s to see what is damaged\n", root)
				return silentExit(exitOperational)
			}
			return nil
		},
	}
}

// archiveTarget splits a verify argument that names a package inside an
// archive root, ROOT/ID (a folder root) or s3://bucket/prefix/ID, when it
// is not a package on disk itself.
func archiveTarget(p string) (root, id string, ok bool) {
	if store.IsS3URL(p) {
		i := strings.LastIndex(strings.TrimSuffix(p, "/"), "/")
		if i < len("s3://") {
			return "", "", false
		}
		return p[:i], strings.TrimSuffix(p[i+1:], "/"), true
	}
	if _, err := os.Stat(p); err == nil {
		return "", "", false
	}
	dir := filepath.Dir(filepath.Clean(p))
	if _, err := os.Stat(filepath.Join(dir, archive.MarkerKey)); err != nil {
		return "", "", false
	}
	return dir, filepath.Base(p), true
}

// runVerifyArchived is casepack verify for a package inside an archive:
// the stored copy, checked from the store as audit checks it, reported as
// verify reports a package.
func runVerifyArchived(ctx context.Context, cmd *cli.Command, format, root, query string, opt packager.VerifyOptions) error {
	a, err := openArchive(ctx, cmd, root, false)
	if err != nil {
		return err
	}
	defer a.Close()
	id, err := a.Resolve(ctx, query)
	if err != nil {
		return archiveErr(err, root)
	}
	copt := archive.CheckOptions{Trust: opt.Trust, RequireSignature: opt.SignatureRequired(), Workers: opt.Workers}
	bar := archiveBar(cmd, format)
	if bar != nil {
		copt.Progress = bar.phase("checking")
	}
	c, err := a.Verify(ctx, id, copt)
	bar.finish(err == nil)
	if err != nil {
		return archiveErr(err, root)
	}
	rep, sigs := c.Integrity, c.Signatures
	out := &packager.VerifyReport{Intact: rep.Intact(), Integrity: rep, Signatures: sigs.Signatures, TrustedValid: sigs.TrustedValid, Trusted: len(opt.Trust) > 0}
	if out.Signatures == nil {
		out.Signatures = []sign.SignatureResult{}
	}
	if format == "json" {
		if err := writeJSON(cmd.Root().Writer, out); err != nil {
			return err
		}
	} else {
		printVerify(cmd.Root().Writer, cmd.Root().ErrWriter, out, cmd.Bool("quiet"))
	}
	if !rep.Intact() {
		return silentExit(exitVerifyFail)
	}
	return nil
}
