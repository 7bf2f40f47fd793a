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
	m.obs.Reaped(e.PID == m.cfg.MainPID)
	if e.PID != m.cfg.MainPID {
		if m.log.Enabled(context.Background(), slog.LevelDebug) { // spares a fork storm the boxing
			m.log.Debug("reaped", "pid", e.PID, "status", e.Status())
		}
		// Waited for, not killed: only the stopping phase counts.
		if m.sum.MainExited && m.phase == Stopping {
			m.sum.OrphansWaited++
		}
		return
	}
	m.sum.MainExited = true
	m.sum.Main = e
	m.obs.MainExited(e)
	switch m.phase {
	case Running, Delaying:
		// A crash, or an exit during the delay: nothing is left to drain
		// for, so no delay; only what the child left must still end well.
		m.log.Info("child exited", "pid", e.PID, "status", e.Status(), "phase", m.phase.String())
		m.stopLeftovers(now)
	default:
		if !m.sum.StopSentAt.IsZero() {
			m.sum.MainExitAfter = now.Sub(m.sum.StopSentAt)
		}
		m.log.Info("child exited", "pid", e.PID, "status", e.Status(),
			"after_stop", m.sum.MainExitAfter.Round(time.Millisecond).String())
	}
}

// HandleAllGone acts on the reaper finding no child left.
func (m *Machine) HandleAllGone(now time.Time) {
	if m.phase == Done {
		return
	}
	switch {
	case !m.sum.StopSentAt.IsZero():
		m.log.Info("all processes exited", "after_stop", now.Sub(m.sum.StopSentAt).Round(time.Millisecond).String())
	case m.sum.Left > 0:
		m.log.Info("all processes exited")
	}
	m.finish(now)
}

func (m *Machine) finish(now time.Time) {
	m.wake = time.Time{}
	m.sum.ExitCode = m.exitCode()
	if m.sum.Triggered() {
		m.sum.Duration = now.Sub(m.sum.TriggeredAt)
	}
	if !m.sum.StopSentAt.IsZero() {
		m.sum.StopDuration = now.Sub(m.sum.StopSentAt)
	}
	m.setPhase(Done)
}

// exitCode passes the main child's status through. Only when drainit gives
// up on a child that outlived SIGKILL is there none: it reports 137, as if
// the kill had landed.
func (m *Machine) exitCode() int {
	if m.sum.MainExited {
		return m.sum.Main.Status()
	}
	return 128 + int(signals.SIGKILL)
}
