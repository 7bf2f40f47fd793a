package drain

import (
	"log/slog"
	"syscall"
	"time"

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
	// SignalAll sends sig to every process left under drainit and says
	// how many there were.
	SignalAll(sig syscall.Signal) (int, error)
}

// Machine is the drain's state. Its methods are called from one goroutine.
type Machine struct {
	cfg  Config
	proc Process
	obs  Observer
	log  *slog.Logger

	phase Phase
	wake  time.Time // when HandleWake is due next; zero if never
	sum   Summary   // also the machine's record of when each step happened
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
		m.sum.Trigger, m.sum.TriggeredAt = sig, now
		m.setPhase(Delaying)
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

// sendStop ends the delay: the main child gets the stop signal, then
// SIGCONT, so that a child stopped by STOP or TSTP acts on it at once
// instead of waiting to be killed at the deadline (systemd does the same).
func (m *Machine) sendStop(now time.Time) {
	if m.cfg.InFlight != nil {
		m.sum.InFlight = m.cfg.InFlight()
	}
	m.sum.StopSentAt = now
	m.sum.DelayWaited = now.Sub(m.sum.TriggeredAt)
	for _, sig := range []syscall.Signal{m.cfg.StopSignal, signals.SIGCONT} {
		if err := m.proc.Signal(sig); err != nil {
			m.log.Error("sending the stop signal failed", "signal", signals.Name(sig), "err", err)
			continue
		}
		m.obs.SignalForwarded(sig)
	}
	m.stopping(now)
	m.log.Info("stop signal sent", "signal", signals.Name(m.cfg.StopSignal),
		"waited", m.sum.DelayWaited.Round(time.Millisecond).String(), "timeout", m.cfg.Timeout.String(),
		inFlightAttr(m.sum.InFlight))
}

// stopLeftovers is the end of a run whose main child exited by itself:
// whatever it left behind (php-fpm workers whose master died, a daemon an
// entrypoint script started) gets the stop signal and SIGCONT, and the
// same --timeout as a drain. Left alone, those processes would be
// SIGKILLed mid-request when PID 1 exits, or, when drainit is not PID 1,
// outlive it under the machine's init.
func (m *Machine) stopLeftovers(now time.Time) {
	n, err := m.proc.SignalAll(m.cfg.StopSignal)
	if err == nil {
		_, err = m.proc.SignalAll(signals.SIGCONT)
	}
	m.sum.Left = n
	m.stopping(now)
	if err != nil {
		m.log.Error("stopping the processes the child left failed", "left", n, "err", err)
	} else if n > 0 {
		m.log.Info("stopping the processes the child left", "left", n,
			"signal", signals.Name(m.cfg.StopSignal), "timeout", m.cfg.Timeout.String())
	}
}

func (m *Machine) stopping(now time.Time) {
	m.setPhase(Stopping)
	m.wake = now.Add(m.cfg.Timeout)
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

func (m *Machine) setPhase(p Phase) {
	m.phase = p
	m.obs.PhaseChanged(p, m.sum)
}
