package drain

import (
	"syscall"
	"time"

	"github.com/drainit/drainit/signals"
)

// endDelay ends the delay: the stop begins with the main command, whose
// in-flight requests are counted first.
func (m *Machine) endDelay(now time.Time, why string) {
	if m.cfg.InFlight != nil {
		m.sum.InFlight = m.cfg.InFlight()
	}
	m.sum.DelayWaited = now.Sub(m.sum.TriggeredAt)
	m.sum.DelayEndedBy = why
	m.beginStop(now)
}

// beginStop stops every started member in reverse start order: the main
// command first, then the last backend, then the one before it, each once
// the one before has gone with all it started. One --timeout bounds the
// whole stop.
func (m *Machine) beginStop(now time.Time) {
	m.endWatch()
	m.stopOrder = m.stopOrder[:0]
	for i := m.started - 1; i >= 0; i-- {
		m.stopOrder = append(m.stopOrder, i)
	}
	m.stopNext = 0
	m.setPhase(Stopping)
	m.wake = now.Add(m.cfg.Timeout)
	m.advance(now)
}

// advance sends the stop signal to the member whose turn it is, and moves
// on while the current one is gone. Once every member is, the stop signal
// goes to whatever no member's process group holds (a daemon that made a
// session of its own), and the run ends when the reaper finds nothing left.
//
// A member is gone once this machine has handled its leader's exit and
// its process group is empty. The group alone is not enough: the reaper
// may already have reaped a leader that exits within microseconds of its
// stop signal (an idle nginx), whose exit is still on its way here, and
// the next member's stop would then be sent, and logged, before that exit.
func (m *Machine) advance(now time.Time) {
	if m.phase != Stopping {
		return
	}
	for m.stopNext < len(m.stopOrder) {
		i := m.stopOrder[m.stopNext]
		if !m.stopped[i] {
			m.stopped[i] = true
			m.sendStop(i, now)
		}
		if !m.sum.Processes[i].Exited || !m.proc.GroupGone(i) {
			return
		}
		m.stopNext++
	}
	if !m.restSignaled {
		m.restSignaled = true
		n, err := m.proc.SignalAll(m.cfg.Members[m.main].StopSignal)
		switch {
		case err != nil:
			m.log.Error("stopping the processes no member owns failed", "left", n, "err", err)
		case n > 0:
			_, _ = m.proc.SignalAll(signals.SIGCONT)
			m.sum.Left += n
			m.log.Info("stopping the processes no member owns", "left", n)
		}
	}
}

// sendStop sends member i its stop signal, then SIGCONT, so that a process
// stopped by STOP or TSTP acts on it at once instead of waiting to be
// killed at the deadline (systemd does the same). A member whose leader
// has exited (it crashed, or it ended the run) still has its process
// group to stop: php-fpm workers whose master died, nginx workers whose
// master was killed.
func (m *Machine) sendStop(i int, now time.Time) {
	p := &m.sum.Processes[i]
	stop := m.cfg.Members[i].StopSignal
	if p.Exited {
		n, err := m.proc.SignalGroup(i, stop)
		if err == nil {
			_, err = m.proc.SignalGroup(i, signals.SIGCONT)
		}
		m.sum.Left += n
		switch {
		case err != nil:
			m.log.Error("stopping the processes it left failed", "process", p.Name, "left", n, "err", err)
		case n > 0:
			m.log.Info("stopping the processes it left", "process", p.Name, "left", n, "signal", signals.Name(stop))
		}
		return
	}
	p.StopSentAt = now
	for _, sig := range []syscall.Signal{stop, signals.SIGCONT} {
		if err := m.proc.Signal(i, sig); err != nil {
			m.log.Error("sending the stop signal failed", "process", p.Name, "signal", signals.Name(sig), "err", err)
			continue
		}
		m.obs.SignalSent(p.Name, sig)
	}
	attrs := []any{"process", p.Name, "signal", signals.Name(stop)}
	if i == m.main && m.sum.Triggered() {
		attrs = append(attrs, "waited", m.sum.DelayWaited.Round(time.Millisecond).String(),
			"timeout", m.cfg.Timeout.String(), inFlightAttr(m.sum.InFlight))
	}
	m.log.Info("stop signal sent", attrs...)
	m.obs.PhaseChanged(Stopping, m.sum) // the moment of each stop signal, for metrics
}

func (m *Machine) kill(now time.Time) {
	m.setPhase(Killing)
	n, err := m.proc.SignalAll(signals.SIGKILL)
	m.sum.Killed = n
	m.obs.Killed(n)
	m.wake = now.Add(KillWait)
	if err != nil {
		m.log.Error("deadline hit; SIGKILL failed", "timeout", m.cfg.Timeout.String(), "killed", n, "err", err)
		return
	}
	m.log.Warn("deadline hit; SIGKILL sent", "timeout", m.cfg.Timeout.String(), "killed", n)
}
