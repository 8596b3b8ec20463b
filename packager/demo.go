package packager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema"
)

// DemoOptions controls Demo.
type DemoOptions struct {
	// Date fixes every timestamp ("" is the sample's submission day, for a
	// reproducible demo).
	Date string
	// Say is told what the demo is doing, a line at a time.
	Say func(string)
	// Run runs one casepack command line (without "casepack"), printing
	// what it prints; a non-nil error stops the demo.
	Run func(args []string) error
}

// DemoReport is the outcome of Demo.
type DemoReport struct {
	Case, Key, PublicKey string
	Confidential, Public string // the package folders
	// Narratives are the confidential package's narrative PDFs, one per
	// language of DemoLangs.
	Narratives []string
}

// Demo copies the La Vega sample case into out, makes a demo key, and runs
// the commands that validate, build (both editions, in English, French and
// Spanish, zipped and signed) and
// verify it, through opt.Run, so that a user sees each command as they
// would type it. out must be new or empty, or hold exactly what an earlier
// demo wrote there (listed in out/.casepack-demo.json), which is then
// replaced: the demo never deletes a file it did not write. A failed demo
// leaves out as it found it (empty, or gone when the demo made it).
func Demo(ctx context.Context, out string, opt DemoOptions) (rep *DemoReport, err error) {
	say := opt.Say
	if say == nil {
		say = func(string) {}
	}
	date := opt.Date
	if date == "" {
		date = "2021-02-26T12:00:00Z" // the sample's submission day, after every event it records
	}
	if err := destination.Place(out, ""); err != nil {
		return nil, destinationError(fmt.Errorf("-o %w", err), "")
	}
	made, err := claimDemoFolder(ctx, out)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			emptyFolder(out)
			made.Remove()
		}
	}()
	caseDir := filepath.Join(out, "la-vega")
	if err := copyFS(caseDir, samples.LaVega); err != nil {
		return nil, fmt.Errorf("copy the sample case: %w", fault.IO(caseDir, err))
	}
	say(fmt.Sprintf("== the La Vega sample case (synthetic; see samples/README.md) is in %s", caseDir))

	// A fresh key each run, labelled as a demo key everywhere it appears.
	keyName := filepath.Join(out, "demo-key")
	keyPath, pubPath := sign.KeyPairFiles(keyName)
	priv, err := sign.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	fp, err := sign.WriteKeyPair(keyName, priv)
	if err != nil {
		return nil, fmt.Errorf("write the demo key: %w", err)
	}
	say(fmt.Sprintf("== made a DEMO signing key %s (fingerprint %s); never use it for a real submission", keyPath, fp))

	doc, _, err := schema.Load(caseDir)
	if err != nil || doc.Case == nil {
		return nil, fmt.Errorf("read the sample case: %v", err)
	}
	rep = &DemoReport{Case: caseDir, Key: keyPath, PublicKey: pubPath,
		Confidential: filepath.Join(out, submission.Name(doc.Case, edition.Confidential)),
		Public:       filepath.Join(out, submission.Name(doc.Case, edition.Public))}
	for _, l := range strings.Split(DemoLangs, ",") {
		rep.Narratives = append(rep.Narratives, filepath.Join(rep.Confidential, filepath.FromSlash(submission.NarrativePathFor(l, true))))
	}
	signer := []string{"--key", keyPath, "--signer-name", "Demo Signer (DEMO KEY)", "--role", "demonstration only", "--org", "casepack demo"}
	steps := [][]string{
		{"validate", caseDir},
		append(append([]string{"build", "--date", date, "--lang", DemoLangs, "--zip", "--no-progress", "-o", out}, signer...), caseDir),
		{"verify", "--trust", pubPath, "--require-signature", rep.Confidential},
		{"verify", "--trust", pubPath, "--require-signature", rep.Confidential + ".zip"},
		append(append([]string{"build", "--edition", "public", "--date", date, "--lang", DemoLangs, "--zip", "--no-progress", "-o", out}, signer...), caseDir),
		{"verify", "--trust", pubPath, "--require-signature", rep.Public + ".zip"},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := opt.Run(s); err != nil {
			return nil, err
		}
	}
	if err := recordDemoFolder(ctx, out); err != nil {
		return nil, err
	}
	return rep, nil
}

// DemoLangs are the languages the demo builds the sample in: one narrative
// and covering letter each (the sample translates its analysis).
const DemoLangs = "en,fr,es"

// DemoRecord lists, inside the demo's folder, every file the demo wrote
// there with its SHA-256: a rerun replaces exactly those, and refuses a
// folder holding anything else.
const DemoRecord = ".casepack-demo.json"

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
			return nil, fault.IO(out, err)
		}
		return made, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fault.Usagef("-o %s: is a file, not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	refuse := func(p, what string) error {
		return fault.New(fault.Operational, fmt.Errorf("%s: %s; the demo writes only into a new or empty folder, or over exactly its own earlier output", p, what),
			"choose another folder with -o, e.g. casepack demo -o demo-out")
	}
	b, err := os.ReadFile(filepath.Join(out, DemoRecord))
	if err != nil {
		return nil, refuse(out, "the folder is not empty and casepack demo did not make it")
	}
	var rec demoFiles
	if err := json.Unmarshal(b, &rec); err != nil || rec.Files == nil {
		return nil, refuse(filepath.Join(out, DemoRecord), "not a list casepack demo wrote")
	}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		if rel == DemoRecord {
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
		if e.Name() == DemoRecord {
			continue // last: until then the folder is still recognisably the demo's
		}
		if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(filepath.Join(out, DemoRecord))
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
	return atomicfs.WriteFile(filepath.Join(out, DemoRecord), atomicfs.FileOptions{}, func(w io.Writer) error {
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
