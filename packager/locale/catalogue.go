package locale

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
)

// A catalogue file (messages/<code>.yaml) is one YAML mapping from keys to
// messages:
//
//	heading.summary: Executive summary and requests
//	page.of: Page {page} of {total}
//	stats.items:
//	  one: "{n} item of evidence"
//	  other: "{n} items of evidence"
//
// {name} is a placeholder, filled by T's argument of that name. A message
// given as a mapping has plural forms, chosen by the number passed as "n":
// an exact value ("=0", "=1") first, then the language's CLDR category
// (zero, one, two, few, many, other). "other" is required. Every catalogue
// has the same keys, and each key the same placeholders, as English
// (messages_test.go).
type catalogue map[string]*msg

// msg is one message: plain, or plural forms.
type msg struct {
	plain []seg
	forms map[string][]seg
}

// seg is literal text or, when arg is set, a placeholder.
type seg struct {
	lit, arg string
}

var (
	keyRe         = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	placeholderRe = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)
	categories    = map[string]plural.Form{"other": plural.Other, "zero": plural.Zero, "one": plural.One,
		"two": plural.Two, "few": plural.Few, "many": plural.Many}
	exactRe = regexp.MustCompile(`^=[0-9]+$`)
)

func parseCatalogue(src []byte) (catalogue, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping of keys to messages")
	}
	root := doc.Content[0]
	cat := catalogue{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !keyRe.MatchString(k.Value) {
			return nil, fmt.Errorf("line %d: key %q: use lower-case words separated by dots", k.Line, k.Value)
		}
		if _, dup := cat[k.Value]; dup {
			return nil, fmt.Errorf("line %d: key %q is defined twice", k.Line, k.Value)
		}
		m := &msg{}
		switch v.Kind {
		case yaml.ScalarNode:
			m.plain = parseMessage(v.Value)
		case yaml.MappingNode:
			m.forms = map[string][]seg{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				f, fv := v.Content[j], v.Content[j+1]
				if _, ok := categories[f.Value]; !ok && !exactRe.MatchString(f.Value) {
					return nil, fmt.Errorf("line %d: %s: %q is not a plural form (zero, one, two, few, many, other or =N)", f.Line, k.Value, f.Value)
				}
				if fv.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("line %d: %s.%s: a plural form is a string", fv.Line, k.Value, f.Value)
				}
				m.forms[f.Value] = parseMessage(fv.Value)
			}
			if _, ok := m.forms["other"]; !ok {
				return nil, fmt.Errorf("line %d: %s: plural forms need \"other\"", v.Line, k.Value)
			}
		default:
			return nil, fmt.Errorf("line %d: %s: a message is a string or a mapping of plural forms", v.Line, k.Value)
		}
		cat[k.Value] = m
	}
	return cat, nil
}

func parseMessage(s string) []seg {
	var out []seg
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(s, -1) {
		if loc[0] > last {
			out = append(out, seg{lit: s[last:loc[0]]})
		}
		out = append(out, seg{arg: s[loc[2]:loc[3]]})
		last = loc[1]
	}
	if last < len(s) {
		out = append(out, seg{lit: s[last:]})
	}
	return out
}

// format fills the message from name, value pairs.
func (m *msg) format(l *Lang, args []any) string {
	segs := m.plain
	if m.forms != nil {
		segs = m.forms["other"]
		if n, ok := arg(args, "n"); ok {
			if c, ok := toInt(n); ok {
				if s, ok := m.forms["="+strconv.Itoa(c)]; ok {
					segs = s
				} else {
					cat := plural.Cardinal.MatchPlural(l.tag, abs(c), 0, 0, 0, 0)
					for name, form := range categories {
						if form == cat {
							if s, ok := m.forms[name]; ok {
								segs = s
							}
							break
						}
					}
				}
			}
		}
	}
	var b strings.Builder
	for _, s := range segs {
		if s.arg == "" {
			b.WriteString(s.lit)
			continue
		}
		v, ok := arg(args, s.arg)
		if !ok {
			b.WriteString("{" + s.arg + "}")
			continue
		}
		switch v := v.(type) {
		case Msg:
			b.WriteString(l.Text(v))
			continue
		case []Msg:
			items := make([]string, len(v))
			for i, m := range v {
				items[i] = l.Text(m)
			}
			b.WriteString(l.And(items))
			continue
		}
		if n, ok := toInt(v); ok {
			b.WriteString(l.Int(n))
			continue
		}
		b.WriteString(fmt.Sprint(v))
	}
	return b.String()
}

func (m *msg) placeholders() []string {
	set := map[string]bool{}
	add := func(segs []seg) {
		for _, s := range segs {
			if s.arg != "" {
				set[s.arg] = true
			}
		}
	}
	add(m.plain)
	for _, f := range m.forms {
		add(f)
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func arg(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == name {
			return args[i+1], true
		}
	}
	return nil, false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	case uint:
		return int(n), true
	case uint64:
		return int(n), true
	}
	return 0, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
