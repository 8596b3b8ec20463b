package annex

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// bigCase generates a case of the size the issue sets as the goal: 100,000
// persons (all victims, each with a death record) and 10,000 evidence items,
// with 1,000 incidents, custody chains and element-by-element mappings.
func bigCase(persons, evidence, incidents int) (*schema.Case, []FileInfo) {
	c := &schema.Case{SchemaVersion: "1.0"}
	c.Submission.ID = "SUB-BENCH"
	c.Submission.Title = "Generated"
	c.Submission.Languages = []string{"es"}
	for i := range 50 {
		c.Units = append(c.Units, schema.Unit{ID: fmt.Sprintf("U-U%02d", i), Name: fmt.Sprintf("Unidad %d", i), Type: "police"})
	}
	var files []FileInfo
	for i := range evidence {
		id := fmt.Sprintf("EV-%05d", i+1)
		ev := schema.Evidence{
			ID: id, Title: "Vídeo " + id, Type: "video", Classification: "confidential",
			Description: strings.Repeat("Descripción del material. ", 8),
			ContentTime: "2021-01-08T07:30:00-04:00",
			Files:       []schema.File{{Path: "evidence/" + id + ".mp4", Role: "original", MediaType: "video/mp4"}},
			Provenance:  &schema.Provenance{SourceType: "open_source", Platform: "X", URL: "https://x.com/a/" + id, CapturedAt: "2021-01-08T15:00:00Z"},
			Verification: &schema.Verification{Status: "verified", Confidence: "high", Date: "2021-01-20",
				Geolocation: &schema.Check{Status: "confirmed", Method: "landmarks"}},
			Custody: []schema.Custody{
				{At: "2021-01-08T15:00:00Z", Actor: "Analyst", Action: "captured"},
				{At: "2021-01-09T15:00:00Z", Actor: "Analyst", Action: "hashed", SHA256: strings.Repeat("a", 64)},
			},
		}
		c.Evidence = append(c.Evidence, ev)
		files = append(files, FileInfo{ID: id, Source: ev.Files[0].Path, Path: edition.PackagePath(id, ev.Files[0].Path),
			MediaType: "video/mp4", Size: 1 << 20, SHA256: strings.Repeat("b", 64), SHA512: strings.Repeat("c", 128)})
	}
	perInc := persons / incidents
	for i := range incidents {
		inc := schema.Incident{
			ID: fmt.Sprintf("INC-%04d", i+1), Title: "Incidente", Start: "2021-01-08",
			Location:    schema.Location{Country: "Venezuela", Place: "Barrio"},
			Description: strings.Repeat("Hechos. ", 20),
			UnitIDs:     []string{c.Units[i%50].ID},
		}
		evs := []string{c.Evidence[(i*10)%evidence].ID, c.Evidence[(i*10+1)%evidence].ID}
		inc.EvidenceIDs = evs
		inc.Characterisation = []schema.Characterisation{{Article: "7(1)(a)", Label: "Murder", Elements: []schema.Element{
			{Element: "Killed one or more persons", Assessment: "supported", EvidenceIDs: evs},
			{Element: "Part of an attack", Assessment: "partly_supported", EvidenceIDs: evs[:1]},
		}}}
		for j := range perInc {
			inc.VictimIDs = append(inc.VictimIDs, fmt.Sprintf("V-%04d", (i*perInc+j)%10000))
		}
		c.Incidents = append(c.Incidents, inc)
	}
	age := 30
	for i := range persons {
		c.Persons = append(c.Persons, schema.Person{
			ID: fmt.Sprintf("V-%06d", i), Pseudonym: fmt.Sprintf("Víctima %d", i), Roles: []string{"victim"}, Age: &age,
			Death: &schema.Death{Date: "2021-01-08", IncidentID: c.Incidents[i%incidents].ID, Cause: "Herida de bala",
				Wounds: []schema.Wound{{Location: "tórax", Type: "gunshot", Count: 2}}},
		})
	}
	return c, files
}

type discardCloser struct{ io.Writer }

func (discardCloser) Close() error { return nil }

