package verify

import (
	"bytes"
	"compress/flate"
	"testing"
)

func deflate(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	must(t, err)
	w.Write(b)
	must(t, w.Close())
	return buf.Bytes()
}
