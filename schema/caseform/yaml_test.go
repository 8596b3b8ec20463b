package caseform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseyaml"
)

// yamlCase puts a YAML fixture in a case folder beside the minimal case's
// evidence file.
func yamlCase(t *testing.T, fixture string) (dir string, text string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "yaml", fixture))
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "case")
	copyCase(t, filepath.Join("..", "..", "samples", "minimal"), dir)
	os.Remove(filepath.Join(dir, "case.json"))
	if err := os.WriteFile(filepath.Join(dir, "case.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, string(data)
}

// where is the line and column of the value after marker in text ("age:
// 017" → the 0), as an editor shows them.
func where(t *testing.T, text, marker string, value bool) (int, int) {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("marker %q not in the fixture", marker)
	}
	if value {
		i += strings.Index(marker, ":") + 2
	}
	line := strings.Count(text[:i], "\n") + 1
	col := len([]rune(text[strings.LastIndex(text[:i], "\n")+1 : i]))
	return line, col + 1
}

// TestYAMLTraps: what a YAML reader would turn into a boolean, a number or
// a timestamp stays the text written wherever the schema says text, and
// is reported at its line and column wherever the schema wants a number or
// true/false.
func TestYAMLTraps(t *testing.T) {
	valid := []struct {
		fixture string
		values  map[string]any
	}{
		{"trap-words.yaml", map[string]any{
			"/submission/title": "no", "/incidents/0/location/country": "NO",
			"/submission/sender/organisation": "on", "/submission/sender/contact_person": "Off",
			"/submission/recipient/body": "yes", "/submission/recipient/situation_name": "Y",
			"/incidents/0/location/place": "null-street"}},
		{"trap-numbers.yaml", map[string]any{
			"/schema_version": "1.0", "/submission/id": "007", "/submission/title": "1e3",
			"/submission/version": "1.10", "/submission/supersedes": "0012",
			"/submission/sender/phone": "0x1F", "/submission/sender/address": "0o17",
			"/submission/recipient/body": "1_000", "/submission/recipient/situation_name": ".inf",
			"/incidents/0/title": "12:30", "/incidents/0/start": "2021"}},
		{"trap-dates.yaml", map[string]any{
			"/submission/date": "2021-02-26", "/incidents/0/start": "2021-01-08T07:30:00-04:00",
			"/incidents/0/end": "2021-01-08T09:00:00.5-04:00", "/evidence/0/custody/0/at": "2021-01-09T14:05:00Z"}},
	}
	for _, tt := range valid {
		t.Run(tt.fixture, func(t *testing.T) {
			dir, _ := yamlCase(t, tt.fixture)
			doc, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{KeepTree: true})
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := finding.Count(fs); n > 0 {
				t.Errorf("findings: %v", fs)
			}
			for ptr, want := range tt.values {
				if got := at(doc.Value, ptr); got != want {
					t.Errorf("%s = %#v (%T), want %#v", ptr, got, got, want)
				}
			}
		})
	}
	invalid := []struct {
		fixture, marker, ptr string
		code                 finding.Code
		value                bool // located at the value (else at the marker's start)
	}{
		{"trap-kinds.yaml", "age: 017", "/persons/0/age", finding.SchemaType, true},
		{"trap-kinds.yaml", "minor: no", "/persons/0/minor", finding.SchemaType, true},
		{"trap-kinds.yaml", "age: 1e3", "/persons/1/age", finding.SchemaType, true},
		{"trap-kinds.yaml", "minor: yes", "/persons/1/minor", finding.SchemaType, true},
		{"code-syntax-tab.yaml", "\ttitle", "", finding.YAMLSyntax, false},
		{"code-syntax-colon.yaml", "  kind art15", "", finding.YAMLSyntax, false},
		{"code-syntax-two-documents.yaml", "---\nschema_version", "", finding.YAMLSyntax, false},
		{"code-dupkey.yaml", "title: Another", "/submission/title", finding.YAMLDupKey, false},
		{"code-utf8.yaml", "\xe9", "", finding.YAMLUTF8, false},
		{"code-alias.yaml", "*t", "/incidents/0/title", finding.YAMLFeature, false},
		{"code-merge.yaml", "<<", "/submission/recipient", finding.YAMLFeature, false},
		{"code-tag.yaml", "!markdown", "/incidents/0/description", finding.YAMLFeature, false},
	}
	seen := map[finding.Code]bool{}
	for _, tt := range invalid {
		t.Run(tt.fixture+"/"+tt.marker, func(t *testing.T) {
			dir, text := yamlCase(t, tt.fixture)
			_, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			line, col := where(t, text, tt.marker, tt.value)
			if tt.code == finding.YAMLUTF8 {
				// Counted in bytes up to the bad one, which is not text.
				col = len([]rune(text[strings.LastIndex(text[:strings.Index(text, tt.marker)], "\n")+1:strings.Index(text, tt.marker)])) + 1
			}
			for _, f := range fs {
				if f.Code != tt.code || f.Pointer != tt.ptr || f.Line != line {
					continue
				}
				// The parser gives syntax errors a line only.
				if tt.code != finding.YAMLSyntax && f.Column != col {
					t.Errorf("%s at column %d, want %d", tt.code, f.Column, col)
				}
				if f.Severity != finding.SeverityOf(f.Code) || f.Message == "" || !strings.HasSuffix(f.File, "case.yaml") {
					t.Errorf("finding %+v", f)
				}
				seen[tt.code] = true
				return
			}
			t.Errorf("no %s at line %d (%s); got:", tt.code, line, tt.ptr)
			for _, f := range fs {
				t.Logf("  %s", f)
			}
		})
	}
	t.Run("too big", func(t *testing.T) {
		dir, _ := yamlCase(t, "trap-words.yaml")
		defer func(n int64) { maxSize = n }(maxSize)
		maxSize = 100
		_, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{})
		if err != nil || len(fs) != 1 || fs[0].Code != finding.YAMLTooBig {
			t.Fatalf("got %v, %v", fs, err)
		}
		seen[finding.YAMLTooBig] = true
	})
	for _, row := range finding.Table {
		if strings.HasPrefix(string(row.Code), "CP-YAML-") && !seen[row.Code] {
			t.Errorf("no fixture for %s", row.Code)
		}
	}
}

