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
	Trigger     syscall.Signal // the first trigger signal; 0 if none came
	TriggeredAt time.Time      // zero if no drain was triggered
	DelayWaited time.Duration  // trigger → the main command's stop signal
	// DelayEndedBy says why the delay ended (EndedByQuiet and the rest);
	// empty when there was none.
	DelayEndedBy  string
	QuietWatched  bool             // --quiet watched the upstreams' traffic during the delay
	DelayRequests int              // requests the upstreams received during the delay, with --quiet
	InFlight      map[string]int   // requests in flight per upstream at that signal; nil without upstreams
	Processes     []ProcessSummary // the members in start order, the main command last
	EndedBy       string           // the member whose own exit ended the run, if one did
	NotReady      string           // the backend that did not become ready in time, if one did not
	StartFailed   string           // the member that would not start, if one would not
	StartErr      error            // why it would not
	// Left counts processes still running in a member's process group
	// after that member had exited by itself, or outside every group at
	// the end: each got the stop signal.
	Left          int
	OrphansWaited int           // other processes reaped after the main command, while stopping
	Killed        int           // processes SIGKILLed at the deadline
	StopDuration  time.Duration // the main command's stop signal → every process gone
	Duration      time.Duration // trigger → done
	ExitCode      int           // drainit's own exit status
}

// NothingStarted reports a run that ended before any member started:
// StartErr says why.
func (s Summary) NothingStarted() bool { return len(s.Processes) > 0 && s.Processes[0].PID == 0 }

// ProcessSummary is one member's part.
type ProcessSummary struct {
	Name       string
	PID        int           // 0 if it never started
	Exited     bool          // reaped
	Exit       process.Exit  // how it ended
	StopSentAt time.Time     // zero if no stop signal went to it
	ExitAfter  time.Duration // its stop signal → its exit
}

// Main is the main command's part.
func (s Summary) Main() ProcessSummary {
	if len(s.Processes) == 0 {
		return ProcessSummary{}
	}
	return s.Processes[len(s.Processes)-1]
}

// Triggered reports whether a drain was triggered at all.
func (s Summary) Triggered() bool { return !s.TriggeredAt.IsZero() }

// Clean reports whether a drain went by the book: the main command got its
// stop signal, nothing had to be killed, and every member exited 0.
func (s Summary) Clean() bool {
	if !s.Triggered() || s.Main().StopSentAt.IsZero() || s.Killed != 0 || s.ExitCode != 0 {
		return false
	}
	for _, p := range s.Processes {
		if p.Exited && p.Exit.Status() != 0 {
			return false
		}
	}
	return true
}

// Message is the summary line's message: "drain summary" after a drain,
// "exiting" when a process ended the run by itself or none could start.
func (s Summary) Message() string {
	if s.Triggered() {
		return "drain summary"
	}
	return "exiting"
}

// Level is Info for a clean drain or a run that needed no stopping, Warn
// for a drain that was not clean, a start that failed, or processes that
// had to be killed.
func (s Summary) Level() slog.Level {
	if (s.Triggered() && !s.Clean()) || s.Killed > 0 || s.NotReady != "" || s.StartFailed != "" {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// Attrs is the summary as one log line's attributes, in the order an
// operator reads them: was it clean, what started it, how it went, and,
// with backends, each process's part.
func (s Summary) Attrs() []slog.Attr {
	var attrs []slog.Attr
	if !s.Triggered() {
		attrs = append(attrs, slog.Int("status", s.ExitCode))
		attrs = append(attrs, s.whyAttrs()...)
		if s.Left > 0 || len(s.Processes) > 1 {
			attrs = append(attrs, slog.Int("left", s.Left), slog.Int("killed", s.Killed))
		}
		return append(attrs, s.processAttrs()...)
	}
	main := s.Main()
	attrs = append(attrs,
		slog.Bool("clean", s.Clean()),
		slog.String("trigger", signals.Name(s.Trigger)),
		slog.String("delay_waited", s.DelayWaited.Round(time.Millisecond).String()),
	)
	if s.DelayEndedBy != "" {
		attrs = append(attrs, slog.String("delay_ended_by", s.DelayEndedBy))
	}
	if s.QuietWatched {
		attrs = append(attrs, slog.Int("delay_requests", s.DelayRequests))
	}
	if main.StopSentAt.IsZero() {
		attrs = append(attrs, slog.String("stop_sent", "never: the child exited first"), slog.Int("left", s.Left))
	} else {
		attrs = append(attrs, slog.String("stop_sent", main.StopSentAt.UTC().Format(time.RFC3339Nano)))
		if s.InFlight != nil {
			attrs = append(attrs, inFlightAttr(s.InFlight))
		}
		if main.Exited {
			attrs = append(attrs, slog.String("child_exit_after", main.ExitAfter.Round(time.Millisecond).String()))
		}
	}
	attrs = append(attrs, s.whyAttrs()...)
	attrs = append(attrs,
		slog.Int("orphans_waited", s.OrphansWaited),
		slog.Int("killed", s.Killed),
		slog.String("duration", s.Duration.Round(time.Millisecond).String()),
		slog.Int("exit_status", s.ExitCode),
	)
	return append(attrs, s.processAttrs()...)
}

// whyAttrs names the member that ended the run or kept it from starting.
func (s Summary) whyAttrs() []slog.Attr {
	var attrs []slog.Attr
	if s.EndedBy != "" && len(s.Processes) > 1 {
		attrs = append(attrs, slog.String("ended_by", s.EndedBy))
	}
	if s.NotReady != "" {
		attrs = append(attrs, slog.String("not_ready", s.NotReady))
	}
	if s.StartFailed != "" {
		attrs = append(attrs, slog.String("start_failed", s.StartFailed))
	}
	return attrs
}

// processAttrs gives each member's status and stop time, when there is
// more than the main command: nginx.status=0 nginx.exit_after=1.2s.
func (s Summary) processAttrs() []slog.Attr {
	if len(s.Processes) < 2 {
		return nil
	}
	var attrs []slog.Attr
	for _, p := range s.Processes {
		var group []any
		switch {
		case p.PID == 0:
			group = append(group, slog.String("status", "never started"))
		case !p.Exited:
			group = append(group, slog.String("status", "not reaped"))
		default:
			group = append(group, slog.Int("status", p.Exit.Status()))
			if !p.StopSentAt.IsZero() {
				group = append(group, slog.String("exit_after", p.ExitAfter.Round(time.Millisecond).String()))
			}
		}
		attrs = append(attrs, slog.Group(p.Name, group...))
	}
	return attrs
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
