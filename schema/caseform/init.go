package caseform

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/casepack/casepack/schema"
)

// Init starts the case folder dir, which must not exist yet, from the case
// folder src (a bundled sample): its files are copied, and its case.json is
// written in form f. A failure leaves no folder behind.
func Init(dir string, src fs.FS, f Form) (file string, err error) {
	data, err := fs.ReadFile(src, "case.json")
	if err != nil {
		return "", fmt.Errorf("read the sample: %w", err)
	}
	doc, fs0 := schema.Parse("case.json", data)
	if doc.Value == nil || len(fs0) > 0 {
		return "", fmt.Errorf("the sample's case.json cannot be read")
	}
	out, problems, err := Encode(f, doc.Value, doc.Case, true)
	if err != nil {
		return "", err
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("the sample cannot be written as %s: %s", f, problems[0].Message)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." || p == "case.json" {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.Mkdir(target, 0o755)
		}
		return copyFile(src, p, target)
	})
	if err != nil {
		return "", err
	}
	file = filepath.Join(dir, FileName(f))
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return "", err
	}
	return file, nil
}

func copyFile(src fs.FS, p, target string) error {
	in, err := src.Open(p)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", path.Base(p), err)
	}
	return out.Close()
}
