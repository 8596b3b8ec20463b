package schema

import "testing"

func TestKindAt(t *testing.T) {
	for ptr, want := range map[string]TextKind{
		"/analysis/summary":                                   Markdown,
		"/analysis/jurisdiction/temporal":                     Markdown,
		"/analysis/admissibility/gravity/scale":               Markdown,
		"/incidents/3/description":                            Markdown,
		"/incidents/0/characterisation/1/elements/2/argument": Markdown,
		"/incidents/0/title":                                  Line,
		"/persons/2/protected/aliases/0":                      Line,
		"/incidents/0/start":                                  NotText,
		"/incidents/0/id":                                     NotText,
		"/evidence/0/type":                                    NotText,
		"/persons/0/age":                                      NotText,
		"/incidents/x/title":                                  NotText,
		"/analysis":                                           NotText,
		"analysis/summary":                                    NotText,
		"/translations/0/text":                                Markdown,
	} {
		if got := KindAt(ptr); got != want {
			t.Errorf("KindAt(%s) = %q, want %q", ptr, got, want)
		}
	}
}

func TestTextAtAndEachText(t *testing.T) {
	c := &Case{Analysis: Analysis{Summary: "S"}, Incidents: []Incident{{ID: "INC-01", Title: "T", Start: "2021-01-06"}}}
	if p := TextAt(c, "/incidents/0/title"); p == nil || *p != "T" {
		t.Fatalf("TextAt title = %v", p)
	}
	*TextAt(c, "/analysis/summary") = "changed"
	if c.Analysis.Summary != "changed" {
		t.Error("TextAt does not address the field")
	}
	for _, ptr := range []string{"/incidents/1/title", "/incidents/00/title", "/incidents/0/start", "/nope", ""} {
		if p := TextAt(c, ptr); p != nil {
			t.Errorf("TextAt(%q) = %q, want nil", ptr, *p)
		}
	}
	var got []string
	EachText(c, func(ptr string, k TextKind, s *string) { got = append(got, ptr+"="+string(k)) })
	if len(got) != 2 || got[0] != "/analysis/summary=text" || got[1] != "/incidents/0/title=line" {
		t.Errorf("EachText = %q", got)
	}
}
