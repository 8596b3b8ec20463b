package packager_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/archive"
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

// Keep a package in an archive (a folder here; s3://bucket/prefix works
// the same), find where its evidence went, and audit the archive.
func ExampleArchiveAdd() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "casepack-example-")
	defer os.RemoveAll(dir)
	built, err := packager.Build(ctx, minimal, packager.BuildOptions{OutDir: filepath.Join(dir, "out"), Date: time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}

	root := filepath.Join(dir, "archive")
	added, err := packager.ArchiveAdd(ctx, root, []string{built.Package.Dir}, packager.ArchiveAddOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := added.Packages[0]
	fmt.Println("stored:", p.Stored, p.Name, "version", p.Version)

	found, _ := packager.ArchiveFind(ctx, root, archive.FindQuery{Evidence: "EV-0001"}, packager.ArchiveOptions{})
	for _, d := range found.Disclosures {
		fmt.Println(d.File.Evidence, "included in", d.Name+":", d.Included)
	}

	fx, err := packager.ArchiveAudit(ctx, root, packager.ArchiveAuditOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("audited:", fx.Checked, "damaged:", fx.Damaged)
	// Output:
	// stored: true FIX-001_confidential version 1
	// EV-0001 included in FIX-001_confidential: true
	// audited: 1 damaged: 0
}
