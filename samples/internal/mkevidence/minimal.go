package main

import "github.com/casepack/casepack/schema"

// minimal is the smallest valid case: only the fields the schema requires,
// one incident and one evidence file. The summary cites the evidence so
// that the case validates without warnings too.
func minimal(w *writer) (*schema.Case, error) {
	const rel = "evidence/note.txt"
	if _, err := w.text(rel, "SYNTHETIC STAND-IN — casepack minimal sample. Not real evidence.\n"); err != nil {
		return nil, err
	}
	return &schema.Case{
		SchemaVersion: "1.0",
		Submission: schema.Submission{
			ID:             "MINIMAL-001",
			Title:          "Minimal sample case",
			Kind:           "art15_communication",
			Date:           "2021-02-26",
			Version:        "1",
			Classification: "confidential",
			Languages:      []string{"en"},
			Sender: schema.Sender{
				Organisation:  "Sample organisation (fictional)",
				ContactPerson: "Sample Contact",
				Email:         "sample.contact@example.org",
			},
			Recipient: schema.Recipient{
				Body:          "Office of the Prosecutor, International Criminal Court",
				SituationCode: "ICC-02/18",
				SituationName: "Venezuela I",
			},
		},
		Analysis: schema.Analysis{Summary: "The smallest case casepack accepts: one incident and one evidence item [EV-0001]."},
		Incidents: []schema.Incident{{
			ID: "INC-01", Title: "Sample incident", Start: "2021-01-08",
			Description: "A sample incident.",
		}},
		Evidence: []schema.Evidence{{
			ID: "EV-0001", Title: "Sample note (synthetic stand-in)", Type: "document",
			Files:          []schema.File{{Path: rel, Role: "original"}},
			Classification: "confidential",
		}},
	}, nil
}