// at follows a JSON pointer through a generic tree.
func at(v any, ptr string) any {
	for _, tok := range strings.Split(ptr, "/")[1:] {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i := 0
			for _, c := range tok {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestYAMLWriteKeepsText: texts a YAML reader could take for something
// else are quoted by Write, so that other tools (PyYAML reads YAML 1.1)
// read them as text too, and every text survives a round trip.
func TestYAMLWriteKeepsText(t *testing.T) {
	texts := []string{"no", "Yes", "off", "NULL", "~", "1.10", "007", "1e3", "0x1F", "12:30", "2021-01-08", ".inf",
		"", " leading", "trailing ", "a: b", "a #b", "- item", "[x]", "{x}", "*alias", "&anchor", "!tag", "%d", "@x", "`x`",
		"line 1\nline 2", "ends with newline\n", "two\n\n", "\ttab", "crlf\r\nline", "ünïcödé ✓ 証拠", "\u2028", "quote \" and ' both"}
	tree := map[string]any{"evidence": []any{}}
	list := []any{}
	for _, s := range texts {
		list = append(list, map[string]any{"title": s})
	}
	tree["evidence"] = list
	out, err := caseyaml.Write(tree)
	if err != nil {
		t.Fatal(err)
	}
	back, problems := caseyaml.Read(out)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for i, s := range texts {
		if got := at(back.Value, "/evidence/"+itoa(i)+"/title"); got != s {
			t.Errorf("%q came back as %#v", s, got)
		}
	}
	// Plain (unquoted) scalars in the output are only words no YAML 1.1
	// reader turns into something else.
	for _, line := range strings.Split(string(out), "\n") {
		_, v, ok := strings.Cut(line, "title: ")
		if !ok || v == "" || strings.ContainsAny(v[:1], `"'|>`) {
			continue
		}
		for _, s := range []string{"no", "Yes", "off", "NULL", "~", "1.10", "007", "1e3", "0x1F", "12:30", "2021-01-08", ".inf"} {
			if v == s {
				t.Errorf("%q is written unquoted", s)
			}
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
