package main

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/archive/store/s3test"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/sign/signtest"
	"github.com/minio/minio-go/v7"
	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI is tested as a user runs it: testscript files under
// testdata/script/*.txtar run the real binary (this test binary, re-executed
// as "casepack") and assert its stdout, stderr, exit code and the files it
// leaves behind.

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"casepack": func() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) },
	})
}

// s3Server starts (once per script) or finds the test S3 server and points
// the script's AWS environment at it.
// Scripts that need it begin with "[!s3] skip": the condition holds when
// a server is configured or versitygw is installed, and always under
// CI=true, where a missing server then fails the script.
func s3Server(ts *testscript.TestScript) *s3test.Server {
	h := ts.Value(s3Key{}).(*s3Holder)
	if h.srv != nil {
		return h.srv
	}
	srv, err := s3test.Start(func() string { return ts.MkAbs("s3-server") }, ts.Defer)
	if err != nil {
		ts.Fatalf("no S3 server (CI requires one: .ci/run starts versitygw): %v", err)
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		ts.Setenv(k, v)
	}
	h.srv = srv
	return srv
}

type s3Key struct{}

type s3Holder struct{ srv *s3test.Server }

func TestScripts(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Scripts reach the bundled samples through $SAMPLES.
			env.Setenv("SAMPLES", filepath.Join(repo, "samples"))
			env.Setenv("FIXTURES", filepath.Join(repo, "schema", "testdata"))
			env.Setenv("NO_COLOR", "1")
			// A local RFC 3161 time-stamp authority on 127.0.0.1 for the
			// scripts that time-stamp (never a public one).
			tsa, err := signtest.NewTSA()
			if err != nil {
				return err
			}
			env.Defer(tsa.Close)
			ca, err := signtest.WriteFile(env.WorkDir, "tsa-ca.pem", tsa.CA.PEM(), 0o644)
			if err != nil {
				return err
			}
			env.Values[s3Key{}] = &s3Holder{}
			env.Setenv("TSA_URL", tsa.URL)
			env.Setenv("TSA_CA", ca)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// "status N PROG ARGS…" runs PROG and requires exit status N
			// (testscript's "! exec" accepts any failure; exit codes are API).
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: status N PROG [ARGS…]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("%v", err)
				}
				if got != want {
					ts.Fatalf("exit status %d, want %d", got, want)
				}
			},
			// "s3bucket NAME [lock]" makes a bucket on a real S3 server on
			// 127.0.0.1 (see packager/archive/store/s3test; started once per
			// script) and sets the AWS environment to reach it. Without a
			// server the script is skipped locally and fails under CI=true.
			"s3bucket": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "lock") {
					ts.Fatalf("usage: s3bucket NAME [lock]")
				}
				srv := s3Server(ts)
				err := srv.Client().MakeBucket(context.Background(), args[0], minio.MakeBucketOptions{ObjectLocking: len(args) == 2})
				ts.Check(err)
			},
			// "tamper flip|rm GLOB" flips a byte in the middle of, or removes,
			// every file GLOB matches, at least one (stored objects, in
			// archive scripts).
			"tamper": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: tamper flip|rm GLOB")
				}
				m, err := filepath.Glob(ts.MkAbs(args[1]))
				ts.Check(err)
				if len(m) == 0 {
					ts.Fatalf("tamper: %s matches no file", args[1])
				}
				for _, p := range m {
					switch args[0] {
					case "flip":
						b, err := os.ReadFile(p)
						ts.Check(err)
						b[len(b)/2] ^= 0xff
						ts.Check(os.Chmod(p, 0o644))
						ts.Check(os.WriteFile(p, b, 0o644))
					case "rm":
						ts.Check(os.Remove(p))
					default:
						ts.Fatalf("tamper: %q is not flip or rm", args[0])
					}
				}
			},
			// "reseal PKG" does what a forger does after changing payload
			// files of a package folder: every manifest line, Payload-Oxum,
			// the digests and sizes in casepack/manifest.json and the tag
			// manifests are recomputed, so that every digest matches again.
			// Signatures are left alone (they no longer match).
			"reseal": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: reseal PKG")
				}
				ts.Check(reseal(ts.MkAbs(args[0])))
			},
			// "needtool NAME…" fails under CI=true when a tool is missing;
			// elsewhere the script follows it with
			// "[!exec:NAME] skip 'NAME is not installed'".
			"needtool": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, a := range args {
					if _, err := exec.LookPath(a); err != nil && os.Getenv("CI") == "true" {
						ts.Fatalf("%s is not installed (CI requires it: see .ci/run)", a)
					}
				}
			},
		},
		Condition: func(cond string) (bool, error) {
			if cond != "s3" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			return os.Getenv("CI") == "true" || s3test.Available(), nil
		},
		RequireExplicitExec: false,
	})
}

// reseal rewrites a package folder's manifests to match its files (see the
// "reseal" script command).
func reseal(dir string) error {
	sum := func(p string, h hash.Hash) (string, int64, error) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return "", 0, err
		}
		h.Write(b)
		return hex.EncodeToString(h.Sum(nil)), int64(len(b)), nil
	}
	rewrite := func(name, alg string) error {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		m, err := bag.ParseManifest(alg, b)
		if err != nil {
			return err
		}
		for i, e := range m.Entries {
			h := hash.Hash(sha256.New())
			if alg == bag.SHA512 {
				h = sha512.New()
			}
			if m.Entries[i].Digest, _, err = sum(e.Path, h); err != nil {
				return err
			}
		}
		if b, err = m.Marshal(); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	// casepack/manifest.json: each evidence file's size and digests.
	cpPath := filepath.Join(dir, filepath.FromSlash(bag.CasepackManifestPath))
	b, err := os.ReadFile(cpPath)
	if err != nil {
		return err
	}
	cpm, err := bag.ParseCasepackManifest(b)
	if err != nil {
		return err
	}
	for i := range cpm.Evidence {
		for j := range cpm.Evidence[i].Files {
			f := &cpm.Evidence[i].Files[j]
			if f.Withheld {
				continue
			}
			if f.SHA256, f.Size, err = sum(f.Path, sha256.New()); err != nil {
				return err
			}
			if f.SHA512, _, err = sum(f.Path, sha512.New()); err != nil {
				return err
			}
		}
	}
	if b, err = cpm.Marshal(); err != nil {
		return err
	}
	if err := os.WriteFile(cpPath, b, 0o644); err != nil {
		return err
	}
	// Payload-Oxum.
	var oxum bag.Oxum
	err = filepath.WalkDir(filepath.Join(dir, "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			oxum.Files++
			oxum.Bytes += fi.Size()
		}
		return err
	})
	if err != nil {
		return err
	}
	infoPath := filepath.Join(dir, "bag-info.txt")
	if b, err = os.ReadFile(infoPath); err != nil {
		return err
	}
	fields, err := bag.ParseBagInfo(b)
	if err != nil {
		return err
	}
	for i := range fields {
		if fields[i].Label == bag.LabelPayloadOxum {
			fields[i].Value = oxum.String()
		}
	}
	if b, err = bag.MarshalBagInfo(fields); err != nil {
		return err
	}
	if err := os.WriteFile(infoPath, b, 0o644); err != nil {
		return err
	}
	for _, alg := range bag.Algorithms {
		if err := rewrite(bag.ManifestName(alg), alg); err != nil {
			return err
		}
	}
	for _, alg := range bag.Algorithms {
		if err := rewrite(bag.TagManifestName(alg), alg); err != nil {
			return err
		}
	}
	return nil
}
