package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/archive/store"
	"github.com/casepack/casepack/packager/archive/store/s3test"
)

// backends returns a fresh store of each kind; the S3 one is skipped
// locally (failed under CI=true) when no S3 server is available.
func backends(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"local": func(t *testing.T) store.Store {
			s, err := store.OpenLocal(filepath.Join(t.TempDir(), "root"), true)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"s3": func(t *testing.T) store.Store {
			srv := s3test.Need(t)
			srv.Setenv(t)
			s, err := store.OpenS3(context.Background(), "s3://"+srv.Bucket(t, false)+"/some/prefix", store.S3Config{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

func put(t *testing.T, s store.Store, key string, b []byte, opt store.PutOptions) error {
	t.Helper()
	return s.Put(context.Background(), key, bytes.NewReader(b), int64(len(b)), opt)
}

func read(t *testing.T, s store.Store, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			big := make([]byte, 3<<20+17)
			for i := range big {
				big[i] = byte(i * 7)
			}
			if err := put(t, s, "a/b/big.bin", big, store.PutOptions{Exclusive: true}); err != nil {
				t.Fatal(err)
			}
			if err := put(t, s, "a/b.txt", []byte("one"), store.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := put(t, s, "c.txt", []byte(""), store.PutOptions{Exclusive: true}); err != nil {
				t.Fatal(err)
			}

			// An exclusive put never replaces.
			err := put(t, s, "a/b/big.bin", []byte("other"), store.PutOptions{Exclusive: true})
			if !errors.Is(err, fs.ErrExist) {
				t.Fatalf("exclusive put over an object: err = %v, want fs.ErrExist", err)
			}
			if got := read(t, s, "a/b/big.bin"); !bytes.Equal(got, big) {
				t.Fatal("an exclusive put changed the existing object")
			}
			// A plain put replaces.
			if err := put(t, s, "a/b.txt", []byte("two"), store.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := read(t, s, "a/b.txt"); string(got) != "two" {
				t.Fatalf("replaced object reads %q", got)
			}

			fi, err := s.Stat(ctx, "a/b/big.bin")
			if err != nil || fi.Size != int64(len(big)) {
				t.Fatalf("stat = %+v, %v", fi, err)
			}
			if _, err := s.Stat(ctx, "a/nope"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("stat of a missing object: %v, want fs.ErrNotExist", err)
			}
			if _, err := s.Open(ctx, "a/nope"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("open of a missing object: %v, want fs.ErrNotExist", err)
			}

			var keys []string
			for fi, err := range s.List(ctx, "a/") {
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, fi.Key)
			}
			slices.Sort(keys)
			if want := []string{"a/b.txt", "a/b/big.bin"}; !slices.Equal(keys, want) {
				t.Fatalf("list a/ = %q, want %q", keys, want)
			}
			keys = nil
			for fi, err := range s.List(ctx, "a/b") { // a partial element
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, fi.Key)
			}
			slices.Sort(keys)
			if want := []string{"a/b.txt", "a/b/big.bin"}; !slices.Equal(keys, want) {
				t.Fatalf("list a/b = %q, want %q", keys, want)
			}
			for _, err := range s.List(ctx, "zzz/") {
				t.Fatalf("list of an empty prefix yielded %v", err)
			}

			// Random access: scattered reads, sequential runs, the end.
			ra, err := s.OpenAt(ctx, "a/b/big.bin")
			if err != nil {
				t.Fatal(err)
			}
			if ra.Size() != int64(len(big)) {
				t.Fatalf("size %d", ra.Size())
			}
			r := rand.New(rand.NewPCG(1, 2))
			for range 40 {
				off := r.Int64N(int64(len(big)))
				n := r.IntN(300 << 10)
				buf := make([]byte, n)
				got, err := ra.ReadAt(buf, off)
				want := min(n, len(big)-int(off))
				if got != want || (err != nil && !(errors.Is(err, io.EOF) && want < n)) {
					t.Fatalf("ReadAt(%d, %d) = %d, %v", n, off, got, err)
				}
				if !bytes.Equal(buf[:got], big[off:off+int64(got)]) {
					t.Fatalf("ReadAt(%d, %d): wrong bytes", n, off)
				}
			}
			seq := io.NewSectionReader(ra, 0, ra.Size())
			all, err := io.ReadAll(seq)
			if err != nil || !bytes.Equal(all, big) {
				t.Fatalf("sequential read through ReadAt: %v", err)
			}
			ra.Close()

			if err := s.Delete(ctx, "a/b.txt"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "a/b.txt"); err != nil {
				t.Fatalf("deleting a missing object: %v", err)
			}
			if _, err := s.Stat(ctx, "a/b.txt"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("deleted object: %v", err)
			}

			for _, bad := range []string{"", "/abs", "a/../b", "a//b", `a\b`, "a/./b", "x\n"} {
				if err := put(t, s, bad, []byte("x"), store.PutOptions{}); err == nil {
					t.Errorf("put %q was accepted", bad)
				}
			}
		})
	}
}

func TestLocalObjectsReadOnlyAndNoStagingLeft(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "root")
	s, err := store.OpenLocal(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := put(t, s, "p/x.bin", []byte("data"), store.PutOptions{Exclusive: true}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "p", "x.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Fatalf("stored file mode %v is writable", fi.Mode())
	}
	left, _ := os.ReadDir(filepath.Join(dir, ".staging"))
	if len(left) != 0 {
		t.Fatalf("staging files left: %v", left)
	}
	// A put whose reader fails leaves nothing visible and nothing staged.
	err = s.Put(context.Background(), "p/broken.bin", io.MultiReader(strings.NewReader("half"), errReader{}), 100, store.PutOptions{})
	if err == nil {
		t.Fatal("a failing reader was stored")
	}
	if _, err := os.Stat(filepath.Join(dir, "p", "broken.bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("half object visible: %v", err)
	}
	left, _ = os.ReadDir(filepath.Join(dir, ".staging"))
	if len(left) != 0 {
		t.Fatalf("staging files left after a failed put: %v", left)
	}
	if err := s.CheckRetention(context.Background()); !errors.Is(err, store.ErrRetentionUnsupported) {
		t.Fatalf("local retention: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// A symbolic link planted in a local root cannot lead a key outside it.
func TestLocalRefusesLinksOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "root")
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	s, err := store.OpenLocal(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(context.Background(), "link/secret"); err == nil {
		t.Fatal("read through a link out of the root")
	}
	if err := put(t, s, "link/new", []byte("x"), store.PutOptions{}); err == nil {
		t.Fatal("wrote through a link out of the root")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Fatal("a file appeared outside the root")
	}
}

func TestParseS3URL(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, prefix string
		bad                bool
	}{
		{in: "s3://b", bucket: "b"},
		{in: "s3://b/", bucket: "b"},
		{in: "s3://b/p/q/", bucket: "b", prefix: "p/q/"},
		{in: "s3://key:secret@b/p", bad: true},
		{in: "s3:///p", bad: true},
		{in: "s3://b/p/../q", bad: true},
		{in: "s3://b/p?x=1", bad: true},
		{in: "http://b/p", bad: true},
	} {
		b, p, err := store.ParseS3URL(tc.in)
		if tc.bad != (err != nil) || b != tc.bucket || p != tc.prefix {
			t.Errorf("ParseS3URL(%q) = %q, %q, %v", tc.in, b, p, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}

func TestS3Retention(t *testing.T) {
	srv := s3test.Need(t)
	srv.Setenv(t)
	ctx := context.Background()
	plain, err := store.OpenS3(ctx, "s3://"+srv.Bucket(t, false), store.S3Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.CheckRetention(ctx); !errors.Is(err, store.ErrRetentionUnsupported) {
		t.Fatalf("bucket without Object Lock: %v", err)
	}
	locked, err := store.OpenS3(ctx, "s3://"+srv.Bucket(t, true)+"/arch", store.S3Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := locked.CheckRetention(ctx); err != nil {
		t.Fatalf("bucket with Object Lock: %v", err)
	}
	until := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	ret := &store.Retention{Mode: store.Governance, Until: until}
	if err := put(t, locked, "kept.txt", []byte("kept"), store.PutOptions{Exclusive: true, Retention: ret}); err != nil {
		t.Fatal(err)
	}
	got, err := locked.Retention(ctx, "kept.txt")
	if err != nil || got == nil || got.Mode != store.Governance || !got.Until.Equal(until) {
		t.Fatalf("retention read back = %+v, %v; want governance until %v", got, err, until)
	}
}

func TestS3NoCredentials(t *testing.T) {
	env := map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"), "AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none")}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	_, err := store.OpenS3(context.Background(), "s3://bucket/p", store.S3Config{})
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("no credentials: %v", err)
	}
}

// Root URLs come from the command line: parsing never panics, never
// repeats credentials, and a parsed prefix is a safe key.
func FuzzParseS3URL(f *testing.F) {
	for _, s := range []string{"s3://b/p", "s3://k:secret@b/p", "s3://b/../p", "s3://b/p?x#y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, prefix, err := store.ParseS3URL(s)
		if err != nil {
			if i := strings.Index(s, "@"); i > 0 && strings.Contains(s[:i], ":") {
				pw := s[strings.LastIndex(s[:i], ":")+1 : i]
				// Only passwords that %q cannot spell by accident (escapes
				// are hex digits and letters a-f, x, u, n, t, r).
				plain := len(pw) >= 6 && strings.Trim(pw, "ghijklmopqsvwyzGHIJKLMOPQSVWYZ") == ""
				if plain && strings.Contains(err.Error(), pw) && !strings.Contains(s[i:], pw) {
					t.Fatalf("error repeats the password %q: %v", pw, err)
				}
			}
			return
		}
		if prefix != "" && store.CheckKey(strings.TrimSuffix(prefix, "/")) != nil {
			t.Fatalf("unsafe prefix %q from %q", prefix, s)
		}
	})
}
