package assemble

import (
	"context"
	"testing"
)

// BenchmarkBuild measures a whole build (copy + both digests, manifests,
// fsync, verify-after-write) of 4 × 8 MiB plus the small default files.
func BenchmarkBuild(b *testing.B) {
	evs := append([]evSpec(nil), defaultEvidence...)
	for i, id := range []string{"EV-0011", "EV-0012", "EV-0013", "EV-0014"} {
		evs = append(evs, evSpec{id, "big" + string(rune('a'+i)) + ".mp4", "video/mp4", 8 << 20, false})
	}
	c := newCase(b, evs)
	spec := c.spec(evs)
	var total int64
	for _, e := range evs {
		total += int64(e.size)
	}
	b.SetBytes(total)
	for b.Loop() {
		if _, err := Build(context.Background(), spec, Options{OutDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
}
