package verify

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
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
		r := rand.New(rand.NewPCG(1, 2))
		extra := map[string][]byte{}
		for i := range 2000 {
			data := make([]byte, 4<<10+r.IntN(60<<10))
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			extra[fmt.Sprintf("data/evidence/EV-%06d/img-%06d.jpg", i+10, i+10)] = data
		}
		dir = writeBag(b, bagWith(b, extra))
	}
	b.ReportAllocs()
	verifyEach(b, dir)
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
