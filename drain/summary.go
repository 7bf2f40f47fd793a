package drain

import (
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
)

// Summary is the story of one drainit run, told when it exits.
type Summary struct {
	Triggered     bool           // a drain was triggered at all
	Trigger       syscall.Signal // the first trigger signal
	DelayWaited   time.Duration  // trigger → stop signal
	StopSentAt    time.Time      // zero if no stop signal went out
	MainExited    bool           // the main child was reaped
	Main          process.Exit   // how it ended
	MainExitAfter time.Duration  // stop signal → main child reaped
	OrphansWaited int            // other descendants reaped after the main child, during the drain
	Killed        int            // processes SIGKILLed at the deadline
	Duration      time.Duration  // trigger → done
	ExitCode      int            // drainit's own exit status
}

// Clean reports whether a triggered drain ended without killing anything.
func (s Summary) Clean() bool { return s.Triggered && s.Killed == 0 && !s.StopSentAt.IsZero() }
