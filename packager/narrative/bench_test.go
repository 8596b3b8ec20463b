package narrative

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/casepack/casepack/schema"
)

// bigCase generates a case of the size the issue sets for the benchmark:
// 1,000 incidents, 10,000 persons (8,000 victims, 3,000 of them killed) and
// 10,000 evidence items, with citations throughout.
func bigCase(incidents, persons, evidence int) (*schema.Case, EvidenceDigests) {
	c := &schema.Case{
		SchemaVersion: "1.0",
		Submission: schema.Submission{ID: "BENCH-1", Title: "Generated case", Kind: "art15_communication", Date: "2021-02-18", Version: "1",
			Classification: "confidential", Languages: []string{"es"},
			Sender:    schema.Sender{Organisation: "Observatorio Guzmán Blanco", ContactPerson: "Nicolás O'Higgins", Email: "x@example.org"},
			Recipient: schema.Recipient{Body: "Office of the Prosecutor", SituationCode: "ICC-02/18", SituationName: "Venezuela I"},
			Requests:  []schema.Request{{ID: "REQ-01", Text: "Open an investigation."}}},
		Analysis: schema.Analysis{Summary: "Summary citing [EV-0001] and [EV-0002].", Methodology: "Berkeley Protocol.", Context: "Context.",
			Jurisdiction:       &schema.Jurisdiction{Temporal: "After 2002.", Territorial: "Venezuela.", SubjectMatter: "Murder.", ContextualElements: "Attack."},
			Admissibility:      &schema.Admissibility{Complementarity: "None.", Gravity: &schema.Gravity{Scale: "Large.", Nature: "Killings.", Manner: "Raids.", Impact: "Terror."}},
			InterestsOfJustice: "Yes.", Conclusions: "Proceed."},
		Units: []schema.Unit{{ID: "U-FAES", Name: "Fuerzas de Acciones Especiales", Acronym: "FAES", Type: "police"}},
	}
	ev := EvidenceDigests{}
	evID := func(i int) string { return fmt.Sprintf("EV-%05d", i%evidence+1) }
	for i := 0; i < evidence; i++ {
		id := evID(i)
		c.Evidence = append(c.Evidence, schema.Evidence{ID: id, Title: fmt.Sprintf("Video %d of the raid on calle O'Higgins | sector %d", i, i%37), Type: "video",
			ContentTime: "2021-01-08", Classification: "confidential", Files: []schema.File{{Path: "evidence/" + id + ".mp4", Role: "original"}},
			Verification: &schema.Verification{Status: "verified"}})
		fd := FileDigest{Path: "data/evidence/" + id + "/v.mp4", Role: "original", Hashed: true}
		binary.BigEndian.PutUint64(fd.Sum256[24:], uint64(i*7919+1)) // the hex is "%064x" of the number
		ev[id] = []FileDigest{fd}
	}
	victims := persons * 8 / 10
	for i := 0; i < persons; i++ {
		p := schema.Person{ID: fmt.Sprintf("V-%04d", i), Pseudonym: fmt.Sprintf("Víctima %04d", i), Roles: []string{"victim"}, Sex: "male",
			Occupation: "Estudiante *de* [música] | #1"}
		if i >= victims {
			p.ID, p.Pseudonym, p.Roles = fmt.Sprintf("W-%04d", i), fmt.Sprintf("Testigo %04d", i), []string{"witness"}
		}
		age := 15 + i%40
		p.Age = &age
		if i < persons*3/10 {
			p.Death = &schema.Death{Date: "2021-01-08", IncidentID: fmt.Sprintf("INC-%04d", i%incidents), Cause: "Herida de bala en el tórax", OfficialCauseClaim: "Enfrentamiento",
				Manner: "homicide", Wounds: []schema.Wound{{Location: "tórax", Type: "gunshot", Count: 2}},
				Autopsy: &schema.Autopsy{Performed: true, By: "SENAMECF", ReportEvidenceID: evID(i)}}
		}
		c.Persons = append(c.Persons, p)
	}
	for i := 0; i < incidents; i++ {
		inc := schema.Incident{ID: fmt.Sprintf("INC-%04d", i), Title: fmt.Sprintf("Allanamiento número %d en La Vega", i),
			Start: schema.When(fmt.Sprintf("2021-01-%02dT06:30:00-04:00", 1+i%28)), Location: schema.Location{Country: "VE", Parish: "La Vega", Place: "Escaleras Guzmán Blanco"},
			Description:     strings.Repeat(fmt.Sprintf("Los funcionarios entraron en la vivienda y dispararon [%s]. ", evID(i)), 4),
			OfficialVersion: "Enfrentamiento armado.", UnitIDs: []string{"U-FAES"},
			Characterisation: []schema.Characterisation{{Article: "7(1)(a)", Label: "Murder", Elements: []schema.Element{
				{Element: "The perpetrator killed one or more persons.", Assessment: "supported", EvidenceIDs: []string{evID(i), evID(i + 1)}},
				{Element: "The conduct was part of a widespread or systematic attack.", Assessment: "partly_supported", EvidenceIDs: []string{evID(i + 2)}}}}},
		}
		for k := 0; k < 10; k++ {
			inc.EvidenceIDs = append(inc.EvidenceIDs, evID(i*10+k))
		}
		for k := i; k < victims; k += incidents {
			inc.VictimIDs = append(inc.VictimIDs, c.Persons[k].ID)
		}
		c.Incidents = append(c.Incidents, inc)
	}
	return c, ev
}

// BenchmarkRenderLargeCase renders the generated case end to end (template,
// Markdown, both layout passes, PDF output). For peak memory, run it alone
// under /usr/bin/time -v:
//
//	go test -c -o /tmp/narrative.test ./packager/narrative
//	/usr/bin/time -v /tmp/narrative.test -test.run '^$' -test.bench RenderLargeCase -test.benchtime 1x -test.benchmem
func BenchmarkRenderLargeCase(b *testing.B) {
	c, ev := bigCase(1000, 10000, 10000)
	b.ReportAllocs()
	for b.Loop() {
		var out bytes.Buffer
		if err := Render(context.Background(), &out, c, ev, Options{Date: testDate, Version: "bench"}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(out.Len())/(1<<20), "MiB-pdf")
		b.ReportMetric(float64(bytes.Count(out.Bytes(), []byte("/Type /Page\n"))), "pages")
	}
}

// BenchmarkRenderManyItems renders cases of 20,000 and 100,000 evidence
// items of which the narrative cites a handful (a case of many photographs):
// the indexes list the cited items, so pages and memory stay those of the
// argument. Peak memory as for BenchmarkRenderLargeCase, with
// -test.bench RenderManyItems/100000.
func BenchmarkRenderManyItems(b *testing.B) {
	for _, n := range []int{20000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c, ev := bigCase(1, 0, n)
			b.ReportAllocs()
			for b.Loop() {
				var out bytes.Buffer
				if err := Render(context.Background(), &out, c, ev, Options{Date: testDate, Version: "bench", Lang: "en"}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(out.Len())/(1<<20), "MiB-pdf")
				b.ReportMetric(float64(bytes.Count(out.Bytes(), []byte("/Type /Page\n"))), "pages")
			}
		})
	}
}
