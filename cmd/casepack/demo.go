package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:  "demo",
		Usage: "build, sign and verify the bundled La Vega sample (what `make demo` runs)",
		Description: "Copies the La Vega sample case (synthetic, embedded in casepack) to\n" +
			"OUT/la-vega, makes a DEMO signing key in OUT/demo-key.*, validates the case,\n" +
			"builds both editions (zipped and signed), and verifies them trusting the\n" +
			"demo key. Each step prints the casepack command it runs, so you can repeat\n" +
			"it on your own case.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "folder for the sample, the key and the packages"},
			dateFlag(),
		},
		Action: runDemo,
	})
}

func runDemo(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf("casepack demo takes no arguments (use -o DIR)")
	}
	out := cmd.String("out")
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	date := cmd.String("date")
	if date == "" && os.Getenv("SOURCE_DATE_EPOCH") == "" {
		date = "2021-02-18T12:00:00Z" // the sample's submission day: a reproducible demo
	}
	caseDir := filepath.Join(out, "la-vega")
	if err := os.RemoveAll(caseDir); err != nil {
		return err
	}
	if err := copyFS(caseDir, samples.LaVega); err != nil {
		return fmt.Errorf("copy the sample case: %w", err)
	}
	fmt.Fprintf(stdout, "== the La Vega sample case (synthetic; see samples/README.md) is in %s\n", caseDir)

	// A fresh key each run, labelled as a demo key everywhere it appears.
	keyName := filepath.Join(out, "demo-key")
	keyPath, pubPath := sign.KeyPairFiles(keyName)
	_ = os.Remove(keyPath)
	_ = os.Remove(pubPath)
	priv, err := sign.GenerateKey(nil)
	if err != nil {
		return err
	}
	fp, err := sign.WriteKeyPair(keyName, priv)
	if err != nil {
		return fmt.Errorf("write the demo key: %w", err)
	}
	fmt.Fprintf(stdout, "== made a DEMO signing key %s (fingerprint %s); never use it for a real submission\n", keyPath, fp)

	doc, _, err := schema.Load(caseDir)
	if err != nil || doc.Case == nil {
		return fmt.Errorf("read the sample case: %v", err)
	}
	pkgConf := filepath.Join(out, submission.Name(doc.Case, edition.Confidential))
	pkgPub := filepath.Join(out, submission.Name(doc.Case, edition.Public))
	steps := [][]string{
		{"validate", caseDir},
		{"build", "--date", date, "--zip", "--force", "--no-progress", "-o", out,
			"--key", keyPath, "--signer-name", "Demo Signer (DEMO KEY)", "--role", "demonstration only", "--org", "casepack demo", caseDir},
		{"verify", "--trust", pubPath, "--require-signature", pkgConf},
		{"verify", "--trust", pubPath, "--require-signature", pkgConf + ".zip"},
		{"build", "--edition", "public", "--date", date, "--zip", "--force", "--no-progress", "-o", out,
			"--key", keyPath, "--signer-name", "Demo Signer (DEMO KEY)", "--role", "demonstration only", "--org", "casepack demo", caseDir},
		{"verify", "--trust", pubPath, "--require-signature", pkgPub + ".zip"},
	}
	for _, s := range steps {
		fmt.Fprintf(stdout, "\n$ casepack %s\n", shellJoin(s))
		if code := run(append([]string{"casepack"}, s...), stdout, stderr); code != 0 {
			return silentExit(code)
		}
	}
	fmt.Fprintf(stdout, "\nDone. Read %s, or check the package\n"+
		"without casepack: see %s.\n", filepath.Join(pkgConf, "data", "narrative", "submission.pdf"), filepath.Join(pkgConf, "VERIFY.txt"))
	return nil
}

// copyFS writes the files of fsys below dir (os.CopyFS refuses to overwrite,
// and the demo folder is fresh).
func copyFS(dir string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		src, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		return dst.Close()
	})
}

func shellJoin(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		if a == "" || containsAny(a, " \t'\"()$&;|<>*?") {
			s += "'" + a + "'"
		} else {
			s += a
		}
	}
	return s
}

func containsAny(s, chars string) bool {
	for _, c := range s {
		for _, d := range chars {
			if c == d {
				return true
			}
		}
	}
	return false
}
