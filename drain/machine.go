package drain

import (
	"context"
	"log/slog"
	"syscall"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// KillWait bounds how long drainit waits for SIGKILLed processes to be
// reaped. Only a process stuck in the kernel (state D) outlives it.
const KillWait = 5 * time.Second

// Config is the drain's behaviour, as set by flags.
type Config struct {
	Delay      time.Duration  // trigger → stop signal
	Timeout    time.Duration  // stop signal → SIGKILL
	StopSignal syscall.Signal // what begins the child's graceful shutdown
	Routes     *signals.Table // what each received signal does
	MainPID    int            // the main child
	Log        *slog.Logger   // drain steps at Info, forwarding and reaping at Debug
	Observer   Observer       // optional: metrics
	// InFlight, if set, counts the requests each upstream is serving. It
	// is called just before the stop signal, which closes the status pages.
	InFlight func() map[string]int
}

// Process is what the machine does to the world.
type Process interface {
	// Signal sends sig to the child, or to its group. A child that is
	// already gone is not an error.
	Signal(sig syscall.Signal) error
	// KillAll SIGKILLs every process left and says how many there were.
	KillAll() (int, error)
}

// Machine is the drain's state. Its methods are called from one goroutine.
type Machine struct {
	cfg  Config
	proc Process
	obs  Observer
	log  *slog.Logger

	phase Phase
	wake  time.Time // when HandleWake is due next; zero if never

	triggeredAt time.Time
	stopSentAt  time.Time
	sum         Summary
}

// New returns a machine in the running phase.
func New(cfg Config, proc Process) *Machine {
	m := &Machine{cfg: cfg, proc: proc, obs: cfg.Observer, log: cfg.Log}
	if m.obs == nil {
		m.obs = nopObserver{}
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m
}

// Phase is the current phase.
func (m *Machine) Phase() Phase { return m.phase }

// Done reports whether drainit should exit now.
func (m *Machine) Done() bool { return m.phase == Done }

// Summary describes what happened; complete once Done.
func (m *Machine) Summary() Summary { return m.sum }

// Wake reports when HandleWake must next be called, if ever.
func (m *Machine) Wake() (time.Time, bool) { return m.wake, !m.wake.IsZero() }

// HandleSignal acts on one signal drainit received.
func (m *Machine) HandleSignal(sig syscall.Signal, now time.Time) {
	m.obs.SignalReceived(sig)
	out, action := m.cfg.Routes.Route(sig)
	switch action {
	case signals.Ignore, signals.Drop:
		m.log.Debug("signal not forwarded", "signal", signals.Name(sig), "reason", action.String())
	case signals.Forward:
		m.forward(sig, out)
	case signals.Drain:
		m.trigger(sig, now)
	}
}

func (m *Machine) forward(received, sig syscall.Signal) {
	if m.phase == Killing || m.phase == Done {
		m.log.Debug("signal not forwarded", "signal", signals.Name(received), "reason", "processes are being killed")
		return
	}
	if err := m.proc.Signal(sig); err != nil {
		m.log.Warn("forwarding failed", "signal", signals.Name(sig), "err", err)
		return
	}
	m.obs.SignalForwarded(sig)
	m.log.Debug("signal forwarded", "received", signals.Name(received), "sent", signals.Name(sig))
}

func (m *Machine) trigger(sig syscall.Signal, now time.Time) {
	switch m.phase {
	case Running:
		m.triggeredAt = now
		m.sum.Trigger = sig
		m.sum.Triggered = true
		m.setPhase(Delaying, now)
		m.log.Info("drain triggered", "signal", signals.Name(sig), "delay", m.cfg.Delay.String())
		if m.cfg.Delay <= 0 {
			m.sendStop(now)
			return
		}
		m.wake = now.Add(m.cfg.Delay)
	case Delaying:
		m.log.Info("second trigger, skipping the rest of the delay", "signal", signals.Name(sig),
			"skipped", m.wake.Sub(now).Round(time.Millisecond).String())
		m.sendStop(now)
	default:
		m.log.Debug("drain already under way", "signal", signals.Name(sig), "phase", m.phase.String())
	}
}

func (m *Machine) sendStop(now time.Time) {
	if m.cfg.InFlight != nil {
		m.sum.InFlight = m.cfg.InFlight()
	}
	m.sum.DelayWaited = now.Sub(m.triggeredAt)
	m.stopSentAt = now
	m.sum.StopSentAt = now
	m.obs.StopSignalSent(now)
	if err := m.proc.Signal(m.cfg.StopSignal); err != nil {
		m.log.Error("sending the stop signal failed", "signal", signals.Name(m.cfg.StopSignal), "err", err)
	} else {
		m.obs.SignalForwarded(m.cfg.StopSignal)
	}
	m.setPhase(Stopping, now)
	m.wake = now.Add(m.cfg.Timeout)
	m.log.Info("stop signal sent", "signal", signals.Name(m.cfg.StopSignal),
		"waited", m.sum.DelayWaited.Round(time.Millisecond).String(), "timeout", m.cfg.Timeout.String(),
		inFlightAttr(m.sum.InFlight))
}

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
		// Crash, or an exit during the delay: nothing is left to drain for.
		m.log.Info("child exited", "pid", e.PID, "status", e.Status(), "phase", m.phase.String())
		m.finish(now)
	default:
		m.sum.MainExitAfter = now.Sub(m.stopSentAt)
		m.log.Info("child exited", "pid", e.PID, "status", e.Status(),
			"after_stop", m.sum.MainExitAfter.Round(time.Millisecond).String())
	}
}

// HandleAllGone acts on the reaper finding no child left.
func (m *Machine) HandleAllGone(now time.Time) {
	if m.phase == Done {
		return
	}
	if m.phase == Stopping || m.phase == Killing {
		m.log.Info("all processes exited", "after_stop", now.Sub(m.stopSentAt).Round(time.Millisecond).String())
	}
	m.finish(now)
}

// HandleWake acts on the timer set by Wake.
func (m *Machine) HandleWake(now time.Time) {
	if m.wake.IsZero() || now.Before(m.wake) {
		return
	}
	switch m.phase {
	case Delaying:
		m.sendStop(now)
	case Stopping:
		m.kill(now)
	case Killing:
		m.log.Error("processes survived SIGKILL; exiting anyway", "waited", KillWait.String())
		m.finish(now)
	}
}

func (m *Machine) kill(now time.Time) {
	m.setPhase(Killing, now)
	n, err := m.proc.KillAll()
	m.sum.Killed = n
	m.obs.Killed(n)
	m.wake = now.Add(KillWait)
	if err != nil {
		m.log.Error("deadline hit; SIGKILL failed", "timeout", m.cfg.Timeout.String(), "killed", n, "err", err)
		return
	}
	m.log.Warn("deadline hit; SIGKILL sent", "timeout", m.cfg.Timeout.String(), "killed", n)
}

func (m *Machine) finish(now time.Time) {
	m.wake = time.Time{}
	m.sum.ExitCode = m.exitCode()
	if m.sum.Triggered {
		m.sum.Duration = now.Sub(m.triggeredAt)
	}
	m.setPhase(Done, now)
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

func (m *Machine) setPhase(p Phase, now time.Time) {
	m.phase = p
	m.obs.PhaseChanged(p, now)
}
