//go:build linux

package process

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Lookup finds the command a shell would run for name: through PATH unless
// it contains a slash. A failure is a StartError (127 or 126), so that
// every command can be checked before any starts.
func Lookup(name string) (string, error) { return lookPath(name) }

// Start runs the program at path (from Lookup) as argv, with drainit's
// stdin, stdout, stderr, working directory and environment, in a new
// process group whose ID is its PID.
//
// The child starts with every signal at its default disposition and none
// blocked, whatever drainit inherited. Dispositions: drainit has a handler
// for every catchable signal (package catch), and execve resets handlers
// to the default; nothing is left at SIG_IGN to be inherited. The mask: the
// Go runtime gives the child the forking thread's mask, which mixes what
// drainit inherited with what the runtime unblocked, so the fork runs on a
// thread whose mask is emptied for the occasion.
func Start(path string, argv []string, group bool) (*Child, error) {
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
	pid, err := forkWithEmptyMask(path, argv, attr)
	if err != nil {
		return nil, execError(argv[0], err)
	}
	return &Child{PID: pid, Group: group}, nil
}

// forkWithEmptyMask runs ForkExec on a thread of its own whose signal mask
// is empty, since the runtime hands that thread's mask to the child. Every
// signal drainit catches is handled, so unblocking them on one thread
// changes nothing for drainit.
func forkWithEmptyMask(path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var empty, old unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &empty, &old); err != nil {
		return 0, err
	}
	defer func() { _ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil) }()
	return syscall.ForkExec(path, argv, attr)
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
