package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/schema"
)

// TestCanonical: Canonical writes what encoding/json's Encoder writes for
// the case (two-space indent, no HTML escaping), encoded item by item; the
// samples are in it already; a case read from JSON has no empty optional
// group.
func TestCanonical(t *testing.T) {
	var cases []*schema.Case
	for _, p := range []string{"../samples/la-vega/case.json", "../samples/minimal/case.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, fs := schema.Parse(p, data)
		if len(fs) > 0 {
			t.Fatal(fs)
		}
		got, err := schema.Canonical(doc.Case)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s is not in the canonical form", p)
		}
		cases = append(cases, doc.Case)
	}
	g, err := casegen.Generate(casegen.Options{Incidents: 3, Persons: 40, Evidence: 9, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Large enough for several waves of chunks of each list.
	big, err := casegen.Generate(casegen.Options{Incidents: 600, Persons: 6000, Evidence: 1500, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, g, big, &schema.Case{}, &schema.Case{Evidence: []schema.Evidence{{ID: "EV-0001", Title: "<b>&</b>", Sensitivity: &schema.Sensitivity{}}}})
	for i, c := range cases {
		got, err := schema.Canonical(c)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("case %d: Canonical differs from the Encoder's bytes:\n%.300s\n---\n%.300s", i, got, want.Bytes())
		}
		var streamed bytes.Buffer
		if err := schema.WriteCanonical(&streamed, c); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.Bytes(), got) {
			t.Errorf("case %d: WriteCanonical writes other bytes than Canonical:\n%.300s\n---\n%.300s", i, streamed.Bytes(), got)
		}
		if err := schema.WriteCanonical(&failingWriter{after: len(got) / 2}, c); !errors.Is(err, errDiskFull) {
			t.Errorf("case %d: WriteCanonical to a writer that fails returned %v, not its error", i, err)
		}
		// Allocated once at its size: a buffer that had to grow would hold
		// twice the case (about 80 MB more for 100,000 persons).
		if cap(got) > len(got)+len(got)/8+64 {
			t.Errorf("case %d: Canonical's %d bytes sit in a buffer of %d: it grew instead of being sized", i, len(got), cap(got))
		}
	}
	doc, _ := schema.Parse("case.json", []byte(`{"evidence": [{"sensitivity": {}, "location": {}, "verification": {"status": "verified"}}]}`))
	if ev := doc.Case.Evidence[0]; ev.Sensitivity != nil || ev.Location != nil || ev.Verification == nil {
		t.Errorf("empty optional groups are kept, or a group with a field is dropped: %+v", ev)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter fails once it has taken after bytes.
type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return w.after, errDiskFull
	}
	w.after -= len(p)
	return len(p), nil
}
