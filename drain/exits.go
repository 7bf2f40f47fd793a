package drain

import (
	"context"
	"log/slog"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// HandleExit acts on one reaped process.
func (m *Machine) HandleExit(e process.Exit, now time.Time) {
	i, member := m.pids[e.PID]
	if !member {
		m.obs.Reaped("")
		if m.log.Enabled(context.Background(), slog.LevelDebug) { // spares a fork storm the boxing
			m.log.Debug("reaped", "pid", e.PID, "status", e.Status())
		}
		// Waited for, not killed: only the stopping phase counts.
		if m.phase == Stopping && m.sum.Main().Exited {
			m.sum.OrphansWaited++
		}
		m.advance(now)
		return
	}
	p := &m.sum.Processes[i]
	p.Exited, p.Exit = true, e
	m.obs.Reaped(p.Name)
	m.obs.Exited(p.Name, e)
	switch m.phase {
	case Starting, Running, Delaying:
		// A crash, or an exit during the delay: nothing is left to delay
		// for. The others stop, in the usual order, and this status ends
		// the run.
		m.sum.EndedBy = p.Name
		if m.phase == Delaying {
			m.sum.DelayEndedBy = EndedByExit
		}
		m.log.Info("process exited by itself; stopping the others", "process", p.Name, "pid", e.PID,
			"status", e.Status(), "phase", m.phase.String())
		m.beginStop(now)
	default:
		attrs := []any{"process", p.Name, "pid", e.PID, "status", e.Status()}
		if !p.StopSentAt.IsZero() {
			p.ExitAfter = now.Sub(p.StopSentAt)
			attrs = append(attrs, "after_stop", p.ExitAfter.Round(time.Millisecond).String())
		}
		m.log.Info("process exited", attrs...)
		m.advance(now)
	}
}

// HandleAllGone acts on the reaper finding no child left.
func (m *Machine) HandleAllGone(now time.Time) {
	if m.phase == Done {
		return
	}
	attrs := []any{}
	if at := m.sum.Main().StopSentAt; !at.IsZero() {
		attrs = append(attrs, "after_stop", now.Sub(at).Round(time.Millisecond).String())
	}
	m.log.Info("all processes exited", attrs...)
	m.finish(now)
}

func (m *Machine) finish(now time.Time) {
	m.wake = time.Time{}
	m.sum.ExitCode = m.exitCode()
	if m.sum.Triggered() {
		m.sum.Duration = now.Sub(m.sum.TriggeredAt)
	}
	if at := m.sum.Main().StopSentAt; !at.IsZero() {
		m.sum.StopDuration = now.Sub(at)
	}
	m.setPhase(Done)
}

// exitCode is the status of the process that ended the run by exiting, or
// else the main command's. With neither: a start that failed gives its
// code (126, 127, or ExitNotReady); a stop before the main command started
// gives the first non-zero status of the backends, or 0; a main command
// that outlived SIGKILL gives 137, as if the kill had landed.
func (m *Machine) exitCode() int {
	for _, p := range m.sum.Processes {
		if p.Name == m.sum.EndedBy && p.Exited {
			return p.Exit.Status()
		}
	}
	if main := m.sum.Main(); main.Exited {
		return main.Exit.Status()
	}
	switch {
	case m.sum.StartFailed != "":
		return m.startCode
	case m.sum.NotReady != "":
		return ExitNotReady
	case m.started <= m.main:
		for _, p := range m.sum.Processes[:m.started] {
			if p.Exited && p.Exit.Status() != 0 {
				return p.Exit.Status()
			}
		}
		return 0
	}
	return 128 + int(signals.SIGKILL)
}
