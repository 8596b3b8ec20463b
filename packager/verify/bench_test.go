package verify

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/digest"
)

// BenchmarkVerify measures verification of a folder package holding 4 × 8
// MiB of payload: every file read once, both digests.
func BenchmarkVerify(b *testing.B) {
	big := map[string][]byte{}
	for i := range 4 {
		big["data/evidence/EV-000"+string(rune('5'+i))+"/v.mp4"] = bytes.Repeat([]byte{byte(i), 7, 9}, 8<<20/3)
	}
	dir := writeBag(b, bagWith(b, big))
	var total int64
	for _, d := range big {
		total += int64(len(d))
	}
	b.SetBytes(total)
	verifyEach(b, dir)
}

// BenchmarkVerifySmallFiles measures verification of a package folder of
// many small evidence files, each in a folder of its own, as Build lays
// them out: 2,000 files of 4–64 KiB, or the package folder named by
// CASEPACK_BENCH_PACKAGE (e.g. one scripts/bench-package.sh built, kept
// with KEEP=1), to profile verify over it:
//
//	CASEPACK_BENCH_PACKAGE=/tmp/x/out/PKG go test ./packager/verify -run '^$' \
//	    -bench VerifySmallFiles -benchtime 5x -cpuprofile cpu.out
func BenchmarkVerifySmallFiles(b *testing.B) {
	dir := os.Getenv("CASEPACK_BENCH_PACKAGE")
	if dir == "" {
		dir = writeBag(b, bagWith(b, smallFiles(2000)))
	}
	b.ReportAllocs()
	verifyEach(b, dir)
}

// BenchmarkVerifyAfterWrite measures what a build's verify-after-write
// does over the package of BenchmarkVerifySmallFiles (or
// CASEPACK_BENCH_PACKAGE's): every evidence file's SHA-256 is handed in
// (Options.Hashed, as the build's re-read has it), so only the rest is
// read and hashed; what is left is the listing, the manifests and the
// checks, which the build waits for at its end.
func BenchmarkVerifyAfterWrite(b *testing.B) {
	dir := os.Getenv("CASEPACK_BENCH_PACKAGE")
	if dir == "" {
		dir = writeBag(b, bagWith(b, smallFiles(2000)))
	}
	hashed := hashedFrom(b, dir)
	b.ReportAllocs()
	for b.Loop() {
		pkg, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Verify(context.Background(), pkg, Options{Hashed: hashed})
		pkg.Close()
		if err != nil || !rep.Intact() {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// smallFiles are n evidence files of 4–64 KiB, each in a folder of its
// own, as Build lays them out.
func smallFiles(n int) map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	extra := map[string][]byte{}
	for i := range n {
		data := make([]byte, 4<<10+r.IntN(60<<10))
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		extra[fmt.Sprintf("data/evidence/EV-%06d/img-%06d.jpg", i+10, i+10)] = data
	}
	return extra
}

// hashedFrom is what a build hands its verify-after-write for the package
// folder dir: the SHA-256 and size of every evidence file, here read from
// its manifest-sha256.txt and the files' sizes.
func hashedFrom(b *testing.B, dir string) func(p string) (digest.Digests, bool) {
	m, err := os.ReadFile(filepath.Join(dir, "manifest-sha256.txt"))
	if err != nil {
		b.Fatal(err)
	}
	known := map[string]digest.Digests{}
	for line := range strings.Lines(string(m)) {
		sum, p, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "  ")
		if !ok || !strings.HasPrefix(p, "data/evidence/") {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			b.Fatal(err)
		}
		known[p] = digest.Digests{Size: info.Size(), SHA256: sum}
	}
	return func(p string) (digest.Digests, bool) {
		d, ok := known[p]
		return d, ok
	}
}

// verifyEach opens and verifies the package folder dir once per benchmark
// iteration, failing unless it is intact.
func verifyEach(b *testing.B, dir string) {
	b.Helper()
	for b.Loop() {
		pkg, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Verify(context.Background(), pkg, Options{})
		pkg.Close()
		if err != nil || !rep.Intact() {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}
