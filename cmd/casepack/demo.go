package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:  "demo",
		Usage: "build, sign and verify the bundled La Vega sample (what `make demo` runs)",
		Description: "Copies the La Vega sample case (synthetic, embedded in casepack) to\n" +
			"OUT/la-vega, makes a DEMO signing key in OUT/demo-key.*, validates the case,\n" +
			"builds both editions in English, French and Spanish (zipped and signed),\n" +
			"and verifies them trusting the demo key. Each step prints the casepack\n" +
			"command it runs, so you can repeat it on your own case.\n\n" +
			"OUT must be new or empty, or hold exactly what an earlier demo wrote there\n" +
			"(listed in OUT/" + packager.DemoRecord + "), which is then replaced. A folder holding\n" +
			"anything else is refused: the demo never deletes a file it did not write.",
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
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	date := cmd.String("date")
	if date == "" && os.Getenv("SOURCE_DATE_EPOCH") != "" {
		d, err := buildDate(cmd, time.Now)
		if err != nil {
			return err
		}
		date = d.Format(time.RFC3339)
	}
	rep, err := packager.Demo(ctx, cmd.String("out"), packager.DemoOptions{
		Date: date,
		Say:  func(s string) { fmt.Fprintln(stdout, s) },
		Run: func(args []string) error {
			fmt.Fprintf(stdout, "\n$ casepack %s\n", shellJoin(args))
			if code := run(append([]string{"casepack"}, args...), stdout, stderr); code != 0 {
				return silentExit(code)
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nDone. Read %s, or check the package\n"+
		"without casepack: see %s.\n", strings.Join(rep.Narratives, ", "), filepath.Join(rep.Confidential, "VERIFY.txt"))
	return nil
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
