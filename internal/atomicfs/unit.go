package atomicfs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Unit is a set of entries of one folder that change together — a package
// folder and its ZIP — named for what they are (the package's name). Three
// hidden companions carry it through failures:
//
//	.NAME.lock      exists while a command holds the unit (Lock)
//	.NAME.publish   the journal: exists while entries move (Publish)
//	.NAME.old-*     holds the entries being replaced until the new ones are in
//	.NAME.trash-*   what a stopped command put out of the way (Dir.Trash)
//
// Publish keeps two rules: while the journal exists no new entry is
// deleted, and a replaced entry is deleted only once every new entry is in
// place. So after a crash at any instant, Recover finds either every new
// entry in place (and finishes the clean-up) or puts every old one back.
type Unit struct {
	d    *Dir
	name string
}

// Unit returns the unit of entries named name in the folder.
func (d *Dir) Unit(name string) (*Unit, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return &Unit{d: d, name: name}, nil
}

func (u *Unit) lockName() string    { return "." + u.name + ".lock" }
func (u *Unit) journalName() string { return "." + u.name + ".publish" }

// ErrBusy matches a [BusyError].
var ErrBusy = errors.New("another process holds the lock")

var errBusy = errors.New("busy")

// BusyError is returned by Lock when another process holds the unit: a
// second build or co-sign of one package stops at once, rather than
// blocking or mixing its files with the first one's.
type BusyError struct {
	Target string // the unit's path (its name in the folder)
	Lock   string // the lock file
	PID    int    // the process holding it, when it could be read; else 0
}

func (e *BusyError) Error() string {
	who := "another casepack command"
	if e.PID > 0 {
		who += " (process " + strconv.Itoa(e.PID) + ")"
	}
	return e.Target + ": " + who + " is writing it right now"
}

// Is makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Lock is a held unit lock.
type Lock struct {
	u *Unit
	f *os.File
}

