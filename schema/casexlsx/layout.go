package casexlsx

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/casepack/casepack/schema/shape"
)

// The layout of the case workbook is derived from the schema (schema/shape):
//
//   - every object at the top of the case (submission, analysis) is a sheet
//     of label/value rows, its nested objects flattened into dotted labels
//     ("sender.email"); the case's own scalars (schema_version) open the
//     first of them;
//   - every list of objects (incidents, persons, the files of an evidence
//     item…) is a register: one row per item, one column per field, nested
//     objects flattened into dotted headers ("death.date");
//   - a register nested in another names its parent in key columns: the
//     parent's ID ("evidence_id"), or, for a parent without an ID (a crime of
//     an incident), the parent's key columns and its number ("crime");
//   - a list of plain values (roles, evidence IDs) is one cell, its values
//     separated by commas (IDs and fixed words) or line breaks (texts).
//
// A field added to the schema becomes a column or a row with no change
// here; names only sets the sheet names people see.

// names gives the sheets their names, by the schema path of the list or
// object they hold ("*" for "every item"); numbers names the number column
// of items that have no ID but are parents of another register.
var (
	names = map[string]string{
		"submission":                   "Submission",
		"submission/requests":          "Requests",
		"analysis":                     "Analysis",
		"incidents":                    "Incidents",
		"incidents/*/characterisation": "Crimes",
		"incidents/*/characterisation/*/elements": "Elements",
		"analysis/jurisdiction/contextual":        "Contextual elements",
		"persons":                                 "Persons",
		"persons/*/positions":                     "Positions",
		"persons/*/liability":                     "Liability",
		"persons/*/death/wounds":                  "Wounds",
		"units":                                   "Units",
		"units/*/superiors":                       "Superior units",
		"potential_cases":                         "Potential cases",
		"potential_cases/*/searches":              "Searches",
		"potential_cases/*/proceedings":           "Proceedings",
		"potential_cases/*/indicators":            "Art 17 indicators",
		"evidence":                                "Evidence",
		"evidence/*/files":                        "Evidence files",
		"evidence/*/custody":                      "Custody",
		"consents":                                "Consents",
		"translations":                            "Translations",
	}
	numbers = map[string]string{
		"incidents/*/characterisation": "crime",
	}
)

// InstructionsSheet is the name of the sheet that explains the workbook.
const InstructionsSheet = "Instructions"

// Sheet is one sheet of the case workbook.
type Sheet struct {
	Name  string
	Path  []string     // from the case root to the object or list; "*" steps into items
	Label bool         // label/value rows (an object) rather than a register (a list)
	Shape *shape.Field // the object, or the list's items
	// Keys are the columns that name the parent item of a nested register;
	// Number is the column that numbers an ID-less item within its parent
	// (it is also a key of the registers nested in it).
	Keys    []*Column
	Number  *Column
	Columns []*Column // the fields (rows of a label sheet)
	Parent  *Sheet    // the register whose items hold this one's lists
	// ID is the column holding the item's own ID, if it has one.
	ID *Column
	// About is the schema's description of the list or object.
	About string
}

// Column is one column of a register, or one row of a label sheet.
type Column struct {
	Header string   // dotted path within the item: "death.date"; a key's name
	Path   []string // the same, split; nil for key and number columns
	Field  *shape.Field
	Multi  bool   // a list of plain values in one cell
	Sep    string // how Multi values are written: ", " or "\n"
	Root   bool   // a scalar of the case itself, on the first label sheet
	Key    bool   // names the parent (Sheet.Keys) or numbers the item (Sheet.Number)
}

// Layout is the sheets of the case workbook, in order.
type Layout struct {
	Sheets []*Sheet
	byName map[string]*Sheet
	byPath map[string]*Sheet
}

// Sheet returns the sheet with the given name, or nil.
func (l *Layout) Sheet(name string) *Sheet { return l.byName[name] }

// of returns the sheet holding the list or object at schema path p.
func (l *Layout) of(p string) *Sheet { return l.byPath[p] }

var theLayout *Layout

// TheLayout is the layout of the workbook for the embedded schema.
func TheLayout() *Layout {
	if theLayout == nil {
		l, err := buildLayout(shape.Root())
		if err != nil {
			panic(err) // the schema is embedded; TestLayout covers it
		}
		theLayout = l
	}
	return theLayout
}

func buildLayout(root *shape.Field) (*Layout, error) {
	l := &Layout{byName: map[string]*Sheet{}, byPath: map[string]*Sheet{}}
	var first *Sheet
	var rootScalars []*Column
	for _, p := range root.Props {
		switch {
		case p.Kind == shape.Object:
			s := &Sheet{Label: true, Path: []string{p.Name}, Shape: p, About: p.Description}
			if err := l.add(s); err != nil {
				return nil, err
			}
			if first == nil {
				first = s
			}
			l.fill(s, p, nil)
		case p.Kind == shape.Array && p.Items != nil && p.Items.Kind == shape.Object:
			if err := l.register([]string{p.Name}, p, nil); err != nil {
				return nil, err
			}
		default:
			rootScalars = append(rootScalars, column([]string{p.Name}, p))
		}
	}
	if first == nil {
		return nil, fmt.Errorf("the schema has no object at the top for the case's own fields")
	}
	for _, c := range rootScalars {
		c.Root = true
	}
	first.Columns = append(rootScalars, first.Columns...)
	// Nested registers were added in the order met: keep the schema's
	// depth-first order, which puts each right after its parent.
	return l, l.check()
}

