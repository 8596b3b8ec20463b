package main

import (
	"context"
	"fmt"

	"github.com/casepack/casepack/packager/serve"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "serve",
		Usage:     "run casepack as a web app in your browser, on this computer only",
		ArgsUsage: " ",
		Description: "Starts a local web app for the whole workflow: open or start a case, see its\n" +
			"problems, add evidence, build and sign a package, verify one. It prints an\n" +
			"address to open in your browser (or opens it with --open); the address holds\n" +
			"a one-time key, so only you can use the app. Nothing leaves this computer:\n" +
			"the app listens on 127.0.0.1 and loads nothing from the internet.\n" +
			"Stop it with Ctrl-C.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:0", Usage: "`HOST:PORT` to listen on (port 0: a free one); only loopback unless --allow-remote"},
			&cli.BoolFlag{Name: "allow-remote", Usage: "allow an --addr other computers can reach (the printed key is then all that protects your cases)"},
			&cli.BoolFlag{Name: "open", Usage: "open the app in your browser"},
			&cli.StringFlag{Name: "workspace", Aliases: []string{"w"}, Value: ".", Usage: "the `DIR` that holds your case folders, packages/ and keys/"},
			&cli.StringFlag{Name: "archive", Usage: "the archive `ROOT` of the Archive page: a folder or s3://bucket/prefix (default: DIR/archive)"},
		},
		Action: runServe,
	})
}

func runServe(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() != 0 {
		return usageErrorf("serve takes no arguments; choose the folder of your cases with --workspace DIR")
	}
	s, err := serve.New(serve.Options{
		Addr:        cmd.String("addr"),
		AllowRemote: cmd.Bool("allow-remote"),
		Workspace:   cmd.String("workspace"),
		Archive:     cmd.String("archive"),
		Version:     version,
		Log:         cmd.Root().ErrWriter,
	})
	if err != nil {
		return err
	}
	out := cmd.Root().Writer
	fmt.Fprintf(out, "casepack serve: your cases in %s\n", s.Workspace())
	fmt.Fprintf(out, "open this address in your browser (it works only for this run; keep it to yourself):\n\n    %s\n\n", s.URL())
	fmt.Fprintln(out, "stop with Ctrl-C")
	if cmd.Bool("open") {
		if err := serve.OpenBrowser(s.URL()); err != nil {
			printError(cmd.Root().ErrWriter, err)
		}
	}
	return s.Serve(ctx)
}
