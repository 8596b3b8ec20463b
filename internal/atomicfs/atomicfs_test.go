package atomicfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var errInjected = errors.New("injected failure")

// snapshot maps every path below dir (hidden top-level entries apart) to
// its content ("<dir>" for folders): what a user sees.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		if !strings.Contains(rel, string(filepath.Separator)) && strings.HasPrefix(rel, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			m[rel] = "<dir>"
			return nil
		}
		b, err := os.ReadFile(p)
		m[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// hidden lists the hidden top-level entries of dir.
func hidden(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if data == "<dir>" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func open(t *testing.T, dir string, fault func(Op, string, string) error) *Dir {
	t.Helper()
	d, err := OpenDir(dir, Options{Fault: fault})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pdf")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	date := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	if err := WriteFile(p, FileOptions{Perm: 0o600, ModTime: date}, write("one")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(date) {
		t.Errorf("mode %v time %v, want 0600 and %v", fi.Mode().Perm(), fi.ModTime(), date)
	}
	// Without Replace an existing file is refused before anything is written.
	called := false
	err = WriteFile(p, FileOptions{}, func(io.Writer) error { called = true; return nil })
	if !errors.Is(err, fs.ErrExist) || called {
		t.Errorf("existing target without Replace: err %v, write called %v; want fs.ErrExist before writing", err, called)
	}
	if err := WriteFile(p, FileOptions{Replace: true}, write("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("replaced content %q", b)
	}
	// A failing writer leaves the target and no temporary file.
	if err := WriteFile(p, FileOptions{Replace: true}, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errInjected
	}); !errors.Is(err, errInjected) {
		t.Errorf("err %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("after a failed write the content is %q", b)
	}
	if h := hidden(t, dir); len(h) > 0 {
		t.Errorf("left %v", h)
	}
}

// TestCommitFaults: whichever step of a file write fails, the target keeps
// its old content and no temporary file is left.
func TestCommitFaults(t *testing.T) {
	for _, replace := range []bool{true, false} {
		for _, op := range []Op{OpCreate, OpWrite, OpSync, OpRename, OpNoReplace} {
			dir := t.TempDir()
			target := "key"
			if replace {
				writeTree(t, dir, map[string]string{target: "old"})
			}
			before := snapshot(t, dir)
			d := open(t, dir, func(o Op, from, to string) error {
				if o == op {
					return errInjected
				}
				return nil
			})
			f, err := d.Create(target, FileOptions{Replace: replace})
			if err == nil {
				_, err = f.Write([]byte("new"))
				if err == nil {
					err = f.Commit()
				}
				f.Abort()
			}
			if (op == OpRename && !replace) || (op == OpNoReplace && replace) {
				if err != nil {
					t.Errorf("replace=%v: a fault in %s, which is not used, failed: %v", replace, op, err)
				}
				continue
			}
			if !errors.Is(err, errInjected) {
				t.Errorf("replace=%v fault in %s: err %v", replace, op, err)
			}
			if after := snapshot(t, dir); !equal(before, after) {
				t.Errorf("replace=%v fault in %s: folder %v, want %v", replace, op, after, before)
			}
			if h := hidden(t, dir); len(h) > 0 {
				t.Errorf("replace=%v fault in %s: left %v", replace, op, h)
			}
		}
	}
}

// TestCommitNoReplaceRace: a target that appears while the file is being
// written is not replaced.
func TestCommitNoReplaceRace(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, nil)
	f, err := d.Create("key", FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("ours"))
	writeTree(t, dir, map[string]string{"key": "theirs"})
	if err := f.Commit(); !errors.Is(err, fs.ErrExist) {
		t.Errorf("err %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "key")); string(b) != "theirs" {
		t.Errorf("the file that appeared was replaced: %q", b)
	}
	if h := hidden(t, dir); len(h) > 0 {
		t.Errorf("left %v", h)
	}
}

var (
	oldPair = map[string]string{"pkg": "<dir>", "pkg/data": "<dir>", "pkg/bagit.txt": "old", "pkg/data/a.txt": "old a", "pkg.zip": "old zip"}
	newPair = map[string]string{"pkg": "<dir>", "pkg/data": "<dir>", "pkg/bagit.txt": "new", "pkg/data/b.txt": "new b", "pkg.zip": "new zip"}
)

// stage prepares the new folder and ZIP under temporary names, as a build
// does, and returns the changes that publish them.
func stage(t *testing.T, d *Dir, replace bool) []Change { return stageZip(t, d, replace, true) }

// stageZip prepares a new package with a ZIP, or (zip false) one without,
// whose publication removes the old ZIP.
func stageZip(t *testing.T, d *Dir, replace, zip bool) []Change {
	t.Helper()
	tmp, err := d.MkdirTemp("pkg")
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, d.Join(tmp), map[string]string{"bagit.txt": "new", "data/b.txt": "new b"})
	if !zip {
		return []Change{{New: tmp, Target: "pkg", Replace: replace}, {Target: "pkg.zip", Replace: replace}}
	}
	f, err := d.Create("pkg.zip", FileOptions{Replace: replace})
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new zip"))
	if err := f.Seal(); err != nil {
		t.Fatal(err)
	}
	return []Change{{New: tmp, Target: "pkg", Replace: replace}, {New: f.TempName(), Target: "pkg.zip", Replace: replace}}
}

// countSteps counts the steps of one Publish, to inject a fault into each.
// Without exchange, the refused exchange is not a step of its own.
func countSteps(t *testing.T, sc scenario) int {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, sc.old)
	n := 0
	d := open(t, dir, func(op Op, from, to string) error {
		if sc.fallback && op == OpExchange {
			return errors.ErrUnsupported
		}
		n++
		return nil
	})
	ch := stageZip(t, d, true, !sc.noZip)
	n = 0
	if err := d.mustUnit(t).Publish(ch...); err != nil {
		t.Fatal(err)
	}
	return n
}

