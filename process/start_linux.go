//go:build linux

package process

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Child is the main child: the command drainit was asked to run.
type Child struct {
	PID int
	// Group makes Signal address the child's whole process group.
	Group bool
}

// Start runs argv[0] with drainit's stdin, stdout, stderr, working
// directory and environment, in a new process group whose ID is its PID.
//
// The child starts with every signal at its default disposition: the Go
// runtime resets those drainit handles, which is every catchable one, and
// withInheritedIgnoresReset covers the rest. Its signal mask is the one
// drainit itself inherited, which the Go runtime restores in the child;
// container runtimes start PID 1 with an empty mask.
func Start(argv []string, group bool) (*Child, error) {
	path, err := lookPath(argv[0])
	if err != nil {
		return nil, err
	}
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	}
	if inForeground() {
		// Keep an interactive `docker run -it` usable: the child's new
		// group must own the terminal, or its reads stop it with SIGTTIN.
		attr.Sys.Foreground = true
		attr.Sys.Ctty = 0
	}
	var pid int
	err = withInheritedIgnoresReset(func() (err error) {
		pid, err = syscall.ForkExec(path, argv, attr)
		return err
	})
	if err != nil {
		return nil, execError(argv[0], err)
	}
	return &Child{PID: pid, Group: group}, nil
}

// lookPath resolves the command the way a shell does: through PATH unless
// it contains a slash, and "." in PATH is allowed, as it is in sh.
func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path, nil
	case errors.Is(err, exec.ErrDot):
		return path, nil
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
		return "", &StartError{Command: name, Code: ExitNotFound, Err: err}
	}
	return "", &StartError{Command: name, Code: ExitCannotExecute, Err: unwrapPathError(err)}
}

func execError(name string, err error) error {
	if errors.Is(err, syscall.ENOENT) {
		return &StartError{Command: name, Code: ExitNotFound, Err: err}
	}
	return &StartError{Command: name, Code: ExitCannotExecute, Err: err}
}

// unwrapPathError keeps the message short: "permission denied" rather than
// exec's "exec: \"x\": permission denied".
func unwrapPathError(err error) error {
	var execErr *exec.Error
	if errors.As(err, &execErr) {
		err = execErr.Err
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// inForeground reports whether stdin is drainit's controlling terminal and
// drainit's process group currently owns it.
func inForeground() bool {
	fg, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// Signal sends sig to the child, or to its process group when Group is
// set. A child that is already gone is not an error.
func (c *Child) Signal(sig syscall.Signal) error {
	target := c.PID
	if c.Group {
		target = -c.PID
	}
	return ignoreGone(unix.Kill(target, sig))
}

func ignoreGone(err error) error {
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}
