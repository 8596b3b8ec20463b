package serve

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "write the README's screenshot (docs/serve.png)")

// browserSession starts the app on a real listener and a headless Debian
// chromium on it, 1280×800, logged in through the printed address.
func browserSession(t *testing.T) (*Server, context.Context, *consoleLog) {
	t.Helper()
	chromium := testtool.Need(t, "chromium")
	s, err := New(Options{Workspace: t.TempDir(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox cannot start
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()),
		// Its own temporary folders (org.chromium.Chromium.*) too: a
		// browser stopped by the test's end leaves them behind.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.Flag("disable-gpu", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(bctx, 4*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	log := &consoleLog{}
	if err := chromedp.Listen(tctx, log.add); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(s.URL()), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	return s, tctx, log
}

// consoleLog keeps every console message and exception of the page: a
// CSP violation or a script error is a failure.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *consoleLog) add(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf("%T %+v", ev, ev))
}

func (l *consoleLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.msgs {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "EventExceptionThrown") ||
			(strings.Contains(m, "EventEntryAdded") && strings.Contains(m, "Level:error")) {
			out = append(out, m)
		}
	}
	return out
}

// artefacts is where screenshots go: $CASEPACK_ARTEFACTS, else a folder
// under the system's temporary folder, named in the test log.
func artefacts(t *testing.T) string {
	dir := os.Getenv("CASEPACK_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "casepack-serve-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shoot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artefacts(t), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
	return png
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return s
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		if png, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
			p := filepath.Join(artefacts(t), "failed.png")
			os.WriteFile(p, png, 0o644)
			t.Logf("screenshot of the failure: %s", p)
		}
		if html, herr := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main"))); herr == nil {
			t.Logf("the page:\n%s", html)
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowserWorkflow is the paralegal's route in a real browser: upload
// the La Vega workbook and see its findings; start the La Vega case, add
// an evidence file, make a key, build and download the signed ZIP, and
// verify it in the Verify page: intact. A screenshot of each page is kept.
func TestBrowserWorkflow(t *testing.T) {
	s, ctx, log := browserSession(t)
	shoot(t, ctx, "01-cases")

	// A La Vega workbook with one wrong cell, uploaded as a new case.
	src := filepath.Join(t.TempDir(), "lv")
	if _, err := packager.Init(src, packager.InitOptions{Form: caseform.XLSX, Sample: "la-vega"}); err != nil {
		t.Fatal(err)
	}
	wb := filepath.Join(src, "case.xlsx")
	age := getCell(t, wb, "Persons", "K2")
	setCell(t, wb, "Persons", "K2", "twelve")
	do(t, ctx, "upload the workbook",
		chromedp.SendKeys(chromedp.CSS("#up-name"), "La Vega upload"),
		chromedp.SetUploadFiles(chromedp.CSS("#up-file"), []string{wb}),
		chromedp.Click(chromedp.CSS(`form[action="/cases/upload"] button`)),
		chromedp.WaitVisible(chromedp.CSS("table.findings")),
	)
	if v := text(t, ctx, ".verdict"); !strings.Contains(v, "not valid") {
		t.Errorf("verdict %q", v)
	}
	table := text(t, ctx, "table.findings")
	for _, want := range []string{"case.xlsx: sheet Persons, cell K2 (age)", "CP-SCHEMA-TYPE", "CP-FILE-MISSING"} {
		if !strings.Contains(table, want) {
			t.Errorf("the findings lack %q:\n%s", want, table)
		}
	}
	png := shoot(t, ctx, "02-problems")
	if *update {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "serve.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Filter to the one wrong cell, from the keyboard.
	do(t, ctx, "filter", chromedp.SendKeys(chromedp.CSS("#f-q"), "persons\r"))
	waitFor(t, ctx, `location.search.includes("q=persons") && document.readyState === "complete"`)
	if c := text(t, ctx, "table.findings caption"); c != "1 problem" {
		t.Errorf("filtered: %q", c)
	}
	// Fixing the cell outside the app re-checks the page by itself.
	n, err := strconv.Atoi(age)
	if err != nil {
		t.Fatalf("age %q: %v", age, err)
	}
	setCell(t, filepath.Join(s.workspace, "La Vega upload", "case.xlsx"), "Persons", "K2", n)
	waitFor(t, ctx, `document.querySelector("table.findings") === null && document.querySelector(".empty") !== null`)

	// The La Vega sample as a workbook case with its evidence.
	do(t, ctx, "start a case",
		chromedp.Navigate(s.origin+"/"),
		chromedp.SendKeys(chromedp.CSS("#new-name"), "lv"),
		chromedp.SetValue(chromedp.CSS("#new-sample"), "la-vega"),
		chromedp.Click(chromedp.CSS(`form[action="/cases/new"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict.ok")),
	)

	// Evidence: one file through the file input, with upload progress.
	ev := filepath.Join(t.TempDir(), "statement.txt")
	if err := os.WriteFile(ev, []byte("SYNTHETIC: a witness statement, added through the browser.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file dropped on the form's drop zone goes into its input.
	do(t, ctx, "evidence page", chromedp.Navigate(s.origin+"/case/lv/evidence"), chromedp.WaitVisible(chromedp.CSS("[data-drop]")))
	dropped, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
	  const dt = new DataTransfer();
	  dt.items.add(new File(["SYNTHETIC: dropped"], "dropped.txt"));
	  document.querySelector("[data-drop]").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	  return document.querySelector("#ev-files").files[0].name + "|" + document.querySelector(".dropped").textContent;
	})()`))
	if err != nil || dropped != "dropped.txt|dropped.txt" {
		t.Errorf("drop: %q, %v", dropped, err)
	}
	do(t, ctx, "add evidence",
		chromedp.Navigate(s.origin+"/case/lv/evidence"),
		chromedp.SendKeys(chromedp.CSS("#ev-title"), "Statement of W-7"),
		chromedp.SetUploadFiles(chromedp.CSS("#ev-files"), []string{ev}),
		chromedp.Click(chromedp.CSS(`form[data-upload] button`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict.ok")),
	)
	if v := text(t, ctx, ".verdict"); v != "1 file added." {
		t.Errorf("evidence: %q", v)
	}
	shoot(t, ctx, "03-evidence-added")

	// A key, then a signed build; the ZIP downloaded by the browser.
	do(t, ctx, "make a key",
		chromedp.Navigate(s.origin+"/case/lv/build"),
		chromedp.SendKeys(chromedp.CSS("#k-name"), "paralegal"),
		chromedp.Click(chromedp.CSS(`form[action="/keys/new"] button`)),
		chromedp.WaitVisible(chromedp.CSS("dl.facts")),
		chromedp.Navigate(s.origin+"/case/lv/build"),
		chromedp.WaitVisible(chromedp.CSS("#b-key")),
	)
	shoot(t, ctx, "04-build")
	do(t, ctx, "build",
		chromedp.SendKeys(chromedp.CSS("#b-name"), "A. Paralegal"),
		chromedp.Click(chromedp.CSS(`form[action="/case/lv/build"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict"), chromedp.RetryInterval(200*time.Millisecond)),
	)
	if v := text(t, ctx, ".verdict"); !strings.Contains(v, "was built") {
		t.Fatalf("build: %q", v)
	}
	shoot(t, ctx, "05-built")
	downloads := t.TempDir()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	do(t, ctx, "download",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href$="/zip"]`)),
	)
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	zips, _ := filepath.Glob(filepath.Join(downloads, "*.zip"))
	if len(zips) != 1 {
		t.Fatalf("downloaded: %v", zips)
	}

	// Verify the downloaded ZIP with the public key.
	do(t, ctx, "verify",
		chromedp.Navigate(s.origin+"/verify"),
		chromedp.SetUploadFiles(chromedp.CSS("#v-pkg"), zips),
		chromedp.SetUploadFiles(chromedp.CSS("#v-trust"), []string{filepath.Join(s.workspace, keysDir, "paralegal.pub.pem")}),
		chromedp.Click(chromedp.CSS("#v-req")),
		chromedp.Click(chromedp.CSS(`form[action="/verify"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict")),
	)
	if v := text(t, ctx, ".verdict"); !strings.HasPrefix(v, "INTACT") {
		t.Errorf("verify: %q", v)
	}
	if sig := text(t, ctx, "table.findings"); !strings.Contains(sig, "valid, by a trusted signer") || !strings.Contains(sig, "A. Paralegal") {
		t.Errorf("signatures: %q", sig)
	}
	shoot(t, ctx, "06-verified")

	if p := log.problems(); len(p) > 0 {
		t.Errorf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// waitFor waits (up to a minute) until the JavaScript expression is true
// in the page.
func waitFor(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			do(t, ctx, "wait for "+expr, chromedp.Func(func(context.Context, *chromedp.Target) error { return fmt.Errorf("still false (%v)", err) }))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }
