package locale

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/schema"
)

// Every catalogue has every key of the English one, no other, and each key
// the same placeholders: a message missing in French would otherwise
// print ⟦key⟧, and a placeholder lost in translation would drop a value.
func TestCataloguesComplete(t *testing.T) {
	en := English()
	for _, code := range Supported() {
		l := Must(code)
		keys := map[string]bool{}
		for _, k := range l.Keys() {
			keys[k] = true
			if !en.Has(k) {
				t.Errorf("messages/%s.yaml: %s is not in en.yaml", code, k)
			}
		}
		for _, k := range en.Keys() {
			if !keys[k] {
				t.Errorf("messages/%s.yaml: %s is missing", code, k)
				continue
			}
			if got, want := l.Placeholders(k), en.Placeholders(k); !reflect.DeepEqual(got, want) {
				t.Errorf("messages/%s.yaml: %s has placeholders %v, en.yaml %v", code, k, got, want)
			}
		}
	}
}

// A catalogue that breaks the rules is refused with the line.
func TestCatalogueErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"a.b: x\na.b: y\n", "line 2"},
		{"Bad Key: x\n", "key"},
		{"a:\n  one: x\n", "other"},
		{"a:\n  several: x\n  other: y\n", "not a plural form"},
		{"a: [x]\n", "a string or a mapping"},
		{"- x\n", "mapping"},
	} {
		_, err := parseCatalogue([]byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one saying %q", tc.src, err, tc.want)
		}
	}
}

