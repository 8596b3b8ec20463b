package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/casepack/casepack/packager/sign"
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

// keygenOutput is the JSON object of `keygen --format json`.
type keygenOutput struct {
	PrivateKey  string `json:"private_key"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
}

func runKeygen(_ context.Context, cmd *cli.Command) error {
	format, err := outputFormat(cmd)
	if err != nil {
		return err
	}
	if cmd.NArg() != 0 {
		return usageErrorf("keygen takes no arguments; name the key with -o NAME")
	}
	name, err := requiredString(cmd, "out")
	if err != nil {
		return err
	}
	priv, err := sign.GenerateKey(nil)
	if err != nil {
		return err
	}
	fp, err := sign.WriteKeyPair(name, priv)
	keyPath, pubPath := sign.KeyPairFiles(name)
	if errors.Is(err, fs.ErrExist) {
		return withHint(exitOperational, fmt.Errorf("%s or %s already exists; nothing was written", keyPath, pubPath),
			"choose another -o NAME; an existing key is never overwritten")
	}
	if err != nil {
		return err
	}
	out := cmd.Root().Writer
	if format == "json" {
		return writeJSON(out, keygenOutput{PrivateKey: keyPath, PublicKey: pubPath, Fingerprint: fp})
	}
	fmt.Fprintf(out, "private key %s (keep it secret; readable by you only)\n", keyPath)
	fmt.Fprintf(out, "public key  %s (give it to whoever verifies your packages)\n", pubPath)
	fmt.Fprintf(out, "fingerprint %s\n", fp)
	return nil
}