// BenchmarkWriteLarge measures the annexes of the goal case (100,000
// persons, 10,000 evidence items). Peak memory: run it under
// /usr/bin/time -v (see FORMAT-annex.md).
func BenchmarkWriteLarge(b *testing.B) {
	c, files := bigCase(100_000, 10_000, 1_000)
	opt := Options{Edition: edition.Confidential, Version: "bench", Date: testDate, TmpDir: b.TempDir()}
	open := func(string) (io.WriteCloser, error) { return discardCloser{io.Discard}, nil }
	b.ResetTimer()
	for b.Loop() {
		var n countWriter
		if err := Write(context.Background(), c, files, opt, &n, open); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "xlsx-bytes")
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// photoCase is the case scripts/bench-package.sh builds from n photos:
// each item a title, a type, one file and a classification, every one
// listed by a single incident.
func photoCase(n int) (*schema.Case, []FileInfo) {
	c := &schema.Case{SchemaVersion: "1.0"}
	c.Submission.ID = "BENCH-001"
	c.Submission.Title = "casepack benchmark (generated)"
	c.Submission.Languages = []string{"en"}
	inc := schema.Incident{ID: "INC-01", Title: "Benchmark incident", Start: "2021-01-08", Description: "Generated."}
	var files []FileInfo
	for i := range n {
		id := fmt.Sprintf("EV-%06d", i+1)
		p := fmt.Sprintf("evidence/photos/img-%06d.jpg", i+1)
		c.Evidence = append(c.Evidence, schema.Evidence{ID: id, Title: fmt.Sprintf("Benchmark file %d", i+1), Type: "photo",
			Classification: "confidential", Files: []schema.File{{Path: p, Role: "original", MediaType: "image/jpeg"}}})
		inc.EvidenceIDs = append(inc.EvidenceIDs, id)
		files = append(files, FileInfo{ID: id, Source: p, Path: edition.PackagePath(id, p), MediaType: "image/jpeg",
			Size: 4096 + int64(i)%61440, SHA256: digest.SHA256([]byte(p)), SHA512: fmt.Sprintf("%x", sha512.Sum512([]byte(p)))})
	}
	c.Incidents = []schema.Incident{inc}
	return c, files
}

// BenchmarkWriteManyEvidence writes the annexes of a case of 20,000 and
// 100,000 evidence items with one file each (a case of many photographs):
// the Evidence and Files registers carry every item. "photos" is the
// package bench's case of 20,000 terse items (photoCase), whose workbook
// a build of it makes.
func BenchmarkWriteManyEvidence(b *testing.B) {
	for _, n := range []int{20_000, 100_000, -20_000} {
		name := strconv.Itoa(n)
		if n < 0 {
			name = "photos-" + strconv.Itoa(-n)
		}
		b.Run(name, func(b *testing.B) {
			var c *schema.Case
			var files []FileInfo
			if n < 0 {
				c, files = photoCase(-n)
			} else {
				c, files = bigCase(0, n, 1)
			}
			open := func(string) (io.WriteCloser, error) { return discardCloser{io.Discard}, nil }
			b.ReportAllocs()
			u0, s0 := cpuTime()
			for b.Loop() {
				var n countWriter
				if err := Write(context.Background(), c, files, Options{Version: "bench", Date: testDate, TmpDir: b.TempDir()}, &n, open); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n), "xlsx-bytes")
			}
			// CPU time, not wall time, is what compares two versions on
			// a machine others are using.
			u1, s1 := cpuTime()
			b.ReportMetric((u1-u0)/float64(b.N), "user-µs/op")
			b.ReportMetric((s1-s0)/float64(b.N), "sys-µs/op")
		})
	}
}

// BenchmarkWriteAsBuilt writes the workbook of the package bench's 20,000
// photos (photoCase) as a build does (packager/submission): each item's
// files handed a row at a time with their digests as bytes, and the
// workbook and every CSV twin hashed as written, with SHA-256 and
// SHA-512 for the manifests and SHA-256 again for the narrative's annex
// index.
func BenchmarkWriteAsBuilt(b *testing.B) {
	c, files := photoCase(20_000)
	for i := range files {
		s256, _ := hex.DecodeString(files[i].SHA256)
		s512, _ := hex.DecodeString(files[i].SHA512)
		files[i].SHA256, files[i].SHA512, files[i].Sum256, files[i].Sum512 = "", "", s256, s512
	}
	// One file an item, in case order: the i-th item's is files[i].
	byItem := func(dst []FileInfo, i int, _ *schema.Evidence) []FileInfo { return append(dst, files[i]) }
	hashed := func() io.Writer { return io.MultiWriter(sha256.New(), sha512.New(), sha256.New()) }
	open := func(string) (io.WriteCloser, error) { return discardCloser{hashed()}, nil }
	b.ReportAllocs()
	u0, s0 := cpuTime()
	for b.Loop() {
		if err := WriteFiles(context.Background(), c, byItem, Options{Version: "bench", Date: testDate, TmpDir: b.TempDir()}, hashed(), open); err != nil {
			b.Fatal(err)
		}
	}
	u1, s1 := cpuTime()
	b.ReportMetric((u1-u0)/float64(b.N), "user-µs/op")
	b.ReportMetric((s1-s0)/float64(b.N), "sys-µs/op")
}
