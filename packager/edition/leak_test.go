package edition_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

func fixture(t testing.TB) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), "testdata", schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("fixture is invalid: %v", findings)
	}
	return doc.Case
}

func TestLeakCheckBytes(t *testing.T) {
	l := edition.NewLeakCheck(fixture(t))
	for _, tc := range []struct {
		name, text   string
		person, what string // "" = no leak
	}{
		{"clean", "Victim 01 was killed in La Vega.", "", ""},
		{"name", "said María Fernanda Quintero", "V-01", "full name"},
		{"name, upper case", "MARÍA FERNANDA QUINTERO", "V-01", "full name"},
		{"address", "at Calle Inventada 1, casa 12 today", "V-01", "address"},
		{"alias", "known as la flaca", "V-01", "alias"},
		{"contact", "call +58 412 555 0101", "V-01", "contact"},
		{"document", "V-12.345.678", "V-01", "identity document"},
		{"notes", "Lives with her aunt near the market.", "V-01", "notes"},
		{"XML-escaped", "María Fernanda Quintero", "V-01", "full name"},
	} {
		err := l.Bytes("data/case/case.json", []byte(tc.text))
		var le *edition.LeakError
		if tc.person == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.As(err, &le) || le.Person != tc.person || le.Field != tc.what || le.File != "data/case/case.json" {
			t.Errorf("%s: got %v, want the %s of %s", tc.name, err, tc.what, tc.person)
			continue
		}
		if !strings.Contains(le.Error(), "data/case/case.json") || !strings.Contains(le.Error(), tc.person) {
			t.Errorf("%s: message %q names neither file nor person", tc.name, le.Error())
		}
	}
}

// TestLeakCheckWorkbook: a protected value in an annex workbook is found in
// its compressed parts and named by file and part.
func TestLeakCheckWorkbook(t *testing.T) {
	c := fixture(t)
	l := edition.NewLeakCheck(c)
	write := func(c *schema.Case) []byte {
		var xlsx bytes.Buffer
		err := annex.Write(context.Background(), c, nil, annex.Options{Edition: edition.Public, Date: time.Date(2021, 2, 18, 0, 0, 0, 0, time.UTC)},
			&xlsx, func(string) (io.WriteCloser, error) { return nopCloser{io.Discard}, nil })
		if err != nil {
			t.Fatal(err)
		}
		return xlsx.Bytes()
	}
	if err := l.File("data/annexes/annexes.xlsx", write(c)); err != nil {
		t.Fatalf("the public annexes of the fixture: %v", err)
	}
	c.Evidence[0].Title = "Statement naming María Fernanda Quintero"
	err := l.File("data/annexes/annexes.xlsx", write(c))
	var le *edition.LeakError
	if !errors.As(err, &le) || !strings.HasPrefix(le.File, "data/annexes/annexes.xlsx (xl/") || le.Person != "V-01" {
		t.Errorf("got %v, want the full name of V-01 in a part of annexes.xlsx", err)
	}
	if err := l.File("data/annexes/annexes.xlsx", []byte("not a zip")); err == nil || errors.As(err, &le) {
		t.Errorf("a damaged workbook: %v", err)
	}
	if err := l.File("data/annexes/csv/evidence.csv", []byte("EV-0001,María Fernanda Quintero")); !errors.As(err, &le) {
		t.Errorf("a CSV file: %v", err)
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