func (d *Dir) mustUnit(t *testing.T) *Unit {
	u, err := d.Unit("pkg")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type scenario struct {
	name     string
	old      map[string]string
	fallback bool // the system cannot exchange folders
	noZip    bool // the new package has no ZIP: the old one goes
}

var scenarios = []scenario{
	{"fresh", nil, false, false},
	{"replace", oldPair, false, false},
	{"replace-without-exchange", oldPair, true, false},
	{"replace-drop-zip", oldPair, false, true},
	{"replace-drop-zip-without-exchange", oldPair, true, true},
}

// want is the new pair the scenario publishes.
func (sc scenario) want() map[string]string {
	if !sc.noZip {
		return newPair
	}
	m := map[string]string{}
	for k, v := range newPair {
		if k != "pkg.zip" {
			m[k] = v
		}
	}
	return m
}

func oldOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// TestPublishFaults fails each step of a Publish in turn. Whatever fails,
// the folder shows the old pair (the call failed) or the new pair (the
// call succeeded: only the clean-up failed, and Recover finishes it); the
// replaced package is never lost.
func TestPublishFaults(t *testing.T) {
	for _, sc := range scenarios {
		steps := countSteps(t, sc)
		if steps < 4 {
			t.Fatalf("%s: only %d steps counted", sc.name, steps)
		}
		for k := 1; k <= steps; k++ {
			dir := t.TempDir()
			writeTree(t, dir, sc.old)
			before := snapshot(t, dir)
			n, armed := 0, false
			var failed Op
			d := open(t, dir, func(op Op, from, to string) error {
				if sc.fallback && op == OpExchange {
					return errors.ErrUnsupported
				}
				if !armed {
					return nil
				}
				n++
				if n == k {
					failed = op
					return errInjected
				}
				return nil
			})
			ch := stageZip(t, d, true, !sc.noZip)
			armed = true
			err := d.mustUnit(t).Publish(ch...)
			after := snapshot(t, dir)
			switch {
			case err != nil:
				if !equal(after, before) {
					t.Errorf("%s, step %d (%s) failed with %v: folder %v, want the old %v", sc.name, k, failed, err, after, before)
				}
				if !errors.Is(err, errInjected) {
					t.Errorf("%s, step %d: err %v does not wrap the injected failure", sc.name, k, err)
				}
				// The caller removes its temporary entries; nothing else is left.
				for _, c := range ch {
					if c.New != "" {
						os.RemoveAll(d.Join(c.New))
					}
				}
				if h := hidden(t, dir); len(h) > 0 {
					t.Errorf("%s, step %d (%s): left %v", sc.name, k, failed, h)
				}
			default:
				if !equal(after, sc.want()) {
					t.Errorf("%s, step %d (%s) failed, Publish succeeded: folder %v, want the new %v", sc.name, k, failed, after, sc.want())
				}
				r, err := open(t, dir, nil).mustUnit(t).Recover()
				if err != nil {
					t.Errorf("%s, step %d: recover: %v", sc.name, k, err)
				}
				if r == RolledBack {
					t.Errorf("%s, step %d (%s): Recover rolled back a change that was done", sc.name, k, failed)
				}
				if h := hidden(t, dir); len(h) > 0 {
					t.Errorf("%s, step %d (%s): left %v after Recover", sc.name, k, failed, h)
				}
			}
		}
	}
}

type crash struct{}

// version says which pair an entry belongs to: "old", "new", or "" (missing).
func version(m map[string]string, name string) string {
	v, ok := m[name]
	if !ok {
		return ""
	}
	return strings.Fields(v)[0]
}

// TestPublishCrash stops a Publish dead at each step, as a kill -9 or a
// power cut would (nothing after that instant runs), then recovers as the
// next command does. The folder then shows exactly the old pair or exactly
// the new pair: never a new folder beside an old ZIP, never no folder.
func TestPublishCrash(t *testing.T) {
	for _, sc := range scenarios {
		steps := countSteps(t, sc)
		for k := 1; k <= steps; k++ {
			dir := t.TempDir()
			writeTree(t, dir, sc.old)
			before := snapshot(t, dir)
			n, armed := 0, false
			d := open(t, dir, func(op Op, from, to string) error {
				if sc.fallback && op == OpExchange {
					return errors.ErrUnsupported
				}
				if !armed {
					return nil
				}
				n++
				if n == k {
					panic(crash{})
				}
				return nil
			})
			ch := stageZip(t, d, true, !sc.noZip)
			armed = true
			func() {
				defer func() {
					if r := recover(); r != nil && r != (crash{}) {
						panic(r)
					}
				}()
				d.mustUnit(t).Publish(ch...)
			}()
			// While stopped: never a mixed pair, never a ZIP without its
			// folder, and where folders are exchanged, never no folder.
			mid := snapshot(t, dir)
			folder, zip := version(mid, "pkg/bagit.txt"), version(mid, "pkg.zip")
			if zip != "" && zip != folder {
				t.Errorf("%s, crash at step %d: folder %q beside ZIP %q", sc.name, k, folder, zip)
			}
			if sc.old != nil && !sc.fallback && folder == "" {
				t.Errorf("%s, crash at step %d: the package folder is missing", sc.name, k)
			}
			r, err := open(t, dir, nil).mustUnit(t).Recover()
			if err != nil {
				t.Fatalf("%s, crash at step %d: recover: %v", sc.name, k, err)
			}
			after := snapshot(t, dir)
			switch {
			case r == RolledBack && !equal(after, before):
				t.Errorf("%s, crash at step %d, rolled back: folder %v, want the old %v", sc.name, k, after, before)
			case r == Completed && !equal(after, sc.want()):
				t.Errorf("%s, crash at step %d, completed: folder %v, want the new %v", sc.name, k, after, sc.want())
			case r == Clean && !equal(after, before) && !equal(after, sc.want()):
				t.Errorf("%s, crash at step %d, nothing to recover: folder %v, want the old or the new pair", sc.name, k, after)
			}
			// A crash before the journal existed leaves the temporary
			// copies (a command lists them as Leftovers); none of them is
			// a held old package.
			u := open(t, dir, nil).mustUnit(t)
			left, err := u.Leftovers()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range left {
				if l.Replaced {
					t.Errorf("%s, crash at step %d: a held old package is left: %v", sc.name, k, l)
				}
			}
		}
	}
}

// TestRestoreFailureKeepsOld is the defect the build's old install had:
// when putting the old package back failed, it went on to delete the
// folder holding it. Here every rename that would restore it fails: the
// old package must survive where it was held, the error must say where,
// and the next Recover must put it back.
func TestRestoreFailureKeepsOld(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		dir := t.TempDir()
		writeTree(t, dir, oldPair)
		before := snapshot(t, dir)
		moved := false
		d := open(t, dir, func(op Op, from, to string) error {
			if fallback && op == OpExchange {
				return errors.ErrUnsupported
			}
			switch {
			case to == "pkg.zip" && (op == OpNoReplace || op == OpRename):
				return errInjected // the ZIP cannot go in: undo
			case moved && (op == OpNoReplace || op == OpRename || op == OpExchange):
				return errors.New("injected: the undo fails too")
			case op == OpExchange || (op == OpNoReplace && to == "pkg"):
				moved = true
			}
			return nil
		})
		ch := stage(t, d, true)
		err := d.mustUnit(t).Publish(ch...)
		var ie *IncompleteError
		if !errors.As(err, &ie) {
			t.Fatalf("fallback=%v: err %v, want an IncompleteError", fallback, err)
		}
		if len(ie.Held) == 0 {
			t.Errorf("fallback=%v: the error does not say where the old package is: %v", fallback, err)
		}
		// The old package is intact, somewhere the error names.
		found := false
		for _, h := range ie.Held {
			if b, err := os.ReadFile(filepath.Join(h, "data", "a.txt")); err == nil && string(b) == "old a" {
				found = true
			}
			if b, err := os.ReadFile(h); err == nil && string(b) == "old zip" {
				found = true
			}
		}
		if !found {
			t.Errorf("fallback=%v: the old package is not where the error says (%v)", fallback, ie.Held)
		}
		r, err := open(t, dir, nil).mustUnit(t).Recover()
		if err != nil || r != RolledBack {
			t.Fatalf("fallback=%v: recover: %v %v", fallback, r, err)
		}
		for _, c := range ch {
			os.RemoveAll(d.Join(c.New))
		}
		if after := snapshot(t, dir); !equal(after, before) {
			t.Errorf("fallback=%v: after recovery the folder is %v, want the old %v", fallback, after, before)
		}
		if h := hidden(t, dir); len(h) > 0 {
			t.Errorf("fallback=%v: left %v", fallback, h)
		}
	}
}

