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

// Member is one process drainit starts: a backend, or the main command.
type Member struct {
	Name       string         // for logs, metrics and the summary
	StopSignal syscall.Signal // what begins its graceful shutdown
	AwaitReady bool           // the next member starts only once this one is ready
}

// Config is the drain's behaviour, as set by flags.
type Config struct {
	// Members are the backends in start order, then the main command,
	// which is always last: started last, stopped first.
	Members      []Member
	Delay        time.Duration  // trigger → the main command's stop signal
	Timeout      time.Duration  // that stop signal → SIGKILL to everything left
	StartTimeout time.Duration  // how long a backend may take to become ready
	Routes       *signals.Table // what each received signal does
	Log          *slog.Logger   // steps at Info, forwarding and reaping at Debug
	Observer     Observer       // optional: metrics
	// InFlight, if set, counts the requests each upstream is serving. It
	// is called just before the main command's stop signal.
	InFlight func() map[string]int

	// Quiet, if set, ends the delay early: once every upstream in
	// Upstreams has had no new request for Quiet (TrafficSample, through
	// HandleTraffic), and at least MinDelay after the trigger. Delay is
	// then the upper bound. WatchTraffic starts the readings at the
	// trigger; the machine calls the stop it returns when the delay ends.
	Quiet        time.Duration
	MinDelay     time.Duration
	Upstreams    []string
	WatchTraffic func() (stop func())

	// Evict, if set, is called at the trigger to tell keep-alive clients
	// to reconnect (package evict); once it succeeds the main command
	// gets SIGHUP, nginx's reload.
	Evict func() error
}

// Process is what the machine does to the world. Members are numbered as
// in Config.Members.
type Process interface {
	// Start starts member i and returns its PID.
	Start(i int) (int, error)
	// AwaitReady watches member i until it is ready, then reports it to
	// the machine (HandleReady), within the start timeout.
	AwaitReady(i int)
	// Signal sends sig to member i. One that is gone is not an error.
	Signal(i int, sig syscall.Signal) error
	// SignalGroup sends sig to what is left in member i's process group
	// and says how many processes that was.
	SignalGroup(i int, sig syscall.Signal) (int, error)
	// GroupGone reports whether member i's process group is empty: the
	// member and everything it started have exited.
	GroupGone(i int) bool
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
	main int // index of the main command in Members

	phase        Phase
	wake         time.Time // when HandleWake is due next; zero if never
	startDue     time.Time // Starting: when the backend being waited for is late
	started      int       // members started so far
	pids         map[int]int
	stopOrder    []int     // members in stopping order, from stopNext on
	stopNext     int       // the member being stopped now
	stopped      []bool    // member i has had its stop signal (or its group has)
	restSignaled bool      // the stop signal went to whatever no member owns
	startCode    int       // the status of a member that would not start
	quiet        *quiet    // Delaying with --quiet: when traffic stopped
	delayBound   time.Time // Delaying: the end of the full delay
	stopWatching func()    // ends the traffic readings; nil when none run
	sum          Summary
}

// New returns a machine ready to Begin.
func New(cfg Config, proc Process) *Machine {
	m := &Machine{cfg: cfg, proc: proc, obs: cfg.Observer, log: cfg.Log, main: len(cfg.Members) - 1, pids: map[int]int{}}
	if m.obs == nil {
		m.obs = nopObserver{}
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.sum.Processes = make([]ProcessSummary, len(cfg.Members))
	m.stopped = make([]bool, len(cfg.Members))
	for i, mem := range cfg.Members {
		m.sum.Processes[i].Name = mem.Name
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

// forward passes a signal to the main command only: USR2 means a binary
// upgrade to nginx and a reload to php-fpm, so no signal is fit for all.
func (m *Machine) forward(received, sig syscall.Signal) {
	switch {
	case m.phase == Killing || m.phase == Done:
		m.log.Debug("signal not forwarded", "signal", signals.Name(received), "reason", "processes are being killed")
		return
	case m.started <= m.main:
		m.log.Debug("signal not forwarded", "signal", signals.Name(received), "reason", "the main command has not started")
		return
	}
	if err := m.proc.Signal(m.main, sig); err != nil {
		m.log.Warn("forwarding failed", "signal", signals.Name(sig), "err", err)
		return
	}
	m.obs.SignalSent(m.cfg.Members[m.main].Name, sig)
	m.log.Debug("signal forwarded", "received", signals.Name(received), "sent", signals.Name(sig))
}

func (m *Machine) trigger(sig syscall.Signal, now time.Time) {
	switch m.phase {
	case Starting:
		m.sum.Trigger, m.sum.TriggeredAt = sig, now
		m.log.Info("drain triggered while starting: stopping what has started", "signal", signals.Name(sig))
		m.beginStop(now)
	case Running:
		m.sum.Trigger, m.sum.TriggeredAt = sig, now
		m.setPhase(Delaying)
		m.log.Info("drain triggered", "signal", signals.Name(sig), "delay", m.cfg.Delay.String())
		if m.cfg.Delay <= 0 {
			m.endDelay(now, EndedByUpperBound)
			return
		}
		m.delayBound = now.Add(m.cfg.Delay)
		m.wake = m.delayBound
		m.evict()
		m.watchTraffic(now)
	case Delaying:
		m.log.Info("second trigger, skipping the rest of the delay", "signal", signals.Name(sig),
			"skipped", m.wake.Sub(now).Round(time.Millisecond).String())
		m.endDelay(now, EndedBySecondTrigger)
	default:
		m.log.Debug("drain already under way", "signal", signals.Name(sig), "phase", m.phase.String())
	}
}

// evict rewrites the keep-alive include and reloads the main command. A
// failure is logged and the drain goes on as without it.
func (m *Machine) evict() {
	if m.cfg.Evict == nil {
		return
	}
	if err := m.cfg.Evict(); err != nil {
		m.log.Warn("cannot tell keep-alive clients to reconnect; the drain goes on without it", "err", err)
		return
	}
	if err := m.proc.Signal(m.main, syscall.SIGHUP); err != nil {
		m.log.Warn("cannot reload the main command to end keep-alive; the drain goes on without it", "err", err)
		return
	}
	m.obs.SignalSent(m.name(m.main), syscall.SIGHUP)
	m.log.Info("keep-alive ends: reloading with SIGHUP", "process", m.name(m.main))
}

// HandleWake acts on the timer set by Wake.
func (m *Machine) HandleWake(now time.Time) {
	if m.wake.IsZero() || now.Before(m.wake) {
		return
	}
	switch m.phase {
	case Starting:
		m.notReady(now)
	case Delaying:
		why := EndedByQuiet
		if !now.Before(m.delayBound) {
			why = EndedByUpperBound
		}
		m.endDelay(now, why)
	case Stopping:
		m.kill(now)
	case Killing:
		m.log.Error("processes survived SIGKILL; exiting anyway", "waited", KillWait.String())
		m.finish(now)
	}
}

func (m *Machine) setPhase(p Phase) {
	m.phase = p
	m.obs.PhaseChanged(p, m.sum)
}

func (m *Machine) name(i int) string { return m.cfg.Members[i].Name }
