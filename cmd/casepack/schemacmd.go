package main

import (
	"context"

	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema (draft 2020-12) the case data follows, whether in case.json, case.yaml or case.xlsx",
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return usageErrorf("casepack schema takes no arguments")
			}
			// Machine output: the exact bytes, not the terminal's view.
			_, err := termsafe.Unwrap(cmd.Root().Writer).Write(packager.Schema())
			return err
		},
	})
}
