package drain

import (
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
)

// Observer is told of every step, for metrics. Its methods are called from
// the machine's goroutine and must not block.
type Observer interface {
	PhaseChanged(p Phase, at time.Time)
	SignalReceived(sig syscall.Signal)
	SignalForwarded(sig syscall.Signal)
	StopSignalSent(at time.Time)
	Reaped(main bool)
	MainExited(e process.Exit)
	Killed(n int)
}

type nopObserver struct{}

func (nopObserver) PhaseChanged(Phase, time.Time)  {}
func (nopObserver) SignalReceived(syscall.Signal)  {}
func (nopObserver) SignalForwarded(syscall.Signal) {}
func (nopObserver) StopSignalSent(time.Time)       {}
func (nopObserver) Reaped(bool)                    {}
func (nopObserver) MainExited(process.Exit)        {}
func (nopObserver) Killed(int)                     {}
