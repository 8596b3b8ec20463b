package schema

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// minimalWith is the minimal valid fixture with one literal replaced.
func minimalWith(t *testing.T, old, new string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/valid/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("the minimal case holds no %s", old)
	}
	return []byte(strings.Replace(string(b), old, new, 1))
}

// TestNumbersTheModelCannotHold: a number the schema accepts is never
// dropped on the way into the typed model. encoding/json cannot put 24.0
// into an int and used to leave 0 there silently, which made a 24-year-old
// "0 but not marked as a minor".
func TestNumbersTheModelCannotHold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		age      string // replaces "age": 24
		count    string // the count of the victim's one wound
		wantAge  int
		wantCnt  int
		wantCode finding.Code // "" = no finding at all
		wantPtr  string
		wantMsg  string
	}{
		{name: "plain", age: "24", count: "1", wantAge: 24, wantCnt: 1},
		{name: "decimal point", age: "24.0", count: "2.00", wantAge: 24, wantCnt: 2},
		{name: "exponent", age: "2.4e1", count: "1E0", wantAge: 24, wantCnt: 1},
		{name: "negative exponent", age: "240e-1", count: "100E-2", wantAge: 24, wantCnt: 1},
		{name: "count too large", age: "24", count: "1e30", wantAge: 24,
			wantCode: finding.SchemaRange, wantPtr: "/persons/0/death/wounds/0/count", wantMsg: "must be at most 9223372036854775807, got 1e30"},
		{name: "count too large, with a decimal point", age: "24.0", count: "12345678901234567890.0", wantAge: 24,
			wantCode: finding.SchemaRange, wantPtr: "/persons/0/death/wounds/0/count", wantMsg: "got 12345678901234567890.0"},
		{name: "huge exponent", age: "24", count: "1e999999999999", wantAge: 24, // the schema calls it not whole
			wantCode: finding.SchemaType, wantPtr: "/persons/0/death/wounds/0/count", wantMsg: "got 1e999999999999"},
		// The schema's own range rule speaks; no second finding.
		{name: "age out of range", age: "1e30", count: "1", wantCnt: 1,
			wantCode: finding.SchemaRange, wantPtr: "/persons/0/age", wantMsg: "must be at most 130"},
		{name: "not whole", age: "24.5", count: "1", wantCnt: 1,
			wantCode: finding.SchemaType, wantPtr: "/persons/0/age"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := minimalWith(t, `"age": 24`, `"age": `+tc.age)
			data = []byte(strings.Replace(string(data), `"manner": "homicide"`,
				`"manner": "homicide", "wounds": [{"location": "chest", "type": "gunshot", "count": `+tc.count+`}]`, 1))
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, CaseFileName), data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, load := range []string{"Load then Validate", "LoadAndValidate"} {
				var doc *Document
				var fs []finding.Finding
				var err error
				if load == "LoadAndValidate" {
					doc, fs, err = LoadAndValidate(context.Background(), dir, Options{SkipFiles: true})
				} else if doc, fs, err = Load(dir); err == nil && len(fs) == 0 {
					fs, err = Validate(context.Background(), doc, Options{SkipFiles: true})
				}
				if err != nil {
					t.Fatal(err)
				}
				p := doc.Case.Persons[0]
				if tc.wantCode == "" || tc.wantPtr != "/persons/0/age" {
					if p.Age == nil || *p.Age != tc.wantAge {
						t.Errorf("%s: age %s in the model, want %d", load, fmt.Sprint(ageOf(p.Age)), tc.wantAge)
					}
				}
				if tc.wantCnt != 0 && p.Death.Wounds[0].Count != tc.wantCnt {
					t.Errorf("%s: wound count %d in the model, want %d", load, p.Death.Wounds[0].Count, tc.wantCnt)
				}
				if tc.wantCode == "" {
					if len(fs) > 0 {
						t.Errorf("%s: findings on a valid case: %v", load, fs)
					}
					continue
				}
				if len(fs) != 1 || fs[0].Code != tc.wantCode || fs[0].Pointer != tc.wantPtr || !strings.Contains(fs[0].Message, tc.wantMsg) || fs[0].Line < 1 {
					t.Errorf("%s: got %v; want one %s at %s saying %q", load, fs, tc.wantCode, tc.wantPtr, tc.wantMsg)
				}
			}
		})
	}
}

