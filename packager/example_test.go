package packager_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/fault"
)

// minimal is a small valid case: one incident, one evidence file.
var minimal = filepath.Join("..", "schema", "testdata", "valid", "minimal")

func ExampleValidate() {
	rep, err := packager.Validate(context.Background(), minimal, packager.ValidateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("valid:", rep.Valid, "errors:", rep.Errors)
	// Output: valid: true errors: 0
}

func ExampleValidate_invalid() {
	bad := filepath.Join("..", "schema", "testdata", "invalid", "CP-DATE-INVALID_february-30")
	rep, err := packager.Validate(context.Background(), bad, packager.ValidateOptions{})
	fmt.Println(errors.Is(err, packager.ErrCaseInvalid), fault.ClassOf(err) == fault.InvalidCase)
	fmt.Println(rep.Findings[0].Code)
	// Output:
	// true true
	// CP-DATE-INVALID
}

// Build a package from a case, then verify it as its recipient would,
// trusting the signer's public key.
func ExampleBuild() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "casepack-example-")
	defer os.RemoveAll(dir)

	key, _ := packager.Keygen(filepath.Join(dir, "alice"))
	signers, err := packager.LoadSigners(packager.SignerOptions{Keys: []string{key.PrivateKey}, Name: "Alice"})
	if err != nil {
		fmt.Println(err)
		return
	}
	built, err := packager.Build(ctx, minimal, packager.BuildOptions{
		OutDir:  filepath.Join(dir, "out"),
		Date:    time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC),
		Signers: signers,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("built", filepath.Base(built.Package.Dir), "with", built.Package.EvidenceFiles, "evidence file")

	trust, _ := packager.LoadTrust([]string{key.PublicKey})
	checked, err := packager.Verify(ctx, built.Package.Dir, packager.VerifyOptions{Trust: trust})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("intact:", checked.Intact, "trusted signatures:", checked.TrustedValid)
	// Output:
	// built FIX-001_confidential with 1 evidence file
	// intact: true trusted signatures: 1
}