// Lock takes the unit for this process, without waiting: a second command
// working on the same entries gets a [BusyError] at once, rather than
// blocking or mixing its output with the first one's. The system drops the
// lock when the process ends, however it ends.
func (u *Unit) Lock() (*Lock, error) {
	name := u.lockName()
	for range 10 {
		if err := u.d.check(OpCreate, name, ""); err != nil {
			return nil, err
		}
		f, err := u.d.root.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fault.IO(u.d.Join(name), err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if err == errBusy {
				pid := 0
				if b, err := u.d.root.ReadFile(name); err == nil {
					pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
				}
				return nil, &BusyError{Target: u.d.Join(u.name), Lock: u.d.Join(name), PID: pid}
			}
			return nil, fault.IO(u.d.Join(name), err)
		}
		// The previous holder removes the file as it lets go; a lock on a
		// file no longer under that name locks nothing. Try again.
		if lockFileRemovable {
			fi, err1 := f.Stat()
			li, err2 := u.d.root.Lstat(name)
			if err1 != nil || err2 != nil || !os.SameFile(fi, li) {
				f.Close()
				continue
			}
		}
		// For the message a second command prints.
		if f.Truncate(0) == nil {
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		return &Lock{u: u, f: f}, nil
	}
	return nil, fmt.Errorf("lock %s: the lock file keeps changing", u.d.Join(name))
}

// Acquire locks the unit and then recovers a change an earlier command was
// stopped in (see Recover); warn, if set, is told what that recovery did.
func (u *Unit) Acquire(warn func(msg string)) (*Lock, error) {
	l, err := u.Lock()
	if err != nil {
		return nil, err
	}
	rec, err := u.Recover()
	if err != nil {
		l.Unlock()
		return nil, err
	}
	// What an earlier command put out of the way (Dir.Trash) and nobody is
	// removing goes now: a helper may not have finished it.
	u.d.EmptyTrash()
	if warn != nil && rec != Clean {
		warn(rec.Say(u.d.Join(u.name)))
	}
	return l, nil
}

// Say is what a recovery did to the unit at path, in a user's words.
func (r Recovery) Say(path string) string {
	switch r {
	case RolledBack:
		return path + ": an earlier command was stopped while replacing it; the previous version was put back"
	case Completed:
		return path + ": an earlier command was stopped just after replacing it; the new version is in place and the previous one was deleted"
	}
	return ""
}

// Unlock lets the unit go and removes the lock file.
func (l *Lock) Unlock() error {
	if l.f == nil {
		return nil
	}
	if lockFileRemovable {
		l.u.d.root.Remove(l.u.lockName())
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Change is one entry of a Publish: New, a prepared temporary entry in the
// folder (see [Dir.MkdirTemp], [Dir.Create] and [File.Seal]; it may sit in
// a temporary subfolder), takes the place of Target, a name in the folder.
// An empty New removes Target (with Replace), as part of the unit: the ZIP
// of an earlier package when the new one has none.
type Change struct {
	New, Target string
	// Replace lets an existing Target be replaced. Without it, Publish
	// fails with an error matching fs.ErrExist and changes nothing.
	Replace bool
}

const journalFormat = "casepack-publish/1"

// journal is what .NAME.publish records before anything moves.
type journal struct {
	Format  string  `json:"format"`
	Hold    string  `json:"hold,omitempty"` // the .NAME.old-* folder
	Changes []entry `json:"changes"`
}

type entry struct {
	New    string `json:"new"`
	Target string `json:"target"`
	// NewID identifies the new entry (device and inode) where the system
	// has them; a crash between an exchange and the next step otherwise
	// leaves no way to tell which name holds which entry.
	NewID  string `json:"new_id,omitempty"`
	HadOld bool   `json:"had_old,omitempty"`
}

type place int

const (
	gone place = iota
	atNew
	atTarget
	atHold
)

// state is where one entry's new and old content are right now.
type state struct {
	entry
	newAt, oldAt place
	newDir       bool
	oldDir       bool
}

func (u *Unit) held(j *journal, s *state) string { return filepath.Join(j.Hold, s.Target) }

// Publish puts every change's New in place of its Target, as one unit:
// when it returns nil every new entry is in place and every replaced one is
// gone; when it returns an error, every target is as it was (the new
// entries are back under their temporary names, for the caller to remove).
// If undoing a failure fails too, the error is an [*IncompleteError]: the
// journal stays, nothing is deleted, and the next [Unit.Recover] finishes
// the undo.
//
// Nothing that is not in place is ever visible under a target name:
// replaced files are moved aside first, replaced folders are exchanged with
// the new ones in one step (renameat2 RENAME_EXCHANGE, renameatx_np
// RENAME_SWAP) where the system can, and new files go in last. A package
// folder and its ZIP therefore never disagree: at any instant there is the
// old pair, the new pair, or a folder without its ZIP. Where folders cannot
// be exchanged, the old folder is moved aside and the new one renamed in
// straight after: the one moment without a folder is the gap between two
// renames, and a crash there is undone by Recover.
func (u *Unit) Publish(changes ...Change) error {
	if len(changes) == 0 {
		return nil
	}
	j := &journal{Format: journalFormat}
	var st []*state
	seen := map[string]bool{}
	for _, c := range changes {
		if err := checkName(c.Target); err != nil {
			return err
		}
		if (c.New != "" && !filepath.IsLocal(c.New)) || seen[c.Target] {
			return fmt.Errorf("publish %q as %q: not a temporary entry of the folder, or a target named twice", c.New, c.Target)
		}
		seen[c.Target] = true
		s := &state{entry: entry{New: c.New, Target: c.Target}, newAt: atNew}
		if c.New != "" {
			nfi, err := u.d.root.Lstat(c.New)
			if err != nil {
				return fault.IO(u.d.Join(c.Target), err)
			}
			s.NewID, s.newDir = fileID(nfi), nfi.IsDir()
		}
		tfi, err := u.d.root.Lstat(c.Target)
		switch {
		case err == nil:
			if !c.Replace {
				return &fs.PathError{Op: "publish", Path: u.d.Join(c.Target), Err: fs.ErrExist}
			}
			s.HadOld, s.oldAt, s.oldDir = true, atTarget, tfi.IsDir()
		case !errors.Is(err, fs.ErrNotExist):
			return fault.IO(u.d.Join(c.Target), err)
		case c.New == "":
			continue // nothing to remove
		}
		st = append(st, s)
		j.Changes = append(j.Changes, s.entry)
	}
	if len(st) == 0 {
		return nil
	}
	// The hold is named in the journal before it exists, so that no crash
	// can leave one the journal does not account for.
	if slices.ContainsFunc(st, func(s *state) bool { return s.HadOld }) {
		j.Hold = tempName(u.name, "old")
		if _, err := u.d.root.Lstat(j.Hold); err == nil {
			return fmt.Errorf("publish %s: %s exists", u.d.Join(u.name), u.d.Join(j.Hold))
		}
	}
	if err := u.writeJournal(j); err != nil {
		return err
	}
	if j.Hold != "" {
		err := u.d.check(OpCreate, j.Hold, "")
		if err == nil {
			err = u.d.root.Mkdir(j.Hold, 0o700)
		}
		if err != nil {
			j.Hold = ""
			u.discard(j)
			return fault.IO(u.d.Join(u.name), err)
		}
	}
	if err := u.forward(j, st); err != nil {
		if uerr := u.rollback(j, st); uerr != nil {
			return u.incomplete(j, st, err, uerr)
		}
		u.discard(j)
		return err
	}
	// Every new entry is in place: the change is done. A failing clean-up
	// leaves the journal, and the next Recover finishes it.
	u.finish(j, st)
	return nil
}

func (u *Unit) writeJournal(j *journal) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	f, err := u.d.Create(u.journalName(), FileOptions{Replace: true})
	if err != nil {
		return fault.IO(u.d.Join(u.name), err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Abort()
		return fault.IO(u.d.Join(u.name), err)
	}
	if err := f.Commit(); err != nil {
		// The folder sync may have failed after the rename.
		u.d.root.Remove(u.journalName())
		return fault.IO(u.d.Join(u.name), err)
	}
	return nil
}

func (u *Unit) readJournal() (*journal, error) {
	b, err := u.d.root.ReadFile(u.journalName())
	if err != nil {
		return nil, err
	}
	var j journal
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil || j.Format != journalFormat {
		return nil, fmt.Errorf("%s: not a journal this version of casepack can read", u.d.Join(u.journalName()))
	}
	for _, e := range j.Changes {
		if checkName(e.Target) != nil || (e.New != "" && !filepath.IsLocal(e.New)) || (j.Hold != "" && checkName(j.Hold) != nil) {
			return nil, fmt.Errorf("%s: names an entry outside the folder", u.d.Join(u.journalName()))
		}
	}
	return &j, nil
}

// forward moves the entries: replaced files aside, folders exchanged,
// new files in; then syncs the folder.
func (u *Unit) forward(j *journal, st []*state) error {
	exchangeable := func(s *state) bool { return s.newDir && s.oldDir && s.NewID != "" }
	for _, s := range st {
		if s.oldAt == atTarget && !exchangeable(s) {
			if err := u.d.renameNoReplace(s.Target, u.held(j, s)); err != nil {
				return err
			}
			s.oldAt = atHold
			if s.New == "" {
				s.newAt = atTarget // removed: done
			}
		}
	}
	for _, s := range st {
		if s.oldAt != atTarget {
			continue
		}
		err := u.d.exchange(s.New, s.Target)
		if err == nil {
			s.newAt, s.oldAt = atTarget, atNew
			continue
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
		if err := u.d.renameNoReplace(s.Target, u.held(j, s)); err != nil {
			return err
		}
		s.oldAt = atHold
		if err := u.d.renameNoReplace(s.New, s.Target); err != nil {
			return err
		}
		s.newAt = atTarget
	}
	for _, s := range st {
		if s.newAt == atNew {
			if err := u.d.renameNoReplace(s.New, s.Target); err != nil {
				return err
			}
			s.newAt = atTarget
		}
	}
	return u.d.Sync()
}

// rollback undoes forward in reverse and stops at the first step that
// fails, so what is visible stays a consistent set (an old or a new entry
// missing, never one old beside one new).
func (u *Unit) rollback(j *journal, st []*state) error {
	for i := len(st) - 1; i >= 0; i-- {
		if s := st[i]; s.newAt == atTarget && s.oldAt != atNew {
			if s.New == "" {
				s.newAt = atNew // nothing to take out
				continue
			}
			if err := u.d.renameNoReplace(s.Target, s.New); err != nil {
				return err
			}
			s.newAt = atNew
		}
	}
	for i := len(st) - 1; i >= 0; i-- {
		if s := st[i]; s.newAt == atTarget && s.oldAt == atNew {
			if err := u.d.exchange(s.New, s.Target); err != nil {
				return err
			}
			s.newAt, s.oldAt = atNew, atTarget
		}
	}
	for i := len(st) - 1; i >= 0; i-- {
		if s := st[i]; s.oldAt == atHold {
			if err := u.d.renameNoReplace(u.held(j, s), s.Target); err != nil {
				return err
			}
			s.oldAt = atTarget
		}
	}
	return u.d.Sync()
}

// finish removes the replaced entries once every new one is in place, then
// the journal.
func (u *Unit) finish(j *journal, st []*state) error {
	for _, s := range st {
		if s.oldAt == atNew {
			if err := u.d.RemoveAll(s.New); err != nil {
				return err
			}
		}
	}
	if j.Hold != "" {
		if err := u.d.RemoveAll(j.Hold); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := u.d.Remove(u.journalName()); err != nil {
		return err
	}
	return u.d.Sync()
}

// discard ends a change that was undone: the hold is empty again (removed
// only if so), then the journal goes.
func (u *Unit) discard(j *journal) error {
	if j.Hold != "" {
		u.d.Remove(j.Hold)
	}
	if err := u.d.Remove(u.journalName()); err != nil {
		return err
	}
	return u.d.Sync()
}

// IncompleteError is returned when a change failed and undoing it failed
// too. Nothing was deleted; the journal stays, so the next Recover (the
// next command on the unit) finishes the undo.
type IncompleteError struct {
	Err  error    // what failed first
	Undo error    // what failed while undoing it
	Held []string // where replaced entries wait, to move back by hand
}

func (e *IncompleteError) Error() string {
	msg := fmt.Sprintf("%v; undoing it failed too (%v)", e.Err, e.Undo)
	if len(e.Held) > 0 {
		msg += "; nothing was deleted: the replaced entries are kept in " + strings.Join(e.Held, ", ")
	}
	return msg
}

func (e *IncompleteError) Unwrap() error { return e.Err }

func (u *Unit) incomplete(j *journal, st []*state, err, uerr error) error {
	e := &IncompleteError{Err: err, Undo: uerr}
	for _, s := range st {
		switch s.oldAt {
		case atHold:
			e.Held = append(e.Held, u.d.Join(u.held(j, s)))
		case atNew:
			e.Held = append(e.Held, u.d.Join(s.New))
		}
	}
	return e
}

// Pending reports whether a change of the unit name in the folder dir was
// interrupted and awaits Recover: its targets may not show what they will.
func Pending(dir, name string) bool {
	_, err := os.Lstat(filepath.Join(dir, (&Unit{name: name}).journalName()))
	return err == nil
}

// Recovery says what Recover did.
type Recovery int

const (
	// Clean: no change was interrupted.
	Clean Recovery = iota
	// RolledBack: a change was interrupted before every new entry was in
	// place; the replaced entries are back and the new ones removed.
	RolledBack
	// Completed: a change was interrupted after every new entry was in
	// place; the replaced entries it still held were removed.
	Completed
)

// Recover finishes or undoes a Publish that a crash (or an undo that
// failed) interrupted, from what it finds on disk. Call it with the Lock
// held, before looking at the targets.
func (u *Unit) Recover() (Recovery, error) {
	j, err := u.readJournal()
	if errors.Is(err, fs.ErrNotExist) {
		return Clean, nil
	}
	if err != nil {
		return Clean, err
	}
	st := make([]*state, len(j.Changes))
	done := true
	for i, e := range j.Changes {
		st[i] = u.locate(j, e)
		done = done && st[i].newAt == atTarget
	}
	if done {
		if err := u.finish(j, st); err != nil {
			return Completed, fmt.Errorf("finish an interrupted change of %s: %w", u.d.Join(u.name), err)
		}
		return Completed, nil
	}
	if err := u.rollback(j, st); err != nil {
		return RolledBack, u.incomplete(j, st, fmt.Errorf("undo an interrupted change of %s", u.d.Join(u.name)), err)
	}
	if err := u.discard(j); err != nil {
		return RolledBack, err
	}
	// The journal is gone: the new entries are now plain temporary ones.
	for _, s := range st {
		if s.newAt == atNew && s.New != "" {
			u.d.RemoveAll(s.New)
		}
	}
	return RolledBack, nil
}

// locate finds where an entry's new and old content are after a crash.
func (u *Unit) locate(j *journal, e entry) *state {
	s := &state{entry: e}
	tfi, terr := u.d.root.Lstat(e.Target)
	nfi, nerr := u.d.root.Lstat(e.New)
	heldNow := false
	if j.Hold != "" && e.HadOld {
		_, err := u.d.root.Lstat(filepath.Join(j.Hold, e.Target))
		heldNow = err == nil
	}
	if terr == nil {
		s.oldDir = tfi.IsDir()
	}
	if e.New == "" { // a removal: done once the old entry is off the target
		switch {
		case heldNow:
			s.newAt, s.oldAt = atTarget, atHold
		case terr == nil:
			s.newAt, s.oldAt = atNew, atTarget
		default:
			s.newAt = atTarget
		}
		return s
	}
	if e.NewID != "" {
		switch {
		case terr == nil && fileID(tfi) == e.NewID:
			s.newAt = atTarget
		case nerr == nil && fileID(nfi) == e.NewID:
			s.newAt = atNew
		}
		switch {
		case heldNow:
			s.oldAt = atHold
		case !e.HadOld:
		case terr == nil && fileID(tfi) != e.NewID:
			s.oldAt = atTarget
		case nerr == nil && fileID(nfi) != e.NewID:
			s.oldAt = atNew
		}
		return s
	}
	// Without file identities no exchange was used, and no new entry is
	// deleted while the journal exists: a new entry not under its
	// temporary name is in place.
	switch {
	case nerr == nil:
		s.newAt = atNew
	case terr == nil:
		s.newAt = atTarget
	}
	switch {
	case heldNow:
		s.oldAt = atHold
	case e.HadOld && s.newAt == atNew && terr == nil:
		s.oldAt = atTarget
	}
	return s
}

// Leftover is a hidden entry beside a unit that a command stopped outright
// (SIGKILL, power loss) could not clean up and no journal accounts for.
type Leftover struct {
	Path string
	// Replaced: it holds an earlier version of the unit's entries, moved
	// aside while they were being replaced (Entries lists them). Otherwise
	// it is an unfinished temporary copy, never a complete one.
	Replaced bool
	Entries  []string
}

// Leftovers lists them. Call Recover first: what a journal names is
// recovered, not left over.
func (u *Unit) Leftovers() ([]Leftover, error) {
	dir, err := u.d.root.Open(".")
	if err != nil {
		return nil, err
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, err
	}
	var out []Leftover
	prefix := "." + u.name + "."
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(rest, "old-"):
			l := Leftover{Path: u.d.Join(n), Replaced: true}
			if sub, err := u.d.root.Open(n); err == nil {
				l.Entries, _ = sub.Readdirnames(-1)
				sub.Close()
			}
			out = append(out, l)
		case strings.HasPrefix(rest, "tmp-"), strings.Contains(rest, ".tmp-"):
			out = append(out, Leftover{Path: u.d.Join(n)})
		}
	}
	return out, nil
}

// Settle puts right, for a reader that found the unit's target missing, a
// change of the unit name in the folder dir that a command was stopped in
// (see Recover): where folders cannot be exchanged in one step, a crash
// between the two renames of a replacement leaves the target missing, and
// a reader that only explained it would leave it so until the next build.
// When another process holds the unit (a command is publishing right
// now), Settle waits up to wait for it to finish. It returns what Recover
// did, and an error when the folder cannot be written or stays busy: the
// reader then says what it found.
func Settle(dir, name string, wait time.Duration) (Recovery, error) {
	d, err := OpenDir(dir, Options{})
	if err != nil {
		return Clean, err
	}
	defer d.Close()
	u, err := d.Unit(name)
	if err != nil {
		return Clean, err
	}
	deadline := time.Now().Add(wait)
	for {
		l, err := u.Lock()
		if err == nil {
			defer l.Unlock()
			return u.Recover()
		}
		if !errors.Is(err, ErrBusy) {
			return Clean, err
		}
		// The holder publishes: its journal goes once every entry is in.
		if !Pending(dir, name) {
			return Clean, nil
		}
		if time.Now().After(deadline) {
			return Clean, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