// TestPartialRemoveAll: a clean-up that removes half of the replaced
// package and fails never touches the new one, and Recover finishes it.
func TestPartialRemoveAll(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		dir := t.TempDir()
		writeTree(t, dir, oldPair)
		d := open(t, dir, func(op Op, from, to string) error {
			if fallback && op == OpExchange {
				return errors.ErrUnsupported
			}
			if op == OpRemoveAll {
				// Remove one file of it, then fail.
				filepath.WalkDir(filepath.Join(dir, from), func(p string, e fs.DirEntry, err error) error {
					if err == nil && !e.IsDir() {
						os.Remove(p)
						return filepath.SkipAll
					}
					return nil
				})
				return errInjected
			}
			return nil
		})
		if err := d.mustUnit(t).Publish(stage(t, d, true)...); err != nil {
			t.Fatalf("fallback=%v: the new package is in place, only clean-up failed: %v", fallback, err)
		}
		if after := snapshot(t, dir); !equal(after, newPair) {
			t.Errorf("fallback=%v: folder %v, want the new %v", fallback, after, newPair)
		}
		r, err := open(t, dir, nil).mustUnit(t).Recover()
		if err != nil || r != Completed {
			t.Errorf("fallback=%v: recover %v %v, want Completed", fallback, r, err)
		}
		if after := snapshot(t, dir); !equal(after, newPair) {
			t.Errorf("fallback=%v: after recovery %v", fallback, after)
		}
		if h := hidden(t, dir); len(h) > 0 {
			t.Errorf("fallback=%v: left %v", fallback, h)
		}
	}
}

func TestPublishRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, oldPair)
	before := snapshot(t, dir)
	d := open(t, dir, nil)
	ch := stage(t, d, true)
	for i := range ch {
		ch[i].Replace = false
	}
	if err := d.mustUnit(t).Publish(ch...); !errors.Is(err, fs.ErrExist) {
		t.Errorf("err %v, want fs.ErrExist", err)
	}
	if after := snapshot(t, dir); !equal(after, before) {
		t.Errorf("folder %v", after)
	}
}

func TestRecoverRefusesForeignJournal(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{".pkg.publish": `{"format":"casepack-publish/1","changes":[{"new":"../x","target":"pkg"}]}`})
	if _, err := open(t, dir, nil).mustUnit(t).Recover(); err == nil || !strings.Contains(err.Error(), "outside the folder") {
		t.Errorf("err %v", err)
	}
	writeTree(t, dir, map[string]string{".pkg.publish": `{"format":"other"}`})
	if _, err := open(t, dir, nil).mustUnit(t).Recover(); err == nil {
		t.Error("an unknown journal was accepted")
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	u := open(t, dir, nil).mustUnit(t)
	l, err := u.Lock()
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (another open file, as another process has) is
	// refused at once and told who holds it.
	_, err = open(t, dir, nil).mustUnit(t).Lock()
	var be *BusyError
	if !errors.As(err, &be) || !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock: %v, want a BusyError", err)
	}
	if be.PID != os.Getpid() || be.Lock != filepath.Join(dir, ".pkg.lock") || be.Target != filepath.Join(dir, "pkg") {
		t.Errorf("busy error names %q (lock %q), process %d", be.Target, be.Lock, be.PID)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if lockFileRemovable {
		if h := hidden(t, dir); len(h) > 0 {
			t.Errorf("left %v", h)
		}
	}
	l, err = u.Lock()
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l.Unlock()
}

