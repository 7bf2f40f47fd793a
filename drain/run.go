package drain

import (
	"os"
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
)

// Inputs are the events the machine acts on.
type Inputs struct {
	Signals <-chan os.Signal      // every caught signal
	Exits   <-chan []process.Exit // reaped processes in batches; closed when none is left
	Ready   <-chan int            // members that became ready (Process.AwaitReady)
	Traffic <-chan TrafficSample  // upstream readings during the delay (Config.WatchTraffic)
}

// Run begins the machine and feeds it until it is done, then returns its
// summary. It sleeps in one select between events: it never polls.
func Run(m *Machine, in Inputs) Summary {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	exits := in.Exits
	m.Begin(time.Now())
	for !m.Done() {
		var wake <-chan time.Time
		if at, ok := m.Wake(); ok {
			timer.Reset(time.Until(at))
			wake = timer.C
		}
		select {
		case sig := <-in.Signals:
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
		case i := <-in.Ready:
			m.HandleReady(i, time.Now())
		case sample := <-in.Traffic:
			m.HandleTraffic(sample, time.Now())
		case now := <-wake:
			m.HandleWake(now)
		}
	}
	timer.Stop()
	return m.Summary()
}
