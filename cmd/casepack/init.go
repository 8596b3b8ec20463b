package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/casepack/casepack/samples"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "init",
		Usage:     "start a new case folder from the smallest valid case, to edit",
		ArgsUsage: "DIR",
		Description: "Writes DIR/case.json and DIR/evidence/ from the bundled minimal case: one\n" +
			"incident, one evidence file (a synthetic stand-in). Replace its contents with\n" +
			"your own, then run casepack validate DIR. DIR must not exist yet.",
		Action: func(_ context.Context, cmd *cli.Command) error {
			dir, err := oneArg(cmd, "DIR")
			if err != nil {
				return err
			}
			if _, err := os.Lstat(dir); err == nil {
				return withHint(exitOperational, fmt.Errorf("%s already exists", dir), "choose a new folder name; init never writes into an existing folder")
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if err := copyFS(dir, samples.Minimal); err != nil {
				os.RemoveAll(dir)
				return fmt.Errorf("create %s: %w", dir, err)
			}
			fmt.Fprintf(cmd.Root().Writer, "created %s: edit %s/case.json (casepack schema describes every field), put your evidence files under %s/evidence/, then run: casepack validate %s\n", dir, dir, dir, dir)
			return nil
		},
	})
}