func ageOf(p *int) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestPlainInteger(t *testing.T) {
	for _, tc := range []struct {
		lit, want string
		ok        bool
	}{
		{"0", "0", true}, {"-0.0", "0", true}, {"30", "30", true}, {"30.0", "30", true}, {"3e1", "30", true},
		{"3E+1", "30", true}, {"0.3e2", "30", true}, {"300e-1", "30", true}, {"-7.00", "-7", true},
		{"0e999999999999999999999", "0", true}, {"0.5", "", false}, {"1e-1", "", false},
		{"1e-99999999999999999999", "", false}, {"9223372036854775807", "9223372036854775807", true},
		{"9223372036854775808", "", false}, {"-9223372036854775808", "-9223372036854775808", true},
		{"1e19", "", false}, {"1e18", "1000000000000000000", true}, {"1e999999999", "", false},
	} {
		got, ok := plainInteger(tc.lit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("plainInteger(%s) = %q, %v; want %q, %v", tc.lit, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzPlainInteger: a number is written plainly only when it is that very
// whole number (checked with math/big on inputs of bounded exponent).
func FuzzPlainInteger(f *testing.F) {
	for _, s := range []string{"30.0", "3e1", "-0.0", "1e-1", "12.5e3", "9.223372036854775807e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		if !numberLiteral(lit) {
			return
		}
		got, ok := plainInteger(lit)
		_, exp, _ := strings.Cut(strings.ToLower(lit), "e")
		if len(strings.TrimLeft(exp, "+-0")) > 4 {
			return // math/big would expand it; covered by TestPlainInteger
		}
		r, valid := new(big.Rat).SetString(lit)
		if !valid {
			t.Fatalf("math/big refuses %q", lit)
		}
		want := r.IsInt() && r.Num().IsInt64()
		if ok != want {
			t.Fatalf("plainInteger(%q) ok=%v, math/big says %v", lit, ok, want)
		}
		if ok && got != r.Num().String() {
			t.Fatalf("plainInteger(%q) = %s, want %s", lit, got, r.Num())
		}
	})
}

// numberLiteral reports whether s is a JSON number (RFC 8259 grammar).
func numberLiteral(s string) bool {
	if s == "" || strings.IndexByte("-0123456789", s[0]) < 0 {
		return false
	}
	p := parser{data: []byte(s), doc: &Document{}}
	v, err := p.number()
	return err == nil && v != nil && p.pos == len(s)
}

func TestPointerAt(t *testing.T) {
	data := []byte(`{"a": [1, {"b~c": 22, "d/e": [3, 44]}], "f": "x,y", "g": 5}`)
	for _, tc := range []struct {
		lit, want string
	}{{"1", "/a/0"}, {"22", "/a/1/b~0c"}, {"44", "/a/1/d~1e/1"}, {"5", "/g"}, {"x,y", "/f"}} {
		off := strings.Index(string(data), tc.lit)
		if tc.lit == "5" {
			off = strings.LastIndex(string(data), tc.lit)
		}
		if got := pointerAt(data, off); got != tc.want {
			t.Errorf("pointerAt(%q) = %q, want %q", tc.lit, got, tc.want)
		}
	}
}

// TestValidateHonoursContext: an interrupted validation says so instead of
// returning the findings of a pass that was cut short (the item-parallel
// schema pass used to run to the end whatever the context).
func TestValidateHonoursContext(t *testing.T) {
	data := minimalWith(t, `"age": 24`, `"age": 24`)
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("user interrupted")
	cancel(cause)
	for _, opt := range []Options{{SkipFiles: true}, {SkipHashes: true}, {}} {
		doc, _ := Parse("case.json", data)
		doc.Dir = "testdata/valid/minimal"
		fs, err := Validate(ctx, doc, opt)
		if !errors.Is(err, cause) {
			t.Errorf("%+v: Validate = %d findings, %v; want the context's cause", opt, len(fs), err)
		}
	}
}
