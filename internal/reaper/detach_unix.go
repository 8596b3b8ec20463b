//go:build unix

package reaper

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

const canDetach = true

// spawn starts this program again as a helper, in a session of its own
// (a second Ctrl-C at the terminal does not reach it), with no standard
// streams (whoever waits for the command's output does not wait for it)
// and the held trash entries as extra descriptors. It does not wait.
func spawn(env string, held []*os.File) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// Under the program's own name: a test binary standing in for the
	// program picks the command to run by it.
	cmd := exec.Command(exe)
	cmd.Args = []string{"casepack"}
	cmd.Env = append(os.Environ(), env)
	cmd.ExtraFiles = held
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

func ignoreSignals() { signal.Ignore(syscall.SIGINT, syscall.SIGHUP) }