func TestLeftovers(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".pkg.tmp-1/bagit.txt":     "x",
		".pkg.zip.tmp-2":           "x",
		".pkg.old-3/old/bagit.txt": "x",
		".pkg.lock":                "",
		".other.tmp-4":             "x",
		"pkg/bagit.txt":            "x",
	})
	left, err := open(t, dir, nil).mustUnit(t).Leftovers()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range left {
		s := filepath.Base(l.Path)
		if l.Replaced {
			s += " replaced " + strings.Join(l.Entries, ",")
		}
		got = append(got, s)
	}
	slices.Sort(got)
	want := []string{".pkg.old-3 replaced old", ".pkg.tmp-1", ".pkg.zip.tmp-2"}
	if !slices.Equal(got, want) {
		t.Errorf("leftovers %q, want %q", got, want)
	}
}

func TestMkdirAll(t *testing.T) {
	dir := t.TempDir()
	made, err := MkdirAll(filepath.Join(dir, "a", "b", "c"), 0o755)
	if err != nil {
		t.Fatal(err)
	}
	want := Created{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b"), filepath.Join(dir, "a", "b", "c")}
	if !slices.Equal(made, want) {
		t.Errorf("made %q, want %q", made, want)
	}
	// Someone's file in a/b: a/b/c goes, a/b and a stay.
	writeTree(t, dir, map[string]string{"a/b/note.txt": "mine"})
	made.Remove()
	if _, err := os.Stat(filepath.Join(dir, "a", "b", "c")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a/b/c was not removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "a", "b", "note.txt")); err != nil {
		t.Error("a user's file went")
	}
	os.Remove(filepath.Join(dir, "a", "b", "note.txt"))
	made, _ = MkdirAll(filepath.Join(dir, "a", "b", "c"), 0o755)
	if len(made) != 1 {
		t.Errorf("made %q, want only a/b/c", made)
	}
	writeTree(t, dir, map[string]string{"f": "x"})
	if _, err := MkdirAll(filepath.Join(dir, "f", "g"), 0o755); err == nil {
		t.Error("a folder below a file")
	}
}
