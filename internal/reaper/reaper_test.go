package reaper

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
)

// The test binary stands in for the program: a helper Remove starts is
// this binary again, which does its job here and exits.
func TestMain(m *testing.M) {
	if Run() {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// layout makes OUT/made/ (as a command would create it) holding a trash
// folder with a file in it, and a user's file beside it in OUT; it returns
// the trash path and the folders "created".
func layout(t *testing.T) (out, trash string, created atomicfs.Created) {
	out = t.TempDir()
	made := filepath.Join(out, "made")
	trash = filepath.Join(made, ".PKG.trash-0123456789ab")
	if err := os.MkdirAll(filepath.Join(trash, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(trash, "data", "x.bin"), make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	return out, trash, atomicfs.Created{made}
}

func TestRemove(t *testing.T) {
	for _, background := range []bool{false, true} {
		t.Run(map[bool]string{false: "in process", true: "helper"}[background], func(t *testing.T) {
			out, trash, created := layout(t)
			Remove(background, []string{trash}, created)
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := os.Lstat(created[0]); os.IsNotExist(err) {
					break
				}
				if !background || time.Now().After(deadline) {
					t.Fatalf("%s still there after Remove", created[0])
				}
				time.Sleep(20 * time.Millisecond)
			}
			if _, err := os.Stat(filepath.Join(out, "notes.txt")); err != nil {
				t.Errorf("a file beside the created folder went too: %v", err)
			}
		})
	}
}

// Only trash entries are removed, whatever a job names, and a created
// folder only while empty.
func TestRemoveOnlyTrash(t *testing.T) {
	out, _, created := layout(t)
	notTrash := filepath.Join(out, "notes.txt")
	Remove(false, []string{notTrash, filepath.Join(out, ".PKG.tmp-0123456789ab")}, created)
	if _, err := os.Stat(notTrash); err != nil {
		t.Errorf("a file that is not trash was removed: %v", err)
	}
	if _, err := os.Stat(created[0]); err != nil {
		t.Errorf("a created folder that still holds trash was removed: %v", err)
	}
}
