package drain

import (
	"syscall"

	"github.com/drainit/drainit/process"
)

// Observer is told of every step, for metrics. Its methods are called from
// the machine's goroutine and must not block. Processes are named as in
// Config.Members.
type Observer interface {
	// PhaseChanged reports the phase with the summary so far: when the
	// drain was triggered, when each stop signal went out, how long it
	// all took once done. It is also called within Stopping, as each
	// member gets its stop signal.
	PhaseChanged(p Phase, s Summary)
	SignalReceived(sig syscall.Signal)
	// SignalSent reports a signal sent to a member: forwarded, or its stop
	// signal and the SIGCONT after it.
	SignalSent(process string, sig syscall.Signal)
	// Reaped reports a reaped process: a member, or "" for any other.
	Reaped(process string)
	Exited(process string, e process.Exit)
	Killed(n int)
}

type nopObserver struct{}

func (nopObserver) PhaseChanged(Phase, Summary)       {}
func (nopObserver) SignalReceived(syscall.Signal)     {}
func (nopObserver) SignalSent(string, syscall.Signal) {}
func (nopObserver) Reaped(string)                     {}
func (nopObserver) Exited(string, process.Exit)       {}
func (nopObserver) Killed(int)                        {}
