package shape

import (
	"reflect"
	"strings"
	"testing"

	"github.com/casepack/casepack/schema"
)

// TestModelMirrorsSchema holds the typed model to the schema: every object
// of the schema is a struct with the same fields, in the same order, of the
// same kinds. The forms that are not JSON rely on it (a value is read by
// the schema's shape, then decoded into the model), and so does the one
// byte form of case.json that every form converts to.
func TestModelMirrorsSchema(t *testing.T) {
	compare(t, "", Root(), reflect.TypeOf(schema.Case{}))
}

func compare(t *testing.T, path string, f *Field, typ reflect.Type) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	want := map[Kind][]reflect.Kind{
		String:  {reflect.String},
		Integer: {reflect.Int, reflect.Int64},
		Number:  {reflect.Float64},
		Boolean: {reflect.Bool},
		Object:  {reflect.Struct},
		Array:   {reflect.Slice},
	}[f.Kind]
	ok := false
	for _, k := range want {
		ok = ok || typ.Kind() == k
	}
	if !ok {
		t.Errorf("%s: the schema says %s, the model has %s", orRoot(path), f.Kind, typ)
		return
	}
	switch f.Kind {
	case Array:
		compare(t, path+"/*", f.Items, typ.Elem())
	case Object:
		var fields []reflect.StructField
		for i := 0; i < typ.NumField(); i++ {
			if typ.Field(i).IsExported() {
				fields = append(fields, typ.Field(i))
			}
		}
		if len(fields) != len(f.Props) {
			t.Errorf("%s: the schema has %d properties %v, the model %d fields", orRoot(path), len(f.Props), names(f.Props), len(fields))
		}
		for i := 0; i < len(fields) && i < len(f.Props); i++ {
			tag, _, _ := strings.Cut(fields[i].Tag.Get("json"), ",")
			if tag != f.Props[i].Name {
				t.Errorf("%s: property %d is %q in the schema, %q (%s) in the model", orRoot(path), i, f.Props[i].Name, tag, fields[i].Name)
				continue
			}
			compare(t, path+"/"+tag, f.Props[i], fields[i].Type)
		}
	}
}

func names(fs []*Field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func orRoot(p string) string {
	if p == "" {
		return "the case"
	}
	return p
}

func TestFields(t *testing.T) {
	r := Root()
	tests := []struct {
		path   []string
		kind   Kind
		def    string
		enum   string
		format string
		req    bool
	}{
		{[]string{"schema_version"}, String, "", "1.0", "", true},
		{[]string{"submission", "date"}, String, "", "", "date", true},
		{[]string{"submission", "classification"}, String, "classification", "public", "", true},
		{[]string{"persons", "0", "age"}, Integer, "", "", "", false},
		{[]string{"persons", "0", "minor"}, Boolean, "", "", "", false},
		{[]string{"persons", "0", "roles"}, Array, "", "", "", true},
		{[]string{"persons", "0", "death", "incident_id"}, String, "incident_id", "", "", true},
		{[]string{"incidents", "0", "start"}, String, "when", "", "", true},
		{[]string{"incidents", "0", "location", "lat"}, Number, "", "", "", false},
		{[]string{"evidence", "0", "custody", "0", "at"}, String, "timestamp", "", "date-time", true},
		{[]string{"evidence", "0", "custody", "0", "action"}, String, "", "acquired", "", true},
	}
	for _, tt := range tests {
		f := r.At(tt.path...)
		if f == nil {
			t.Errorf("%v: not found", tt.path)
			continue
		}
		if f.Kind != tt.kind || f.Def != tt.def || f.Format != tt.format || f.Required != tt.req {
			t.Errorf("%v: got kind %s def %q format %q required %v", tt.path, f.Kind, f.Def, f.Format, f.Required)
		}
		if tt.enum != "" && !contains(f.Enum, tt.enum) {
			t.Errorf("%v: enum %v lacks %q", tt.path, f.Enum, tt.enum)
		}
		if f.Description == "" && tt.path[len(tt.path)-1] != "schema_version" {
			t.Errorf("%v: no description", tt.path)
		}
	}
	if f := r.At("persons", "0", "roles"); f.Items == nil || !contains(f.Items.Enum, "victim") {
		t.Errorf("roles items: %+v", f.Items)
	}
}

func TestReferences(t *testing.T) {
	r := Root()
	for _, tt := range []struct {
		path []string
		ref  bool
		to   string
	}{
		{[]string{"persons", "0", "id"}, false, ""},
		{[]string{"persons", "0", "death", "incident_id"}, true, "incidents"},
		{[]string{"incidents", "0", "victim_ids"}, true, "persons"},
		{[]string{"incidents", "0", "evidence_ids"}, true, "evidence"},
		{[]string{"persons", "0", "consent_ids"}, true, "consents"},
		{[]string{"units", "0", "parent_id"}, true, "units"},
		{[]string{"persons", "0", "pseudonym"}, false, ""},
	} {
		f := r.At(tt.path...)
		if got := IsReference(f); got != tt.ref {
			t.Errorf("%v: IsReference = %v", tt.path, got)
		}
		if tt.ref {
			d := f.Def
			if f.Kind == Array {
				d = f.Items.Def
			}
			if got := strings.Join(Collection(d), "/"); got != tt.to {
				t.Errorf("%v: refers to %q, want %q", tt.path, got, tt.to)
			}
		}
	}
	if got := strings.Join(Collection("request_id"), "/"); got != "submission/requests" {
		t.Errorf("request_id collection %q", got)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
