package signals

import (
	"fmt"
	"syscall"
)

// Triggers are the signals that start a drain. TERM is Kubernetes' and
// Docker's default; QUIT is what images FROM nginx and php:fpm deliver
// through their inherited STOPSIGNAL; INT is Ctrl-C.
var Triggers = []syscall.Signal{SIGTERM, SIGQUIT, SIGINT}

// NeverForwarded are caught but never passed to the child:
//   - SIGCHLD reports drainit's own children; the reaper handles it.
//   - SIGURG is the Go runtime's own goroutine-preemption signal.
//   - SIGTTIN and SIGTTOU are job control aimed at drainit's terminal
//     group; forwarding them would stop the child.
//   - SIGPIPE is the kernel's report that drainit's own stdout or stderr
//     closed; it says nothing to the child.
//   - SIGCANCEL (32) is glibc's thread cancellation; a glibc program drops
//     one that another process sends. drainit catches it only so that it
//     cannot be killed by it.
var NeverForwarded = []syscall.Signal{SIGCHLD, SIGURG, SIGTTIN, SIGTTOU, SIGPIPE, SIGCANCEL}

// Catchable reports whether drainit can receive sig at all. KILL and STOP
// never reach a handler, the Go runtime keeps PROF for its profiler, and
// SIGSETXID (33) for its own per-thread system calls: it drops any other.
// 32 and 34, which the Go runtime leaves alone, drainit catches with a
// handler of its own (package catch).
func Catchable(sig syscall.Signal) bool {
	switch sig {
	case SIGKILL, SIGSTOP, SIGPROF, SIGSETXID:
		return false
	}
	return sig >= 1 && sig <= maxSignal
}

// Caught lists every signal drainit installs a handler for: every
// catchable one but URG, which the Go runtime sends itself many times a
// second, and CHLD, which the reaper learns of through wait4. Catching even
// those it never forwards matters: a namespace's PID 1 with no handler
// silently loses them, and elsewhere the default action of most is to
// terminate.
func Caught() []syscall.Signal {
	var all []syscall.Signal
	for sig := syscall.Signal(1); sig <= maxSignal; sig++ {
		if Catchable(sig) && sig != SIGURG && sig != SIGCHLD {
			all = append(all, sig)
		}
	}
	return all
}

// CheckSendable refuses a signal that drainit may not send to the child
// as its stop signal or a rewrite's target: glibc's own 32 and 33, which a
// glibc program drops and a Go program dies of.
func CheckSendable(sig syscall.Signal) error {
	if sig == SIGCANCEL || sig == SIGSETXID {
		return fmt.Errorf("%s is reserved by the C library: a program never acts on it", Name(sig))
	}
	return nil
}
