package schema_test

import (
	"context"
	"fmt"
	"github.com/casepack/casepack/packager/finding"

	"github.com/casepack/casepack/schema"
)

// Validate a case folder and print every finding, as casepack validate does.
func ExampleLoadAndValidate() {
	_, findings, err := schema.LoadAndValidate(context.Background(), "testdata/invalid/CP-MINOR-AGE_seventeen-not-minor", schema.Options{})
	if err != nil {
		fmt.Println("cannot read the case:", err)
		return
	}
	for _, f := range findings {
		fmt.Printf("%d:%d %s %s: %s\n", f.Line, f.Column, f.Code, f.Pointer, f.Message)
	}
	errors, warnings := finding.Count(findings)
	fmt.Println(errors, "error(s),", warnings, "warning(s)")
	// Output:
	// 58:16 CP-MINOR-AGE /persons/0/minor: Victim 01 is 17 but is not marked as a minor
	// 1 error(s), 0 warning(s)
}
