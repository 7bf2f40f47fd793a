// Command forkwait is the floor under any init written in Go: the Go
// runtime starts, forks and execs its arguments, waits, and exits with
// the child's status. Nothing else is linked in. The footprint section
// measures its start-up beside drainit's, to tell the runtime's share
// from drainit's own.
package main

import (
	"os"
	"os/exec"
	"syscall"
)

func main() {
	path, err := exec.LookPath(os.Args[1])
	if err != nil {
		os.Exit(127)
	}
	pid, err := syscall.ForkExec(path, os.Args[1:], &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}})
	if err != nil {
		os.Exit(126)
	}
	var status syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &status, 0, nil); err != nil {
		os.Exit(1)
	}
	os.Exit(status.ExitStatus())
}
