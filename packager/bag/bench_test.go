package bag

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"
	"testing"
)

// BenchmarkCasepackManifestWrite writes casepack/manifest.json for the
// package bench's 20,000 photos (scripts/bench-package.sh): one file an
// item, as a build writes it between the evidence pass and the generated
// files.
func BenchmarkCasepackManifestWrite(b *testing.B) {
	items := make([]EvidenceItem, 20_000)
	for i := range items {
		p := fmt.Sprintf("data/evidence/EV-%06d/img-%06d.jpg", i+1, i+1)
		items[i] = EvidenceItem{ID: fmt.Sprintf("EV-%06d", i+1), Title: fmt.Sprintf("Benchmark file %d", i+1), Files: []ManifestFile{{
			Path: p, Size: int64(4096 + i%61440), MediaType: "image/jpeg",
			SHA256: fmt.Sprintf("%x", sha256.Sum256([]byte(p))), SHA512: fmt.Sprintf("%x", sha512.Sum512([]byte(p))),
		}}}
	}
	m := CasepackManifest{CasepackVersion: "bench", SubmissionID: "BENCH-001", Edition: "confidential", Created: "2021-02-18T12:00:00Z", Evidence: items}
	b.ReportAllocs()
	for b.Loop() {
		var n countWriter
		if err := m.Write(&n); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n))
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
