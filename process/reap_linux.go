//go:build linux

package process

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Reap is the only waiter for drainit's children. It waits for any child,
// sends each exit on exits, and closes exits when no child is left
// (ECHILD). Start it after the main child, or it finds nothing to wait for.
//
// It blocks in wait4 instead of reacting to SIGCHLD, so it costs no CPU
// while idle, never misses a coalesced SIGCHLD, and learns of the last
// exit the moment it happens. Because drainit is PID 1 or a child
// subreaper, every orphaned descendant becomes its child: "no child left"
// therefore means "no descendant left".
func Reap(exits chan<- Exit) {
	defer close(exits)
	for {
		var status unix.WaitStatus
		pid, err := unix.Wait4(-1, &status, 0, nil)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil: // ECHILD: nothing left to wait for
			return
		}
		exits <- toExit(pid, status)
	}
}

func toExit(pid int, status unix.WaitStatus) Exit {
	if status.Signaled() {
		return Exit{PID: pid, Signal: status.Signal()}
	}
	return Exit{PID: pid, Code: status.ExitStatus()}
}

// IsPID1 reports whether drainit is the init of its PID namespace.
func IsPID1() bool { return os.Getpid() == 1 }

// BecomeSubreaper makes orphaned descendants re-parent to drainit instead
// of to the namespace's init, so that drainit can reap and wait for them.
func BecomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}