func (l *Layout) add(s *Sheet) error {
	p := strings.Join(s.Path, "/")
	s.Name = names[p]
	if s.Name == "" {
		s.Name = title(s.Path[len(s.Path)-1])
	}
	if l.byName[s.Name] != nil || s.Name == InstructionsSheet {
		return fmt.Errorf("two sheets named %q", s.Name)
	}
	l.byName[s.Name] = s
	l.byPath[p] = s
	l.Sheets = append(l.Sheets, s)
	return nil
}

// register adds the sheet of the list at path.
func (l *Layout) register(path []string, list *shape.Field, parent *Sheet) error {
	item := list.Items
	s := &Sheet{Path: path, Shape: item, Parent: parent, About: list.Description}
	if err := l.add(s); err != nil {
		return err
	}
	if parent != nil {
		switch {
		case parent.ID != nil:
			s.Keys = []*Column{{Header: parent.ID.Field.Def, Field: parent.ID.Field, Key: true}}
		case parent.Number != nil:
			s.Keys = append(append([]*Column(nil), parent.Keys...), parent.Number)
		default:
			return fmt.Errorf("%s: its parent %s has neither an ID nor a number column", s.Name, parent.Name)
		}
	}
	if id := item.Prop("id"); id == nil || id.Def == "" {
		if n := numbers[strings.Join(path, "/")]; n != "" {
			s.Number = &Column{Header: n, Field: &shape.Field{Kind: shape.Integer,
				Description: fmt.Sprintf("Numbers the %s of one %s (1, 2, …), so that rows of other sheets can name the one they belong to.",
					strings.ToLower(s.Name), singular(parent))}, Key: true}
		}
	}
	return l.fill(s, item, nil)
}

// fill adds the columns of object f (at prefix within the item) to s, and
// the registers of its lists of objects.
func (l *Layout) fill(s *Sheet, f *shape.Field, prefix []string) error {
	for _, p := range f.Props {
		path := append(append([]string(nil), prefix...), p.Name)
		switch {
		case p.Kind == shape.Object:
			if err := l.fill(s, p, path); err != nil {
				return err
			}
		case p.Kind == shape.Array && p.Items != nil && p.Items.Kind == shape.Object:
			full := append(append([]string(nil), s.Path...), "*")
			if s.Label {
				full = append([]string(nil), s.Path...)
			}
			var parent *Sheet
			if !s.Label {
				parent = s
			}
			if err := l.register(append(full, path...), p, parent); err != nil {
				return err
			}
		default:
			c := column(path, p)
			s.Columns = append(s.Columns, c)
			if len(path) == 1 && p.Name == "id" && p.Def != "" {
				s.ID = c
			}
		}
	}
	return nil
}

func column(path []string, f *shape.Field) *Column {
	c := &Column{Header: strings.Join(path, "."), Path: path, Field: f}
	if f.Kind == shape.Array {
		c.Multi = true
		c.Sep = "\n"
		if it := f.Items; it != nil && (len(it.Enum) > 0 || strings.HasSuffix(it.Def, "_id") || noComma(it.Pattern)) {
			// IDs, codes and fixed words never hold a comma.
			c.Sep = ", "
		}
	}
	return c
}

// noComma reports whether a pattern plainly rules out commas: it has
// character classes only of the listing kind ([a-z0-9]), no negated class,
// no wildcard and no comma (but in a count such as {2,3}).
func noComma(p string) bool {
	if p == "" || strings.Contains(p, "[^") {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '{': // a count such as {2,3}
			if j := strings.IndexByte(p[i:], '}'); j > 0 {
				i += j
			}
		case ',':
			return false
		case '\\':
			if i+1 < len(p) && strings.IndexByte("SWDPp", p[i+1]) >= 0 {
				return false
			}
			i++
		case '.':
			return false
		}
	}
	return true
}

// AllColumns lists a register's key, number and field columns in order.
func (s *Sheet) AllColumns() []*Column {
	out := append([]*Column(nil), s.Keys...)
	if s.Number != nil {
		out = append(out, s.Number)
	}
	return append(out, s.Columns...)
}

// check refuses a layout in which two columns of one sheet share a header.
func (l *Layout) check() error {
	for _, s := range l.Sheets {
		seen := map[string]bool{}
		for _, c := range s.AllColumns() {
			if seen[c.Header] {
				return fmt.Errorf("sheet %s: two columns named %q", s.Name, c.Header)
			}
			seen[c.Header] = true
		}
	}
	return nil
}

func singular(s *Sheet) string {
	if s == nil {
		return "case"
	}
	return strings.TrimSuffix(strings.ToLower(s.Name), "s")
}

// title turns a field name into a sheet name: "custody_events" → "Custody events".
func title(name string) string {
	name = strings.ReplaceAll(name, "_", " ")
	r := []rune(name)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	if len(r) > 31 { // Excel's limit on sheet names
		r = r[:31]
	}
	return string(r)
}
