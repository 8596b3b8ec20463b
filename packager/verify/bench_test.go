package verify

import (
	"bytes"
	"context"
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
