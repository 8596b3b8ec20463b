// Command gencase writes a generated benchmark case (case.json and its
// evidence stand-in files) to a folder, for `make bench` and for comparing
// casepack's validation with other JSON Schema tools such as ajv-cli.
//
//	go run ./internal/casegen/cmd/gencase -persons 100000 -evidence 10000 -o /tmp/bigcase
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/casepack/casepack/internal/casegen"
)

func main() {
	var opt casegen.Options
	flag.IntVar(&opt.Incidents, "incidents", 1000, "number of incidents (at most 9999)")
	flag.IntVar(&opt.Persons, "persons", 100000, "number of persons")
	flag.IntVar(&opt.Evidence, "evidence", 10000, "number of evidence items (one small file each)")
	flag.Int64Var(&opt.Seed, "seed", 1, "seed of the generator; the same seed gives the same case")
	flag.StringVar(&opt.Dir, "o", "", "case folder to write (required)")
	flag.Parse()
	if opt.Dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencase [-incidents N] [-persons N] [-evidence N] [-seed N] -o DIR")
		os.Exit(2)
	}
	c, err := casegen.Generate(opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencase:", err)
		os.Exit(1)
	}
	fi, err := os.Stat(filepath.Join(opt.Dir, "case.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencase:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gencase: %s/case.json: %d incidents, %d persons, %d evidence items, %d bytes\n",
		opt.Dir, len(c.Incidents), len(c.Persons), len(c.Evidence), fi.Size())
}