// Every value of every enum in the case schema has words in every
// catalogue: a label that fell back to the raw value would print English
// ("Forensic report") in a French document.
func TestEveryEnumHasALabel(t *testing.T) {
	var doc any
	if err := json.Unmarshal(schema.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	values := map[string]bool{}
	var walk func(path string, n any)
	walk = func(path string, n any) {
		switch n := n.(type) {
		case map[string]any:
			if e, ok := n["enum"].([]any); ok && !strings.HasSuffix(path, "/schema_version") {
				for _, v := range e {
					if s, ok := v.(string); ok {
						values[s] = true
					}
				}
			}
			for k, v := range n {
				walk(path+"/"+k, v)
			}
		case []any:
			for _, v := range n {
				walk(path, v)
			}
		}
	}
	walk("", doc)
	if len(values) < 50 {
		t.Fatalf("found only %d enum values in the schema", len(values))
	}
	for _, code := range Supported() {
		l := Must(code)
		for v := range values {
			if !l.Has("label." + v) {
				t.Errorf("messages/%s.yaml: no label.%s", code, v)
			}
		}
	}
}

// Every key the code and the default templates ask for exists: a typo
// would print ⟦key⟧.
func TestUsedKeysExist(t *testing.T) {
	root := filepath.Join("..", "..")
	callRe := regexp.MustCompile(`(?:\.T|\bM)\("([a-z][a-z0-9_.]*)"`)
	// packager/edition names the redaction log's messages by kind.
	editionRe := regexp.MustCompile(`\b(detail|action)\("([a-z][a-z0-9_]*)"`)
	tmplRe := regexp.MustCompile(`\bt "([a-z][a-z0-9_.]*)"`)
	commentRe := regexp.MustCompile(`(?s)\{\{-? */\*.*?\*/ *-?\}\}`)
	en := English()
	used := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		var re *regexp.Regexp
		switch {
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			re = callRe
		case strings.HasSuffix(p, ".tmpl"):
			re = tmplRe
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src := commentRe.ReplaceAllString(string(b), "")
		if re == callRe && filepath.Base(filepath.Dir(p)) == "edition" {
			for _, m := range editionRe.FindAllStringSubmatch(src, -1) {
				used++
				if k := "redaction." + m[1] + "." + m[2]; !en.Has(k) {
					t.Errorf("%s asks for %q, which en.yaml lacks", p, k)
				}
			}
		}
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			used++
			if strings.HasSuffix(m[1], ".") {
				// A key built from a prefix ("annex.sheet." + key): the
				// prefix names a family; its users test each member.
				if !slices.ContainsFunc(en.Keys(), func(k string) bool { return strings.HasPrefix(k, m[1]) }) {
					t.Errorf("%s asks for keys starting %q; en.yaml has none", p, m[1])
				}
				continue
			}
			if !en.Has(m[1]) {
				t.Errorf("%s asks for %q, which en.yaml lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 100 {
		t.Errorf("found only %d uses of the catalogue; is the scan broken?", used)
	}
}

func TestPlurals(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 bytes"}, {"en", 1, "1 byte"}, {"en", 2, "2 bytes"},
		// French counts 0 and 1 as singular.
		{"fr", 0, "0 octet"}, {"fr", 1, "1 octet"}, {"fr", 2, "2 octets"},
		{"es", 0, "0 bytes"}, {"es", 1, "1 byte"}, {"es", 999, "999 bytes"},
	} {
		if got := Must(tc.lang).T("size.bytes", "n", tc.n); got != tc.want {
			t.Errorf("%s size.bytes n=%d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	// An exact form wins over the category.
	if got := English().T("methodology.verified", "n", 0); got != "none has been fully verified" {
		t.Errorf("=0 form: %q", got)
	}
	if got := Must("fr").T("date.dom", "n", 1); got != "1er" {
		t.Errorf("French first of the month: %q", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		lang        string
		n           int
		f           float64
		wantN, want string
	}{
		{"en", 1234567, 45.26, "1,234,567", "45.3 kB"},
		{"fr", 1234567, 45.26, "1\u00a0234\u00a0567", "45,3 ko"},
		{"es", 1234567, 45.26, "1.234.567", "45,3 kB"},
	} {
		l := Must(tc.lang)
		if got := l.Int(tc.n); got != tc.wantN {
			t.Errorf("%s Int(%d) = %q, want %q", tc.lang, tc.n, got, tc.wantN)
		}
		if got := l.Size(int64(tc.f * 1000)); got != tc.want {
			t.Errorf("%s Size = %q, want %q", tc.lang, got, tc.want)
		}
		// A count in a message is written the language's way too.
		if got := l.T("gravity.victims", "n", tc.n); !strings.HasPrefix(got, tc.wantN+" ") {
			t.Errorf("%s gravity.victims = %q", tc.lang, got)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ lang, country, language, list string }{
		{"en", "Venezuela", "Spanish", "a, b and c"},
		{"fr", "Venezuela", "espagnol", "a, b et c"},
		{"es", "Venezuela", "español", "a, b y c"},
	} {
		l := Must(tc.lang)
		if got := l.Country("VE"); got != tc.country {
			t.Errorf("%s Country(VE) = %q", tc.lang, got)
		}
		if got := l.LanguageName("es"); got != tc.language {
			t.Errorf("%s LanguageName(es) = %q", tc.lang, got)
		}
		if got := l.And([]string{"a", "b", "c"}); got != tc.list {
			t.Errorf("%s And = %q", tc.lang, got)
		}
	}
	if got := Must("fr").Label("forensic_report"); got != "Rapport médico-légal" {
		t.Errorf("fr label: %q", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	if got := DefaultFor([]string{"pt", "es-VE", "en"}); got != "es" {
		t.Errorf("DefaultFor = %q, want es (the first language casepack writes)", got)
	}
	if got := DefaultFor([]string{"pt"}); got != "en" {
		t.Errorf("DefaultFor(pt) = %q, want en", got)
	}
	if l, err := Get("fr-CA"); err != nil || l.Code() != "fr" {
		t.Errorf("Get(fr-CA) = %v, %v", l, err)
	}
	if _, err := Get("de"); err == nil || !strings.Contains(err.Error(), "en, fr, es") {
		t.Errorf("Get(de): %v", err)
	}
	got, err := ParseList(" en, fr ")
	if err != nil || !reflect.DeepEqual(got, []string{"en", "fr"}) {
		t.Errorf("ParseList = %v, %v", got, err)
	}
	for _, bad := range []string{"", "en,en", "en,de", ","} {
		if _, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) accepted", bad)
		}
	}
}
