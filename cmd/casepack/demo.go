package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/casepack/casepack/internal/atomicfs"
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
			"it on your own case.\n\n" +
			"OUT must be new or empty, or hold exactly what an earlier demo wrote there\n" +
			"(listed in OUT/" + demoRecord + "), which is then replaced. A folder holding\n" +
			"anything else is refused: the demo never deletes a file it did not write.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "folder for the sample, the key and the packages"},
			dateFlag(),
		},
		Action: runDemo,
	})
}

func runDemo(ctx context.Context, cmd *cli.Command) (err error) {
	if cmd.NArg() > 0 {
		return usageErrorf("casepack demo takes no arguments (use -o DIR)")
	}
	out := cmd.String("out")
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	date := cmd.String("date")
	if date == "" && os.Getenv("SOURCE_DATE_EPOCH") == "" {
		date = "2021-02-26T12:00:00Z" // the sample's submission day, after every event it records: a reproducible demo
	}
	made, err := claimDemoFolder(ctx, out)
	if err != nil {
		return err
	}
	// The folder is the demo's now: a failed demo leaves it as it found it
	// (empty, or gone when the demo made it).
	defer func() {
		if err != nil {
			emptyFolder(out)
			made.Remove()
		}
	}()
	caseDir := filepath.Join(out, "la-vega")
	if err := copyFS(caseDir, samples.LaVega); err != nil {
		return fmt.Errorf("copy the sample case: %w", err)
	}
	fmt.Fprintf(stdout, "== the La Vega sample case (synthetic; see samples/README.md) is in %s\n", caseDir)

	// A fresh key each run, labelled as a demo key everywhere it appears.
	keyName := filepath.Join(out, "demo-key")
	keyPath, pubPath := sign.KeyPairFiles(keyName)
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
		{"build", "--date", date, "--zip", "--no-progress", "-o", out,
			"--key", keyPath, "--signer-name", "Demo Signer (DEMO KEY)", "--role", "demonstration only", "--org", "casepack demo", caseDir},
		{"verify", "--trust", pubPath, "--require-signature", pkgConf},
		{"verify", "--trust", pubPath, "--require-signature", pkgConf + ".zip"},
		{"build", "--edition", "public", "--date", date, "--zip", "--no-progress", "-o", out,
			"--key", keyPath, "--signer-name", "Demo Signer (DEMO KEY)", "--role", "demonstration only", "--org", "casepack demo", caseDir},
		{"verify", "--trust", pubPath, "--require-signature", pkgPub + ".zip"},
	}
	for _, s := range steps {
		fmt.Fprintf(stdout, "\n$ casepack %s\n", shellJoin(s))
		if code := run(append([]string{"casepack"}, s...), stdout, stderr); code != 0 {
			return silentExit(code)
		}
	}
	if err := recordDemoFolder(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nDone. Read %s, or check the package\n"+
		"without casepack: see %s.\n", filepath.Join(pkgConf, "data", "narrative", "submission.pdf"), filepath.Join(pkgConf, "VERIFY.txt"))
	return nil
}

// demoRecord lists, inside the demo's folder, every file the demo wrote
// there with its SHA-256: a rerun replaces exactly those, and refuses a
// folder holding anything else.
const demoRecord = ".casepack-demo.json"

type demoFiles struct {
	About string            `json:"about"`
	Files map[string]string `json:"files"` // slash path -> SHA-256
}

// claimDemoFolder makes out the demo's: a folder that does not exist yet is
// created (the ones made are returned), an empty one is taken, and one that
// holds exactly what an earlier demo recorded is emptied. Anything else is
// refused, naming the first file the demo did not write.
func claimDemoFolder(ctx context.Context, out string) (atomicfs.Created, error) {
	fi, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		made, err := atomicfs.MkdirAll(out, 0o755)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", out, err)
		}
		return made, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, usageErrorf("-o %s: is a file, not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	refuse := func(p, what string) error {
		return withHint(exitOperational, fmt.Errorf("%s: %s; the demo writes only into a new or empty folder, or over exactly its own earlier output", p, what),
			"choose another folder with -o, e.g. casepack demo -o demo-out")
	}
	b, err := os.ReadFile(filepath.Join(out, demoRecord))
	if err != nil {
		return nil, refuse(out, "the folder is not empty and casepack demo did not make it")
	}
	var rec demoFiles
	if err := json.Unmarshal(b, &rec); err != nil || rec.Files == nil {
		return nil, refuse(filepath.Join(out, demoRecord), "not a list casepack demo wrote")
	}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		if rel == demoRecord {
			return nil
		}
		want, ok := rec.Files[rel]
		if !ok || !d.Type().IsRegular() {
			return refuse(p, "not written by casepack demo")
		}
		got, err := fileSHA256(ctx, p)
		if err != nil {
			return err
		}
		if got != want {
			return refuse(p, "changed since casepack demo wrote it")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return nil, emptyFolder(out)
}

// emptyFolder removes everything in out (the demo's own folder).
func emptyFolder(out string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == demoRecord {
			continue // last: until then the folder is still recognisably the demo's
		}
		if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(filepath.Join(out, demoRecord))
}

// recordDemoFolder writes the list of what the demo wrote in out.
func recordDemoFolder(ctx context.Context, out string) error {
	rec := demoFiles{About: "files casepack demo wrote in this folder; a rerun replaces exactly these", Files: map[string]string{}}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		sum, err := fileSHA256(ctx, p)
		rec.Files[filepath.ToSlash(rel)] = sum
		return err
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfs.WriteFile(filepath.Join(out, demoRecord), atomicfs.FileOptions{}, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
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
