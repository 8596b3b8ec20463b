// Package reaper owns removing what a stopped command leaves behind
// without keeping the user waiting. A build interrupted after copying
// gigabytes of evidence has its temporary package put out of the way in one
// rename ([atomicfs.Dir.Trash]); deleting it takes the file system seconds,
// which a user who pressed Ctrl-C (or a service manager that sent SIGTERM)
// should not wait for. [Remove] hands that deletion to a helper: this same
// program, started again in a session of its own, which removes the trash
// entries and then the folders the command created, and exits. The command
// ends at once.
//
// A program allows helpers by calling [Run] first thing; without it (a
// library caller, a test) Remove removes everything before it returns.
package reaper

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/casepack/casepack/internal/atomicfs"
)

// envJob carries a helper's job (JSON) from the command to the helper.
const envJob = "CASEPACK_REAPER_JOB"

type job struct {
	Trash   []string `json:"trash"`   // absolute paths, each a trash entry
	Created []string `json:"created"` // folders to remove while empty, outermost first
}

var detach bool // Run was called: Remove may start helpers

// Run is called first by the program's main. In a helper it does the job
// and returns true: the program then exits at once, printing nothing.
// Otherwise it lets Remove start helpers from now on and returns false.
func Run() bool {
	v, ok := os.LookupEnv(envJob)
	if !ok {
		detach = canDetach
		return false
	}
	os.Unsetenv(envJob)
	var j job
	if json.Unmarshal([]byte(v), &j) == nil {
		ignoreSignals()
		// The trash entries stay locked (inherited descriptors) until
		// this process ends, so the next command leaves them to it.
		j.do()
	}
	return true
}

// Remove removes the trash entries trash (paths from [atomicfs.Dir.Trash])
// and then the folders in created, each only while empty (innermost
// first). With background set (the command was interrupted) and helpers
// allowed, a helper does it after Remove returns; should it fail to start,
// or without background, Remove does it itself.
func Remove(background bool, trash []string, created atomicfs.Created) {
	var j job
	for _, t := range trash {
		if abs, err := filepath.Abs(t); err == nil {
			j.Trash = append(j.Trash, abs)
		}
	}
	for _, c := range created {
		if abs, err := filepath.Abs(c); err == nil {
			j.Created = append(j.Created, abs)
		}
	}
	if len(j.Trash) == 0 && len(j.Created) == 0 {
		return
	}
	if background && detach && start(j) == nil {
		return
	}
	j.do()
}

func (j job) do() {
	for _, t := range j.Trash {
		if atomicfs.IsTrash(filepath.Base(t)) {
			os.RemoveAll(t)
		}
	}
	atomicfs.Created(j.Created).Remove()
}

// start starts a helper for j, handing it the trash entries locked.
func start(j job) error {
	var held []*os.File
	defer func() {
		for _, f := range held {
			f.Close()
		}
	}()
	for _, t := range j.Trash {
		if f := atomicfs.HoldTrash(t); f != nil {
			held = append(held, f)
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return spawn(envJob+"="+string(b), held)
}
