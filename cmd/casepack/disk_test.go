package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBuildDiskFull runs a build into a 300 KiB tmpfs: the user gets exit 1,
// a message that says the disk is full (not Go's words, not the hidden
// temporary folder), a hint, and an empty output folder. It needs root to
// mount; elsewhere it skips.
func TestBuildDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root on Linux")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	var stdout, stderr bytes.Buffer
	code := run([]string{"casepack", "build", "--date", "2021-02-18", "-o", dir, filepath.Join("..", "..", "samples", "la-vega")}, &stdout, &stderr)
	if code != exitOperational {
		t.Errorf("exit %d, want %d", code, exitOperational)
	}
	msg := stderr.String()
	for _, want := range []string{"casepack: error: ", "the disk is full", "casepack: hint: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	for _, jargon := range []string{"no space left on device", ".tmp-", "packager:"} {
		if strings.Contains(msg, jargon) {
			t.Errorf("stderr shows %q:\n%s", jargon, msg)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
