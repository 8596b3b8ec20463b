package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/translation"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"
)

// Flags shared by several commands. Each command lists the ones it uses.

func formatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"}
}

func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only errors"}
}

func dateFlag() cli.Flag {
	return &cli.StringFlag{Name: "date", Usage: "fix every timestamp to this date (YYYY-MM-DD or RFC 3339) for reproducible output; defaults to SOURCE_DATE_EPOCH, else now"}
}

// langFlag is --lang: one language, or (build) several separated by commas.
func langFlag(several bool) cli.Flag {
	if several {
		return &cli.StringFlag{Name: "lang", Usage: "write the narrative, covering letter and annexes in `LANG[,LANG…]`: en, fr or es; several (en,fr) put one narrative and letter per language in the package, the annexes in the first (default: the case's main language if casepack writes it, else en)"}
	}
	return &cli.StringFlag{Name: "lang", Usage: "write in `LANG`: en, fr or es (default: the case's main language if casepack writes it, else en)"}
}

func fontFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "font", Usage: "a TrueType `FILE` for characters Liberation Serif lacks (CJK, Devanagari…); repeatable, tried in order"}
}

// outputFormat reads --format and rejects anything but text and json.
func outputFormat(cmd *cli.Command) (string, error) {
	f := strings.ToLower(cmd.String("format"))
	if f != "text" && f != "json" {
		return "", usageErrorf("--format %q: must be text or json", cmd.String("format"))
	}
	return f, nil
}

// buildDate resolves the fixed timestamp of a reproducible build: --date,
// then SOURCE_DATE_EPOCH (reproducible-builds.org), then now (in UTC, to the
// second, so that two builds in one second still agree).
func buildDate(cmd *cli.Command, now func() time.Time) (time.Time, error) {
	if s := cmd.String("date"); s != "" {
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, usageErrorf("--date %q: use YYYY-MM-DD or an RFC 3339 time such as 2021-02-18T12:00:00Z", s)
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, usageErrorf("SOURCE_DATE_EPOCH=%q: must be a whole number of seconds since 1970-01-01", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return now().UTC().Truncate(time.Second), nil
}

// nonNegative refuses a negative count (0 means the default). urfave/cli
// puts the flag and value before the message.
func nonNegative(string) func(int) error {
	return func(n int) error {
		if n < 0 {
			return errors.New("must be 0 (one per CPU) or more")
		}
		return nil
	}
}

// writeJSON prints the one JSON object of --format json, with the exact
// strings of the report: JSON escapes what it must, and a program reading
// it must get the names as they are, not as a terminal shows them.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(termsafe.Unwrap(w))
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// formatAndArg reads --format and the one positional argument every
// reporting command takes.
func formatAndArg(cmd *cli.Command, what string) (format, arg string, err error) {
	if format, err = outputFormat(cmd); err != nil {
		return "", "", err
	}
	arg, err = oneArg(cmd, what)
	return format, arg, err
}

// oneArg returns the single positional argument a command needs.
func oneArg(cmd *cli.Command, what string) (string, error) {
	switch cmd.NArg() {
	case 1:
		return cmd.Args().First(), nil
	case 0:
		return "", usageErrorf("missing %s: casepack %s %s", what, cmd.Name, what)
	default:
		return "", usageErrorf("too many arguments: casepack %s takes one %s, got %d", cmd.Name, what, cmd.NArg())
	}
}

// stderrIsTerminal decides whether progress bars may be drawn.
func stderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }

// casepack prints no colour at all, so NO_COLOR (no-color.org) holds by
// construction; the progress bars are the only terminal drawing.

func warnf(w io.Writer, format string, a ...any) {
	fmt.Fprintf(w, "casepack: warning: "+format+"\n", a...)
}

// countFlag is an integer flag whose bad value reads plainly ("not a whole
// number") instead of Go's strconv message.
type countFlag = cli.FlagBase[int, cli.NoConfig, countValue]

type countValue struct{ val *int }

func (countValue) Create(v int, p *int, _ cli.NoConfig) cli.Value {
	*p = v
	return &countValue{val: p}
}
func (countValue) ToString(v int) string { return strconv.Itoa(v) }
func (c *countValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a whole number")
	}
	*c.val = n
	return nil
}
func (c *countValue) Get() any { return *c.val }
func (c *countValue) String() string {
	if c.val == nil {
		return "0"
	}
	return strconv.Itoa(*c.val)
}

// requiredString returns the value of a flag the command cannot do without,
// or a usage error naming it. (urfave/cli's own Required check reports an
// error of an unexported type with its own wording.)
func requiredString(cmd *cli.Command, name string) (string, error) {
	v := cmd.String(name)
	if v == "" {
		return "", usageErrorf("missing --%s (required)", name)
	}
	return v, nil
}

// printTranslation says how much of the case's own text a document in
// another language shows untranslated, and where (--format json lists
// every text by its pointer).
func printTranslation(w io.Writer, st *translation.Status) {
	if st == nil {
		return
	}
	src := locale.English().LanguageName(st.Source)
	if st.Complete() {
		fmt.Fprintf(w, "  %s: all %d texts of the case translated\n", st.Lang, st.Translated)
		return
	}
	parts := st.UntranslatedParts()
	more := ""
	if len(parts) > 6 {
		more = fmt.Sprintf(" and %d more", len(parts)-6)
		parts = parts[:6]
	}
	fmt.Fprintf(w, "  %s: %d of %d texts of the case untranslated, printed in %s and marked so: %s%s (--format json lists each)\n",
		st.Lang, st.Untranslated, st.Untranslated+st.Translated, src, strings.Join(parts, ", "), more)
}

// trustFlags is --trust, for the commands that check signatures.
func trustFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "trust", Usage: "trust signatures by this public key, certificate or CA certificate (PEM; repeatable)"},
	}
}

// workersFlag is --workers, for the commands that hash files.
func workersFlag() cli.Flag {
	return &countFlag{Name: "workers", Validator: nonNegative("--workers"), Usage: "files hashed at once (default: number of CPUs)"}
}
