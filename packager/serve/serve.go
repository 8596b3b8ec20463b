// Package serve owns casepack's local web app (`casepack serve`): an HTTP
// server on the user's own machine that offers the whole workflow (open or
// start a case, see its problems, add evidence, build, verify) in a
// browser. Every operation is a call to the packager domain API; this
// package only turns requests into those calls and reports into pages.
//
// It also owns the app's guard (guard.go): the app holds the most
// sensitive data an organisation has, so it binds to loopback unless told
// otherwise, admits a browser only with the per-run token it prints,
// refuses foreign Host headers (DNS rebinding) and state-changing requests
// without the per-run CSRF token, sends a strict Content-Security-Policy,
// and resolves every name a request carries inside the workspace folder
// only (workspace.go).
package serve

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/fault"
)

// Options configure a Server.
type Options struct {
	// Addr is host:port to listen on; "" is 127.0.0.1 on a free port.
	Addr string
	// AllowRemote permits an Addr that is not a loopback address. The
	// token is then the only thing between the network and the cases.
	AllowRemote bool
	// Workspace is the folder that holds the case folders, the built
	// packages (packages/) and signing keys (keys/). It must exist.
	Workspace string
	// Version is the casepack version recorded in built packages.
	Version string
	// Log receives one line per operation (never a token, password or
	// request address); nil discards it.
	Log io.Writer
	// Archive is the archive root the Archive page uses (a folder or
	// s3://bucket/prefix, reached with the AWS environment); "" is the
	// workspace's archive/ folder.
	Archive string
	// MaxUpload caps one upload (evidence, a package to verify) in bytes;
	// 0 is 64 GiB.
	MaxUpload int64
}

// DefaultMaxUpload is the upload cap when Options.MaxUpload is 0.
const DefaultMaxUpload = 64 << 30

// Server is one run of the app: its listener, its secrets and its jobs.
type Server struct {
	opt       Options
	workspace string // absolute
	ln        net.Listener
	origin    string // http://host:port as printed
	hosts     map[string]bool
	anyIPHost bool // AllowRemote on an unspecified address: any IP-literal Host

	token   string // printed once; exchanged for the session cookie
	session string // the session cookie's value
	csrf    string // carried by every state-changing request
	cookie  string // the session cookie's name (per port: cookies ignore ports)

	jobs      *jobs
	caseLocks sync.Map // case folder → *sync.Mutex (evidence.go)
	mux       *http.ServeMux
	logMu     sync.Mutex
}

// ErrNotLoopback is wrapped by New's error for a non-loopback address
// without AllowRemote.
var ErrNotLoopback = errors.New("not a loopback address")

// New checks opt, listens on its address and returns the server, ready
// for Serve.
func New(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = DefaultMaxUpload
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	host, port, err := net.SplitHostPort(opt.Addr)
	if err != nil {
		return nil, fault.New(fault.Usage, fmt.Errorf("--addr %q: %v", opt.Addr, err), "give a host and port, e.g. 127.0.0.1:8080")
	}
	loopback := host == "localhost"
	ip := net.ParseIP(host)
	if ip != nil {
		loopback = ip.IsLoopback()
	} else if host != "localhost" {
		return nil, fault.New(fault.Usage, fmt.Errorf("--addr %q: give an IP address, not a name", opt.Addr),
			"a name could resolve anywhere; use 127.0.0.1:PORT")
	}
	if !loopback && !opt.AllowRemote {
		return nil, fault.New(fault.Usage, fmt.Errorf("--addr %s: %w: anyone on the network could reach your cases", opt.Addr, ErrNotLoopback),
			"leave --addr out (127.0.0.1 is only reachable from this computer), or add --allow-remote if you really mean it")
	}
	if opt.Workspace == "" {
		opt.Workspace = "."
	}
	ws, err := filepath.Abs(opt.Workspace)
	if err != nil {
		return nil, fault.IO(opt.Workspace, err)
	}
	if st, err := os.Stat(ws); err != nil {
		return nil, fault.New(fault.Usage, fmt.Errorf("--workspace %s: %w", opt.Workspace, err), "give an existing folder that holds (or will hold) your case folders")
	} else if !st.IsDir() {
		return nil, fault.New(fault.Usage, fmt.Errorf("--workspace %s: not a folder", opt.Workspace), "give an existing folder that holds (or will hold) your case folders")
	}
	// The app writes packages/, keys/ and the archive into the workspace:
	// never into a case folder or a package (internal/destination). The
	// workspace holds case folders; it is not one.
	if err := destination.Place(ws, ""); err != nil {
		hint := "give a folder outside any package"
		var de *destination.Error
		if errors.As(err, &de) && errors.Is(err, destination.ErrInsideCase) {
			hint = "start it in the folder that holds your case folders: casepack serve --workspace " + filepath.Dir(de.Folder)
		}
		return nil, fault.New(fault.Usage, fmt.Errorf("--workspace %w", err), hint)
	}
	if opt.Archive != "" {
		if err := packager.PlaceArchive(opt.Archive); err != nil {
			return nil, fmt.Errorf("--archive: %w", err)
		}
	}
	if host == "localhost" {
		opt.Addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fault.New(fault.Operational, fmt.Errorf("listen on %s: %w", opt.Addr, err), "another program may use that port; leave --addr out to take a free one")
	}
	s := &Server{opt: opt, workspace: ws, ln: ln, hosts: map[string]bool{}}
	tcp := ln.Addr().(*net.TCPAddr)
	p := strconv.Itoa(tcp.Port)
	if tcp.IP.IsLoopback() {
		for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
			s.hosts[h+":"+p] = true
		}
		s.origin = "http://127.0.0.1:" + p
	} else {
		s.anyIPHost = tcp.IP.IsUnspecified()
		s.hosts[net.JoinHostPort(tcp.IP.String(), p)] = true
		s.origin = "http://" + net.JoinHostPort(tcp.IP.String(), p)
		if s.anyIPHost {
			s.origin = "http://" + net.JoinHostPort(hostname(), p)
		}
	}
	s.cookie = "casepack-" + p
	for _, v := range []*string{&s.token, &s.session, &s.csrf} {
		*v = randomToken()
	}
	s.jobs = newJobs()
	pages() // parsed now, not on the first request
	s.routes()
	return s, nil
}

// hostname is the address printed for a server listening on every
// interface: the machine's first non-loopback IP address.
func hostname() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// URL is the address to open: it carries the token once, which the app
// exchanges for a session cookie and drops from the address bar.
func (s *Server) URL() string {
	return s.origin + "/login?token=" + url.QueryEscape(s.token)
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Workspace is the absolute workspace folder.
func (s *Server) Workspace() string { return s.workspace }

// Handler is the app with its guard, for tests that call it directly.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// Serve answers requests until ctx is done, then stops accepting, lets
// requests in flight finish (for up to five seconds) and cancels the
// jobs still running, which leave nothing behind.
func (s *Server) Serve(ctx context.Context) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(s.ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	s.jobs.cancelAll()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	s.jobs.wait()
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logf writes one line to the log. Callers never pass a secret.
func (s *Server) logf(format string, a ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opt.Log, "casepack serve: "+format+"\n", a...)
}

// OpenBrowser asks the desktop to open url in the user's browser.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fault.New(fault.Operational, fmt.Errorf("open the browser: %w", err), "open the address printed above in your browser yourself")
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
