package drain

import (
	"errors"
	"time"

	"github.com/drainit/drainit/process"
)

// ExitNotReady is drainit's status when a backend did not become ready
// within the start timeout, as GNU timeout(1) reports a timeout.
const ExitNotReady = 124

// Begin starts the members in order: each backend that must become ready
// is waited for (HandleReady) before the next one starts, and the main
// command starts last.
func (m *Machine) Begin(now time.Time) {
	m.setPhase(Starting)
	m.startFrom(0, now)
}

func (m *Machine) startFrom(i int, now time.Time) {
	for ; i < len(m.cfg.Members); i++ {
		pid, err := m.proc.Start(i)
		if err != nil {
			m.cannotStart(i, err, now)
			return
		}
		m.started = i + 1
		m.pids[pid] = i
		m.sum.Processes[i].PID = pid
		m.log.Debug("started", "process", m.name(i), "pid", pid)
		if i < m.main && m.cfg.Members[i].AwaitReady {
			m.proc.AwaitReady(i)
			m.startDue = now.Add(m.cfg.StartTimeout)
			m.wake = m.startDue
			return
		}
	}
	m.wake = time.Time{}
	m.setPhase(Running)
}

// HandleReady acts on a backend becoming ready.
func (m *Machine) HandleReady(i int, now time.Time) {
	if m.phase != Starting || i != m.started-1 {
		return // late news: the run has moved on
	}
	m.log.Info("ready", "process", m.name(i), "after", now.Sub(m.startDue.Add(-m.cfg.StartTimeout)).Round(time.Millisecond).String())
	m.startFrom(i+1, now)
}

// notReady ends a start whose backend never became ready: nothing is
// served yet, so what has started stops at once, and drainit exits
// ExitNotReady.
func (m *Machine) notReady(now time.Time) {
	i := m.started - 1
	m.sum.NotReady = m.name(i)
	m.log.Error("not ready in time; stopping what has started", "process", m.name(i), "start_timeout", m.cfg.StartTimeout.String())
	m.beginStop(now)
}

// cannotStart ends a run whose member i would not start; its error's code
// (126, 127) becomes drainit's status. When it was the first, nothing runs
// and the run is over at once: the caller reports StartErr on its own.
func (m *Machine) cannotStart(i int, err error, now time.Time) {
	m.sum.StartFailed, m.sum.StartErr = m.name(i), err
	m.startCode = process.ExitCannotExecute
	var se *process.StartError
	if errors.As(err, &se) {
		m.startCode = se.Code
	}
	if m.started == 0 {
		m.finish(now)
		return
	}
	m.log.Error("cannot start; stopping what has started", "process", m.name(i), "err", err)
	m.beginStop(now)
}
