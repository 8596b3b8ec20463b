package store

import "testing"

// Every object up to S3's 5 TiB fits in 10,000 parts, and ones up to 156 GiB keep
// the 16 MiB part (the one buffer an upload holds).
func TestPartSize(t *testing.T) {
	for _, size := range []int64{0, 1, 16 << 20, 100 << 30, 160 << 30, 160<<30 + 1, 1 << 40, 5 << 40} {
		p := int64(partSize(size))
		if p < minPartSize || p*10000 < size || p%(1<<20) != 0 {
			t.Errorf("partSize(%d) = %d", size, p)
		}
		if size <= minPartSize*10000 && p != minPartSize {
			t.Errorf("partSize(%d) = %d, want %d", size, p, minPartSize)
		}
	}
}
