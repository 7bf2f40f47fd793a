package drain

import (
	"log/slog"
	"maps"
	"slices"
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// Summary is the story of one drainit run, told when it exits.
type Summary struct {
	Triggered     bool           // a drain was triggered at all
	Trigger       syscall.Signal // the first trigger signal
	DelayWaited   time.Duration  // trigger → stop signal
	StopSentAt    time.Time      // zero if no stop signal went out
	InFlight      map[string]int // requests in flight per upstream at the stop signal; nil without upstreams
	MainExited    bool           // the main child was reaped
	Main          process.Exit   // how it ended
	MainExitAfter time.Duration  // stop signal → main child reaped
	OrphansWaited int            // other descendants reaped after the main child, during the drain
	Killed        int            // processes SIGKILLed at the deadline
	Duration      time.Duration  // trigger → done
	ExitCode      int            // drainit's own exit status
}

// Clean reports whether a drain went by the book: the stop signal went out,
// nothing had to be killed, and the child exited 0.
func (s Summary) Clean() bool {
	return s.Triggered && !s.StopSentAt.IsZero() && s.Killed == 0 && s.ExitCode == 0
}

// Attrs is the summary as one log line's attributes, in the order an
// operator reads them: was it clean, what started it, how it went.
func (s Summary) Attrs() []slog.Attr {
	attrs := []slog.Attr{
		slog.Bool("clean", s.Clean()),
		slog.String("trigger", signals.Name(s.Trigger)),
		slog.String("delay_waited", s.DelayWaited.Round(time.Millisecond).String()),
	}
	if s.StopSentAt.IsZero() {
		attrs = append(attrs, slog.String("stop_sent", "never: the child exited first"))
	} else {
		attrs = append(attrs, slog.String("stop_sent", s.StopSentAt.UTC().Format(time.RFC3339Nano)))
		if s.InFlight != nil {
			attrs = append(attrs, inFlightAttr(s.InFlight))
		}
		if s.MainExited {
			attrs = append(attrs, slog.String("child_exit_after", s.MainExitAfter.Round(time.Millisecond).String()))
		}
	}
	return append(attrs,
		slog.Int("orphans_waited", s.OrphansWaited),
		slog.Int("killed", s.Killed),
		slog.String("duration", s.Duration.Round(time.Millisecond).String()),
		slog.Int("exit_status", s.ExitCode),
	)
}

// inFlightAttr groups per-upstream counts, sorted so the line is stable:
// in_flight.nginx=3 in text, "in_flight":{"nginx":3} in JSON.
func inFlightAttr(inFlight map[string]int) slog.Attr {
	var attrs []any
	for _, k := range slices.Sorted(maps.Keys(inFlight)) {
		attrs = append(attrs, slog.Int(k, inFlight[k]))
	}
	return slog.Group("in_flight", attrs...)
}
