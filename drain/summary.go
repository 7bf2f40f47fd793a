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
	Trigger       syscall.Signal // the first trigger signal; 0 if none came
	TriggeredAt   time.Time      // zero if no drain was triggered
	DelayWaited   time.Duration  // trigger → stop signal
	StopSentAt    time.Time      // zero if no stop signal went to the main child
	InFlight      map[string]int // requests in flight per upstream at the stop signal; nil without upstreams
	MainExited    bool           // the main child was reaped
	Main          process.Exit   // how it ended
	MainExitAfter time.Duration  // stop signal → main child reaped
	Left          int            // processes still running when the main child exited by itself
	OrphansWaited int            // other descendants reaped after the main child, while stopping
	Killed        int            // processes SIGKILLed at the deadline
	StopDuration  time.Duration  // stop signal → every process gone
	Duration      time.Duration  // trigger → done
	ExitCode      int            // drainit's own exit status
}

// Triggered reports whether a drain was triggered at all.
func (s Summary) Triggered() bool { return !s.TriggeredAt.IsZero() }

// Clean reports whether a drain went by the book: the stop signal went out,
// nothing had to be killed, and the child exited 0.
func (s Summary) Clean() bool {
	return s.Triggered() && !s.StopSentAt.IsZero() && s.Killed == 0 && s.ExitCode == 0
}

// Message is the summary line's message: "drain summary" after a drain,
// "exiting" when the child ended the run by itself.
func (s Summary) Message() string {
	if s.Triggered() {
		return "drain summary"
	}
	return "exiting"
}

// Level is Info for a clean drain or a run that needed no stopping, Warn
// for a drain that was not clean or for processes that had to be killed.
func (s Summary) Level() slog.Level {
	if (s.Triggered() && !s.Clean()) || s.Killed > 0 {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// Attrs is the summary as one log line's attributes, in the order an
// operator reads them: was it clean, what started it, how it went.
func (s Summary) Attrs() []slog.Attr {
	if !s.Triggered() {
		attrs := []slog.Attr{slog.Int("status", s.ExitCode)}
		if s.Left > 0 {
			attrs = append(attrs, slog.Int("left", s.Left), slog.Int("killed", s.Killed))
		}
		return attrs
	}
	attrs := []slog.Attr{
		slog.Bool("clean", s.Clean()),
		slog.String("trigger", signals.Name(s.Trigger)),
		slog.String("delay_waited", s.DelayWaited.Round(time.Millisecond).String()),
	}
	if s.StopSentAt.IsZero() {
		attrs = append(attrs, slog.String("stop_sent", "never: the child exited first"), slog.Int("left", s.Left))
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
