package serve

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/chromedp/chromedp"
)

// contrastJS lists every element with text of its own whose contrast
// against its background is below WCAG 2.1 AA (4.5:1; 3:1 for large
// text: 24 px, or 18.66 px bold), computed from the colours the browser
// resolved.
const contrastJS = `(() => {
  const lum = c => { const v = c.map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const rgba = s => (s.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number);
  const bg = el => { for (; el; el = el.parentElement) { const c = rgba(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255, 1]; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none" || el.getClientRects().length === 0) continue;
    const fg = rgba(st.color), b = bg(el);
    const l1 = lum(fg), l2 = lum(b), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < need) bad.push(el.tagName + "." + el.className + " '" + el.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
  }
  return bad.join("\n");
})()`

// unlabelledJS lists the visible form controls without a label.
const unlabelledJS = `[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
  .filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.id || e.name).join(",")`

// TestBrowserAccessible: on every page, at 1280×800 and in a 375 px wide
// window, text meets WCAG AA contrast, every control has a label, and
// nothing is wider than the window; and a case can be started with the
// keyboard alone.
func TestBrowserAccessible(t *testing.T) {
	s, ctx, log := browserSession(t)
	dir := filepath.Join(s.workspace, "lv")
	if _, err := packager.Init(dir, packager.InitOptions{Form: caseform.XLSX, Sample: "la-vega"}); err != nil {
		t.Fatal(err)
	}
	setCell(t, filepath.Join(dir, "case.xlsx"), "Persons", "K2", "twelve") // a finding in the table
	for _, width := range []int64{1280, 375} {
		for _, p := range []string{"/", "/case/lv", "/case/lv/evidence", "/case/lv/build", "/verify"} {
			do(t, ctx, p, chromedp.EmulateViewport(width, 800), chromedp.Navigate(s.origin+p), chromedp.WaitVisible(chromedp.CSS("h1")))
			where := fmt.Sprintf("%s at %d px", p, width)
			if bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](contrastJS)); err != nil || bad != "" {
				t.Errorf("%s: contrast below WCAG AA (%v):\n%s", where, err, bad)
			}
			if bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](unlabelledJS)); err != nil || bad != "" {
				t.Errorf("%s: controls without a label (%v): %s", where, err, bad)
			}
			if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`)); err != nil || !wide {
				over, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + "." + e.className + ":" + e.textContent.trim().slice(0, 40)).slice(0, 5).join("\n")`))
				t.Errorf("%s: the page is wider than the window (%v):\n%s", where, err, over)
			}
			if width == 375 {
				shoot(t, ctx, "narrow"+strings.ReplaceAll(p, "/", "-"))
			}
		}
	}

	// Keyboard only: Tab reaches the skip link first, then the form; the
	// case is started with Enter.
	do(t, ctx, "home", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(s.origin+"/"), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.KeyEvent("\t"))
	if cls, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`)); cls != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", cls)
	}
	tabTo(t, ctx, "new-name")
	do(t, ctx, "type", chromedp.KeyEvent("kb"))
	tabTo(t, ctx, "new-sample")
	tabTo(t, ctx, "") // the button
	do(t, ctx, "submit", chromedp.KeyEvent("\r"))
	waitFor(t, ctx, `location.pathname === "/case/kb" && document.querySelector(".verdict") !== null`)

	if p := log.problems(); len(p) > 0 {
		t.Errorf("the browser reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// tabTo presses Tab until the element with id has the focus ("" is the
// next button), at most 40 times.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 40 {
		do(t, ctx, "tab", chromedp.KeyEvent("\t"))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.tagName + "#" + document.activeElement.id`))
		if err != nil {
			t.Fatal(err)
		}
		if (id == "" && strings.HasPrefix(got, "BUTTON#")) || (id != "" && strings.HasSuffix(got, "#"+id)) {
			return
		}
	}
	t.Fatalf("Tab never reached %q", id)
}
