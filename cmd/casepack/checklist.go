package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// partTitles head the parts of the printed checklist.
var partTitles = map[string]string{
	schema.PartJurisdiction: "Art. 53(1)(a) — jurisdiction",
	schema.PartContextual:   "Contextual elements of crimes against humanity (art. 7)",
	schema.PartCrimes:       "Elements of the crimes charged",
	schema.PartPersons:      "Persons of interest — modes of liability (arts. 25(3), 28)",
	schema.PartDeaths:       "Deaths — place, time, unit and evidence",
	schema.PartAdmissible:   "Art. 53(1)(b) — admissibility (art. 17)",
	schema.PartJustice:      "Art. 53(1)(c) — interests of justice",
}

// printChecklist writes the checklist as a list under part headings: ✔ met,
// ✘ not met, – not needed (the other of widespread or systematic is met),
// each with its evidence, its gap and the sender's note.
func printChecklist(w io.Writer, file string, c *schema.Checklist) {
	fmt.Fprintf(w, "Checklist of %s: %d met, %d not met\n", terminalSafe(file), c.Met, c.Unmet)
	part := ""
	for _, it := range c.Items {
		if it.Part != part {
			part = it.Part
			fmt.Fprintf(w, "\n%s\n", partTitles[part])
		}
		mark := "✔"
		switch it.Status {
		case schema.CheckUnmet:
			mark = "✘"
		case schema.CheckAlternative:
			mark = "–"
		}
		fmt.Fprintf(w, "  %s %s\n", mark, terminalSafe(it.Element))
		if len(it.Evidence) > 0 {
			fmt.Fprintf(w, "      evidence: %s (%d of %d verified)\n", strings.Join(it.Evidence, ", "), len(it.Verified), len(it.Evidence))
		}
		switch {
		case it.Status == schema.CheckAlternative:
			fmt.Fprintf(w, "      not needed: the attack need be widespread or systematic, and the other is met\n")
		case it.Gap != "":
			fmt.Fprintf(w, "      gap: %s [%s]\n", terminalSafe(it.Gap), it.Code)
		}
		if it.Note != "" {
			fmt.Fprintf(w, "      note: %s\n", terminalSafe(strings.Join(strings.Fields(it.Note), " ")))
		}
	}
}

// withoutChecklist drops the findings the checklist table prints.
func withoutChecklist(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if !strings.HasPrefix(string(f.Code), "CP-CHECK-") {
			out = append(out, f)
		}
	}
	return out
}

// terminalSafe replaces control characters, which case text should not
// hold but a hostile file may, so that printing cannot drive the terminal.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x202e || r == 0x2066 || r == 0x2067 || r == 0x2068 {
			return '\uFFFD'
		}
		return r
	}, s)
}
