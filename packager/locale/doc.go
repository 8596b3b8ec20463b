// Package locale owns the languages casepack writes documents in (English,
// French and Spanish): the message catalogue of each (messages/*.yaml),
// plural forms, and how dates, numbers, sizes, lists and the names of
// languages and countries are written in each.
//
// Every word a generated document prints — narrative headings and
// sentences, page furniture, annex sheet names and headers, the covering
// letter — comes from a catalogue through Lang.T, so a document in French
// holds no English except the case's own untranslated text.
//
// Using it (any front end: the command line, the web app):
//
//	l, err := locale.Get("fr")        // or locale.Get(locale.DefaultFor(c.Submission.Languages))
//	l.T("heading.summary")            // "Résumé et demandes"
//	l.T("page.of", "page", 3, "total", 19) // "Page 3 sur 19"
//	l.T("letter.annexes", "n", 2)     // "2 annexes": the plural form for 2
//	l.Date("2021-01-08")              // "8 janvier 2021"
//	l.Label("forensic_report")        // a schema enum value in words
//
// locale.Supported lists the languages; an unknown code is an
// *UnsupportedError. A key missing from a catalogue prints as ⟦key⟧, never
// in another language; tests keep every catalogue complete. Adding a
// language is adding messages/<code>.yaml (same keys, same placeholders)
// and its code to supported, then running go generate for its month names.
//
// What comes from where:
//   - plural categories: golang.org/x/text/feature/plural (CLDR rules:
//     French "0 victime", English "0 victims");
//   - numbers: golang.org/x/text/message and number (CLDR symbols:
//     "1 234,5" in French, "1.234,5" in Spanish);
//   - names of languages and countries: golang.org/x/text/language/display;
//   - month names and the long date pattern: x/text carries CLDR's date
//     data only in unexported tables, so cldr_tables.go holds the three
//     languages' month names generated from the CLDR XML files by
//     internal/gencldr; a test checks it against CLDR where installed. The
//     order of day, month and year is the catalogue's (date.day), checked
//     against CLDR's long date pattern by the same test.
package locale

//go:generate go run ./internal/gencldr -o cldr_tables.go
