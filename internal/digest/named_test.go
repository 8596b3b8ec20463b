package digest

import (
	"context"
	"strings"
	"testing"
)

// TestReadNamed: the digests of "hello\n" under every name a bag may use,
// as md5sum, sha1sum, sha224sum… print them.
func TestReadNamed(t *testing.T) {
	want := map[string]string{
		"md5":    "b1946ac92492d2347c6235b4d2611184",
		"sha1":   "f572d396fae9206628714fb2ce00f72e94f2258f",
		"sha224": "2d6d67d91d0badcdd06cbbba1fe11538a68a37ec9c2e26457ceff12b",
		"sha256": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
		"sha384": "1d0f284efe3edea4b9ca3bd514fa134b17eae361ccc7a1eefeff801b9bd6604e01f21f6bf249ef030599f0c218f2ba8c",
		"sha512": "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629",
	}
	var algs []string
	for a := range want {
		algs = append(algs, a)
	}
	n, got, err := ReadNamed(context.Background(), strings.NewReader("hello\n"), algs)
	if err != nil || n != 6 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s = %s, want %s", a, got[a], w)
		}
	}
	if _, _, err := ReadNamed(context.Background(), strings.NewReader(""), []string{"crc32"}); err == nil || Known("crc32") {
		t.Error("unknown algorithm accepted")
	}
}
