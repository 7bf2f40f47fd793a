//go:build linux

package process

import (
	"os"

	"golang.org/x/sys/unix"
)

// KillAll SIGKILLs everything drainit is responsible for and returns how
// many live processes that was. As PID 1 that is every other process in
// the namespace, with one kill(-1) that the kernel makes race-free against
// fork. Otherwise it is the child's process group and every descendant
// found in /proc, rescanned until nothing new turns up, since a process
// may fork between a scan and its kill.
func (c *Child) KillAll() (int, error) {
	self := os.Getpid()
	if self == 1 {
		n := len(Descendants(self))
		return n, ignoreGone(unix.Kill(-1, unix.SIGKILL))
	}
	// Count before the group kill, which turns its members into zombies
	// that a later scan would no longer see as live.
	killed := make(map[int]bool)
	for _, pid := range Descendants(self) {
		killed[pid] = false
	}
	err := ignoreGone(unix.Kill(-c.PID, unix.SIGKILL))
	for range 10 {
		fresh, kerr := killUnkilled(killed)
		if kerr != nil && err == nil {
			err = kerr
		}
		if fresh == 0 {
			break
		}
		for _, pid := range Descendants(self) {
			if _, seen := killed[pid]; !seen {
				killed[pid] = false
			}
		}
	}
	return len(killed), err
}

// killUnkilled SIGKILLs every process in the set not yet killed (false)
// and marks it, returning how many that was.
func killUnkilled(killed map[int]bool) (int, error) {
	var err error
	fresh := 0
	for pid, done := range killed {
		if done {
			continue
		}
		killed[pid] = true
		fresh++
		if kerr := ignoreGone(unix.Kill(pid, unix.SIGKILL)); kerr != nil && err == nil {
			err = kerr
		}
	}
	return fresh, err
}
