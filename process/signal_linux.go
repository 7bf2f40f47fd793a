//go:build linux

package process

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Signal sends sig to the child, or to its process group when Group is
// set. A child that is already gone is not an error.
func (c *Child) Signal(sig syscall.Signal) error {
	target := c.PID
	if c.Group {
		target = -c.PID
	}
	return ignoreGone(unix.Kill(target, sig))
}

// SignalAll sends sig to everything drainit is responsible for and returns
// how many live processes that was. As PID 1 that is every other process
// in the namespace, with one kill(-1) that the kernel makes race-free
// against fork. Otherwise it is the given process groups (drainit's
// members') and every descendant found in /proc, rescanned until nothing
// new turns up, since a process may fork between a scan and its signal.
func SignalAll(sig syscall.Signal, groups []int) (int, error) {
	if !hasChildren() {
		return 0, nil // the usual end of a run, spared scanning /proc
	}
	self := os.Getpid()
	if self == 1 {
		n := len(Descendants(self))
		return n, ignoreGone(unix.Kill(-1, sig))
	}
	// Count before the group signals: a SIGKILLed member turns into a
	// zombie that a later scan would no longer see as live.
	sent := make(map[int]bool)
	for _, pid := range Descendants(self) {
		sent[pid] = false
	}
	var err error
	for _, pgid := range groups {
		if gerr := ignoreGone(unix.Kill(-pgid, sig)); gerr != nil && err == nil {
			err = gerr
		}
	}
	for range 10 {
		fresh, serr := signalUnsignalled(sent, sig)
		if serr != nil && err == nil {
			err = serr
		}
		if fresh == 0 {
			break
		}
		for _, pid := range Descendants(self) {
			if _, seen := sent[pid]; !seen {
				sent[pid] = false
			}
		}
	}
	return len(sent), err
}

// SignalGroup sends sig to process group pgid and says how many of
// drainit's live descendants are in it.
func SignalGroup(pgid int, sig syscall.Signal) (int, error) {
	if GroupGone(pgid) {
		return 0, nil
	}
	n := 0
	for _, pid := range Descendants(os.Getpid()) {
		if g, err := unix.Getpgid(pid); err == nil && g == pgid {
			n++
		}
	}
	return n, ignoreGone(unix.Kill(-pgid, sig))
}

// GroupGone reports whether process group pgid has no process left, not
// even a zombie: the kernel keeps a zombie in its group until it is
// reaped.
func GroupGone(pgid int) bool {
	return errors.Is(unix.Kill(-pgid, 0), unix.ESRCH)
}

// signalUnsignalled sends sig to every process in the set not yet
// signalled (false) and marks it, returning how many that was.
func signalUnsignalled(sent map[int]bool, sig syscall.Signal) (int, error) {
	var err error
	fresh := 0
	for pid, done := range sent {
		if done {
			continue
		}
		sent[pid] = true
		fresh++
		if serr := ignoreGone(unix.Kill(pid, sig)); serr != nil && err == nil {
			err = serr
		}
	}
	return fresh, err
}

// hasChildren reports whether drainit has a child left, live or zombie,
// without reaping it. As PID 1 or a subreaper, no child means no
// descendant at all: every orphan comes to drainit.
func hasChildren() bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return !errors.Is(err, unix.ECHILD)
}

func ignoreGone(err error) error {
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}
