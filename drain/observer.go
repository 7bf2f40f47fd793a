package drain

import (
	"syscall"

	"github.com/drainit/drainit/process"
)

// Observer is told of every step, for metrics. Its methods are called from
// the machine's goroutine and must not block.
type Observer interface {
	// PhaseChanged reports the new phase with the summary so far: when the
	// drain was triggered, when the stop signal went out, how long it all
	// took once done.
	PhaseChanged(p Phase, s Summary)
	SignalReceived(sig syscall.Signal)
	SignalForwarded(sig syscall.Signal)
	Reaped(main bool)
	MainExited(e process.Exit)
	Killed(n int)
}

type nopObserver struct{}

func (nopObserver) PhaseChanged(Phase, Summary)    {}
func (nopObserver) SignalReceived(syscall.Signal)  {}
func (nopObserver) SignalForwarded(syscall.Signal) {}
func (nopObserver) Reaped(bool)                    {}
func (nopObserver) MainExited(process.Exit)        {}
func (nopObserver) Killed(int)                     {}
