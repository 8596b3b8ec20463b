// Package samples holds the bundled sample cases, embedded in the binary so
// that `casepack demo` can build one without any file on disk:
//
//   - LaVega: a complete case after the public reporting on the police
//     operation in La Vega, Caracas, 6–9 January 2021 (14 men killed). The
//     sender, the persons (pseudonyms), the testimonies and every evidence
//     file are synthetic stand-ins; see README.md in this folder.
//   - Minimal: the smallest valid case, one incident and one evidence file.
//
// Each is a case folder: case.json at its root and the evidence files below
// it. The files are written by ./internal/mkevidence; edit that program, not
// the files, and run `go generate ./samples`.
package samples

import (
	"embed"
	"io/fs"
)

//go:generate go run ./internal/mkevidence -o .

//go:embed la-vega minimal
var files embed.FS

// The sample case folders, each with case.json at its root.
var (
	LaVega  fs.FS = sub("la-vega")
	Minimal fs.FS = sub("minimal")
)

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		// fs.Sub fails only on an invalid path; dir is a constant above.
		panic(err)
	}
	return f
}
