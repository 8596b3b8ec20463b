package casexlsx

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// The Instructions sheet: what the workbook is, what each sheet holds, and
// the few conventions a person needs (IDs, several values in a cell, dates,
// texts, evidence files). The table of sheets comes from the layout, so it
// names every sheet there is.

var instructionText = []struct{ head, body string }{
	{"", "This workbook holds one case: the data casepack turns into a submission package for the prosecutor. " +
		"Keep it as case.xlsx in a case folder, with the evidence files in the folder's evidence/ subfolder. " +
		"Check it at any time with: casepack validate FOLDER. Every problem is reported at its sheet and cell, for example Persons!E7 (age), with a hint."},
	{"Headers and notes", "Row 1 of each sheet holds the field names; hover over a header to read its note: what the field holds and whether it is required. " +
		"Do not rename the sheets or the headers. Columns may be moved and rows may be sorted. A sheet with another name is ignored (casepack says so)."},
	{"IDs and references", "Each incident, person, unit, evidence item, consent, request and potential case has an ID in a fixed form: INC-01, V-01 (V victim, W witness, S source, R relative, E expert, AP alleged perpetrator), U-FAES, EV-0001, C-01, REQ-01, PC-01. " +
		"Other sheets refer to an item by its ID: pick it from the drop-down or type it. " +
		"A sheet that details an item of another sheet (Evidence files, Custody, Wounds, Positions, Liability, Superior units, Crimes, Elements, Searches, Proceedings, Art 17 indicators) names that item in its first columns; Elements also give the crime's number (1, 2, …) within its incident."},
	{"Several values in one cell", "A list of IDs or of fixed words (roles, evidence_ids, scope) is written in one cell separated by commas: V-01, V-02. " +
		"A list of texts (aliases, contacts) has one value per line in the cell: Alt+Enter starts a new line (Ctrl+Option+Enter on a Mac)."},
	{"Dates", "Columns of plain dates (date, withdrawn_at) hold real dates: type 2021-01-08. " +
		"Dates known to a precision (start, end, birth_date, content_time) and moments (at, posted_at, captured_at) are text: a year 2021, a month 2021-01, a day 2021-01-08, or a time with its UTC offset 2021-01-08T07:30:00-04:00."},
	{"Texts", "Long texts (descriptions, the analysis) are Markdown: **bold**, *italic*, lists starting with \"- \", an empty line between paragraphs. " +
		"Cite evidence as [EV-0001]. A cell holds at most 32,767 characters; a longer text needs the case kept as case.yaml or case.json (casepack convert)."},
	{"Evidence files", "Put each file in the evidence/ folder and list it on the Evidence files sheet with its path (evidence/video-01.mp4), or let casepack do it: " +
		"casepack evidence add FOLDER FILE… copies the file into evidence/, records its SHA-256 and adds its rows to Evidence, Evidence files and Custody."},
	{"True and false", "Columns such as minor or graphic take TRUE or FALSE (a drop-down offers them); leave the cell empty when it is not known."},
}

func (wr *writer) instructions() error {
	f, name := wr.f, InstructionsSheet
	if err := f.SetColWidth(name, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(name, "B", "B", 110); err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	row := 1
	put := func(a, b string, style int) error {
		if err := f.SetCellStr(name, cellName(0, row), a); err != nil {
			return err
		}
		if err := f.SetCellStr(name, cellName(1, row), b); err != nil {
			return err
		}
		if err := f.SetCellStyle(name, cellName(0, row), cellName(0, row), bold); err != nil {
			return err
		}
		if err := f.SetCellStyle(name, cellName(1, row), cellName(1, row), style); err != nil {
			return err
		}
		row++
		return nil
	}
	if err := f.SetCellStr(name, "A1", "casepack case workbook"); err != nil {
		return err
	}
	if err := f.SetCellStyle(name, "A1", "A1", wr.st.title); err != nil {
		return err
	}
	row = 3
	for _, p := range instructionText {
		if err := put(p.head, p.body, wrap); err != nil {
			return err
		}
	}
	row++
	if err := put("Sheet", "What it holds", bold); err != nil {
		return err
	}
	for _, s := range wr.l.Sheets {
		about := s.About
		if s.Label {
			about += " One field per row: its name in column A, its value in column B."
		} else if len(s.Keys) > 0 {
			var keys []string
			for _, k := range s.Keys {
				keys = append(keys, k.Header)
			}
			about += " One row each; " + strings.Join(keys, " and ") + " name the " + singular(s.Parent) + " it belongs to."
		} else {
			about += " One row each."
		}
		if err := put(s.Name, strings.TrimSpace(about), wrap); err != nil {
			return err
		}
	}
	return nil
}
