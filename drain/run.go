package drain

import (
	"os"
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
)

// Run feeds the machine until it is done and returns its summary. sigs
// carries every caught signal; exits carries every reaped process, in
// batches, and is closed when none is left. Run sleeps in one select
// between events: it never polls.
func Run(m *Machine, sigs <-chan os.Signal, exits <-chan []process.Exit) Summary {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for !m.Done() {
		var wake <-chan time.Time
		if at, ok := m.Wake(); ok {
			timer.Reset(time.Until(at))
			wake = timer.C
		}
		select {
		case sig := <-sigs:
			if s, ok := sig.(syscall.Signal); ok {
				m.HandleSignal(s, time.Now())
			}
		case batch, ok := <-exits:
			if !ok {
				exits = nil // a nil channel blocks forever: never read again
				m.HandleAllGone(time.Now())
				continue
			}
			now := time.Now()
			for _, e := range batch {
				m.HandleExit(e, now)
			}
		case now := <-wake:
			m.HandleWake(now)
		}
	}
	timer.Stop()
	return m.Summary()
}
