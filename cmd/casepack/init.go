package main

import (
	"context"
	"fmt"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "init",
		Usage:     "start a new case folder, as a workbook, a YAML file or JSON",
		ArgsUsage: "DIR",
		Description: "Writes DIR/case.json (or case.xlsx, case.yaml with --format) and\n" +
			"DIR/evidence/ from a bundled sample: the minimal case (one incident, one\n" +
			"evidence file, a synthetic stand-in), or with --sample la-vega the complete\n" +
			"La Vega case. Replace its contents with your own, then run\n" +
			"casepack validate DIR. DIR must not exist yet.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "json", Usage: "the form of the case file: xlsx (a workbook for Excel or LibreOffice), yaml or json"},
			&cli.StringFlag{Name: "sample", Value: "minimal", Usage: "the sample to start from: minimal or la-vega"},
		},
		Action: func(_ context.Context, cmd *cli.Command) error {
			dir, err := oneArg(cmd, "DIR")
			if err != nil {
				return err
			}
			form, ok := caseform.ParseForm(cmd.String("format"))
			if !ok {
				return usageErrorf("--format %q: must be xlsx, yaml or json", cmd.String("format"))
			}
			rep, err := packager.Init(dir, packager.InitOptions{Form: form, Sample: cmd.String("sample")})
			if err != nil {
				return err
			}
			file := rep.File
			how := "edit " + file + " (casepack schema describes every field)"
			switch form {
			case caseform.XLSX:
				how = "open " + file + " in Excel or LibreOffice (its Instructions sheet explains it)"
			case caseform.YAML:
				how = "edit " + file + " in a text editor (casepack schema describes every field)"
			}
			fmt.Fprintf(cmd.Root().Writer, "created %s: %s, add your evidence files with casepack evidence add %s FILE…, then run: casepack validate %s\n",
				dir, how, dir, dir)
			return nil
		},
	})
}
