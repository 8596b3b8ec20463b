package schema_test

import (
	"context"
	"github.com/casepack/casepack/packager/finding"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/schema"
)

// BenchmarkValidateLarge validates a generated case (1,000 incidents,
// 100,000 persons, 10,000 evidence items; about 79 MB of JSON). make bench
// reports it next to ajv-cli on the same file (scripts/bench-validate.sh).
func BenchmarkValidateLarge(b *testing.B) {
	dir := b.TempDir()
	if _, err := casegen.Generate(casegen.Options{Incidents: 1000, Persons: 100000, Evidence: 10000, Seed: 1, Dir: dir}); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "case.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, fs, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := finding.Count(fs); n != 0 {
			b.Fatalf("generated case has %d errors: %v", n, fs[0])
		}
	}
}

// BenchmarkCanonicalLarge writes the Canonical bytes of the generated case
// of BenchmarkValidateLarge (about 79 MB).
func BenchmarkCanonicalLarge(b *testing.B) {
	c, err := casegen.Generate(casegen.Options{Incidents: 1000, Persons: 100000, Evidence: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := schema.Canonical(c)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
	}
}
