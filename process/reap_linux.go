//go:build linux

package process

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// maxBatch bounds one batch, so the drain loop gets its turn between
// batches even while a fork storm keeps making zombies.
const maxBatch = 256

// Reap is the only waiter for drainit's children. It sends every exit on
// exits, in batches, and closes exits when no child is left (ECHILD).
// Start it after the main child, or it finds nothing to wait for.
//
// It blocks in wait4 for the first exit instead of reacting to SIGCHLD, so
// it costs no CPU while idle, never misses a coalesced SIGCHLD, and learns
// of the last exit the moment it happens. Then it collects, without
// blocking, every other exit already waiting: one handoff to the drain loop
// for many zombies. Because drainit is PID 1 or a child subreaper, every
// orphaned descendant becomes its child, so "no child left" means "no
// descendant left".
func Reap(exits chan<- []Exit) {
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
		batch := make([]Exit, 1, 16)
		batch[0] = toExit(pid, status)
		for len(batch) < maxBatch {
			// 0: none has exited yet; an error (ECHILD) shows on the next
			// blocking call.
			pid, err = unix.Wait4(-1, &status, unix.WNOHANG, nil)
			if err != nil || pid <= 0 {
				break
			}
			batch = append(batch, toExit(pid, status))
		}
		exits <- batch
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
