package main

import (
	"context"
	"fmt"

	"github.com/casepack/casepack/packager"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "keygen",
		Usage:     "make an Ed25519 signing key pair: NAME.key (private, mode 0600) and NAME.pub.pem (public)",
		ArgsUsage: " ",
		Description: "Writes NAME.key (PKCS#8 PEM, readable by you only) and NAME.pub.pem (PKIX PEM)\n" +
			"and prints the key's fingerprint: the SHA-256 of the public key, which is also\n" +
			"`openssl pkey -pubin -in NAME.pub.pem -outform DER | sha256sum`. Give the\n" +
			"public key and the fingerprint (by another channel) to whoever will verify\n" +
			"your packages; keep NAME.key secret. Existing files are never overwritten.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "NAME: write NAME.key and NAME.pub.pem (required)"},
			formatFlag(),
		},
		Action: runKeygen,
	})
}

func runKeygen(_ context.Context, cmd *cli.Command) error {
	format, err := outputFormat(cmd)
	if err != nil {
		return err
	}
	if cmd.NArg() != 0 {
		return usageErrorf("keygen takes no arguments; name the key with -o NAME")
	}
	rep, err := packager.Keygen(cmd.String("out"))
	if err != nil {
		return err
	}
	out := cmd.Root().Writer
	if format == "json" {
		return writeJSON(out, rep)
	}
	fmt.Fprintf(out, "private key %s (keep it secret; readable by you only)\n", rep.PrivateKey)
	fmt.Fprintf(out, "public key  %s (give it to whoever verifies your packages)\n", rep.PublicKey)
	fmt.Fprintf(out, "fingerprint %s\n", rep.Fingerprint)
	return nil
}
