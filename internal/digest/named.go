package digest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// newNamed returns a hash for a BagIt algorithm name (RFC 8493 §2.4 and
// the IANA names implementations use), or nil.
func newNamed(alg string) hash.Hash {
	switch alg {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha224":
		return sha256.New224()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// Known reports whether ReadNamed can compute alg.
func Known(alg string) bool { return newNamed(alg) != nil }

// ReadNamed returns the size of r and its lowercase hex digest under each
// of algs, reading r once. It is for bags other tools made, whose
// manifests may use MD5, SHA-1 or other SHA-2 sizes; casepack's own
// packages go through Read. An unknown name is an error.
func ReadNamed(ctx context.Context, r io.Reader, algs []string) (int64, map[string]string, error) {
	hs := make([]hash.Hash, len(algs))
	ws := make([]io.Writer, len(algs))
	for i, alg := range algs {
		if hs[i] = newNamed(alg); hs[i] == nil {
			return 0, nil, fmt.Errorf("unknown digest algorithm %q", alg)
		}
		ws[i] = hs[i]
	}
	cw := &countWriter{w: io.MultiWriter(ws...)}
	if err := copyBuffer(ctx, cw, r); err != nil {
		return 0, nil, err
	}
	out := make(map[string]string, len(algs))
	for i, alg := range algs {
		out[alg] = hex.EncodeToString(hs[i].Sum(nil))
	}
	return cw.n, out, nil
}
