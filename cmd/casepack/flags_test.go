package main

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"
)

var updateFlags = flag.Bool("update-flags", false, "rewrite the flag table in README.md from the commands")

// flagTable is the README's table of every command's flags, made from the
// commands themselves: the help each flag prints.
func flagTable(app *cli.Command) string {
	var b strings.Builder
	b.WriteString("| command | flag | help |\n|---|---|---|\n")
	var all []*cli.Command
	var walk func(prefix string, cs []*cli.Command)
	walk = func(prefix string, cs []*cli.Command) {
		for _, c := range cs {
			all = append(all, &cli.Command{Name: prefix + c.Name, Flags: c.VisibleFlags()})
			walk(prefix+c.Name+" ", c.VisibleCommands())
		}
	}
	walk("", app.VisibleCommands())
	for _, c := range all {
		for _, f := range c.Flags {
			names := f.Names()
			if names[0] == "help" {
				continue
			}
			var spelled []string
			for _, n := range names {
				if len(n) == 1 {
					spelled = append([]string{"-" + n}, spelled...)
				} else {
					spelled = append(spelled, "--"+n)
				}
			}
			usage := ""
			if d, ok := f.(cli.DocGenerationFlag); ok {
				usage = d.GetUsage()
			}
			usage = strings.ReplaceAll(usage, "|", `\|`)
			b.WriteString("| " + c.Name + " | `" + strings.Join(spelled, ", ") + "` | " + usage + " |\n")
		}
	}
	return b.String()
}

// TestFlagHelpMatchesReadme: every flag's help text is the one README.md's
// table gives for it, and the table lists every flag (go test
// ./cmd/casepack -run TestFlagHelpMatchesReadme -update-flags rewrites it).
func TestFlagHelpMatchesReadme(t *testing.T) {
	const readme = "../../README.md"
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)(<!-- flags: generated[^\n]*-->\n)(.*?)(<!-- end of flags -->)`)
	m := re.FindSubmatchIndex(b)
	if m == nil {
		t.Fatal("README.md has no <!-- flags: generated … --> … <!-- end of flags --> section")
	}
	app, _ := newApp(io.Discard, io.Discard)
	want := flagTable(app)
	if got := string(b[m[4]:m[5]]); got != want {
		if *updateFlags {
			out := string(b[:m[4]]) + want + string(b[m[5]:])
			if err := os.WriteFile(readme, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's flag table differs from the commands' flags (you added, renamed or reworded a flag?).\n"+
			"Regenerate it from the repository root with:\n\n"+
			"    go test ./cmd/casepack -run TestFlagHelpMatchesReadme -update-flags\n\n"+
			"then review `git diff README.md` and commit it with your change.\n%s", tableDiff(got, want))
	}
	// Help says what the command does: co-signing never touches the PDF.
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			d, ok := f.(cli.DocGenerationFlag)
			if ok && c.Name == "sign" && strings.Contains(d.GetUsage(), "signs the narrative PDF") {
				t.Errorf("casepack sign --%s says %q, but co-signing does not sign the PDF", f.Names()[0], d.GetUsage())
			}
		}
	}
}

// tableDiff lists the rows only in the README (-) and only in the commands
// (+), so a failing run names the flags that changed instead of printing the
// whole table.
func tableDiff(readme, commands string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	r, c := in(readme), in(commands)
	var b strings.Builder
	for _, l := range strings.Split(readme, "\n") {
		if l != "" && !c[l] {
			b.WriteString("README.md  - " + l + "\n")
		}
	}
	for _, l := range strings.Split(commands, "\n") {
		if l != "" && !r[l] {
			b.WriteString("commands   + " + l + "\n")
		}
	}
	return b.String()
}
