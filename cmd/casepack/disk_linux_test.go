package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
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

// TestForceDiskFull fills the disk while build --force writes the new
// version of a package: the message must name the package, say the one
// already there is unchanged and say why --force needs the room (it named
// the earlier package's intact submission.pdf as if it were the file that
// failed), and the earlier package must still verify. The tmpfs is filled
// up to half a package of free space, whatever the sample's size.
func TestForceDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root on Linux")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	sample := filepath.Join("..", "..", "samples", "la-vega")
	args := []string{"casepack", "build", "--no-progress", "--date", "2021-02-18", "-o", dir, sample}
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr.String())
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	used := (st.Blocks - st.Bfree) * uint64(st.Bsize)
	free := st.Bavail * uint64(st.Bsize)
	if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, free-used/2), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	code := run(append(args[:2:2], append([]string{"--force"}, args[2:]...)...), &stdout, &stderr)
	if code != exitOperational {
		t.Errorf("exit %d, want %d", code, exitOperational)
	}
	pkg := filepath.Join(dir, "OCDH-2021-LV-001_confidential")
	msg := stderr.String()
	for _, want := range []string{
		"casepack: error: " + pkg + ": the new version could not be written (",
		": the disk is full); the package already there is unchanged\n",
		"casepack: hint: the disk is full: --force keeps the package already there until the new one is complete, so it needs room for both",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, pkg+string(filepath.Separator)) || strings.Contains(msg, ".tmp-") {
		t.Errorf("stderr names a file of the earlier package or a temporary name:\n%s", msg)
	}
	os.Remove(filepath.Join(dir, "filler"))
	stderr.Reset()
	if code := run([]string{"casepack", "verify", pkg}, &stdout, &stderr); code != exitOK {
		t.Errorf("the earlier package no longer verifies: exit %d\n%s", code, stderr.String())
	}
}
