// Package s3test gives tests a real S3 server on 127.0.0.1: the one .ci/run
// started (its address and keys in CASEPACK_TEST_S3_ENDPOINT,
// CASEPACK_TEST_S3_ACCESS_KEY and CASEPACK_TEST_S3_SECRET_KEY), or else a
// Versity Gateway (versitygw) found on PATH or in $(go env GOPATH)/bin,
// started for the test on a free loopback port over a temporary folder.
// Where neither exists a local run skips with a message and a CI run
// (CI=true) fails, the rule internal/testtool applies to every outside tool.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Server is a running S3 service.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	client    *minio.Client
}

// Env returns the environment a casepack process needs to reach the
// server: the standard AWS variables, as a user would set them.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=us-east-1",
	}
}

// Setenv sets Env in this process for the rest of the test.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Client is a client with the server's keys (set-up and inspection only).
func (s *Server) Client() *minio.Client { return s.client }

// Need returns a server, or ends the test (skipped locally, failed under
// CI=true).
func Need(t testing.TB) *Server {
	t.Helper()
	s, err := Start(t.TempDir, t.Cleanup)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no S3 server for the test (CI requires one: .ci/run installs and starts versitygw): %v", err)
		}
		t.Skipf("no S3 server; skipping (install versitygw: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0): %v", err)
	}
	return s
}

// Available reports whether Start can give a server: one is configured,
// or versitygw is installed.
func Available() bool {
	if os.Getenv("CASEPACK_TEST_S3_ENDPOINT") != "" {
		return true
	}
	_, err := versitygw()
	return err == nil
}

func versitygw() (string, error) {
	if bin, err := exec.LookPath("versitygw"); err == nil {
		return bin, nil
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return "", ErrNoServer
	}
	cand := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "versitygw")
	if _, err := os.Stat(cand); err != nil {
		return "", ErrNoServer
	}
	return cand, nil
}

// ErrNoServer says neither a configured server nor versitygw was found.
var ErrNoServer = fmt.Errorf("CASEPACK_TEST_S3_ENDPOINT is not set and versitygw is not installed")

// Start returns the configured server, or starts versitygw over a folder
// from tempDir and registers its stop with cleanup (testscript's Setup uses
// it with its own folder and Defer).
func Start(tempDir func() string, cleanup func(func())) (*Server, error) {
	if ep := os.Getenv("CASEPACK_TEST_S3_ENDPOINT"); ep != "" {
		return connect(ep, os.Getenv("CASEPACK_TEST_S3_ACCESS_KEY"), os.Getenv("CASEPACK_TEST_S3_SECRET_KEY"))
	}
	bin, err := versitygw()
	if err != nil {
		return nil, err
	}
	dir := tempDir()
	data, vers := filepath.Join(dir, "data"), filepath.Join(dir, "versions")
	for _, d := range []string{data, vers} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	access, secret := "casepack-test", randomHex(16)
	cmd := exec.Command(bin, "--port", "127.0.0.1:"+port, "--quiet", "posix", "--versioning-dir", vers, data)
	// Keys through the environment, as .ci/run does: never in argv.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+access, "ROOT_SECRET_KEY="+secret)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	cleanup(stop)
	ep := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(ep + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("versitygw did not start within 30s: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return connect(ep, access, secret)
}

func connect(endpoint, access, secret string) (*Server, error) {
	host := strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://")
	c, err := minio.New(host, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), Secure: strings.HasPrefix(endpoint, "https://"), Region: "us-east-1"})
	if err != nil {
		return nil, err
	}
	return &Server{Endpoint: endpoint, AccessKey: access, SecretKey: secret, client: c}, nil
}

// Bucket makes a new bucket with a unique name, with Object Lock enabled
// when lock is set, and returns its name.
func (s *Server) Bucket(t testing.TB, lock bool) string {
	t.Helper()
	name := "casepack-" + strings.ToLower(randomHex(6))
	err := s.client.MakeBucket(context.Background(), name, minio.MakeBucketOptions{Region: "us-east-1", ObjectLocking: lock})
	if err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
	return name
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
