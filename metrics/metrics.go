package metrics

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

const namespace = "drainit"

// Metrics is drainit's registries and the drain.Observer that updates them.
//
// The drain's own metrics live in a registry of their own, gathered under
// the mutex the observer holds while it updates them: a scrape is one
// moment of the drain, never "phase done" beside an exit status still
// unset. Registry holds everything else (the Go and process collectors,
// the upstream readers, drainit_processes), gathered outside the lock so a
// slow status page can never hold up the drain loop.
type Metrics struct {
	Registry *prometheus.Registry

	mu    sync.Mutex // held by every observer update and every drain gather
	drain *prometheus.Registry

	phase            *prometheus.GaugeVec
	signalsReceived  *prometheus.CounterVec
	signalsForwarded *prometheus.CounterVec
	drainStarted     prometheus.Gauge
	stopSent         *prometheus.GaugeVec
	delayWaited      prometheus.Gauge
	delayEndedBy     *prometheus.GaugeVec
	delayRequests    prometheus.Gauge
	stopDuration     prometheus.Gauge
	reaped           prometheus.Counter
	killed           prometheus.Counter
	childExitStatus  *prometheus.GaugeVec
	childExitSignal  *prometheus.GaugeVec

	ready             atomic.Bool
	readyThroughDelay bool // under mu
}

// New registers every drainit metric, plus the Go and process collectors
// and any extra ones (the upstream readers). members names the processes
// drainit starts, for the process label; processes counts the live
// processes under drainit at scrape time.
func New(delay, timeout time.Duration, members []string, processes func() float64, extra ...prometheus.Collector) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry(), drain: prometheus.NewRegistry()}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help})
	}
	perProcess := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, []string{"process"})
	}
	m.phase = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "phase",
		Help: "1 for the phase drainit is in (starting, running, delaying, stopping, killing, done), 0 for the others."}, []string{"phase"})
	m.signalsReceived = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "signals_received_total",
		Help: "Signals drainit received, by signal name."}, []string{"signal"})
	m.signalsForwarded = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "signals_forwarded_total",
		Help: "Signals drainit sent to a process it started, stop signals and the SIGCONT after them included."}, []string{"signal", "process"})
	m.drainStarted = gauge("drain_started_timestamp_seconds", "Unix time the drain was triggered; 0 before.")
	m.stopSent = perProcess("stop_signal_sent_timestamp_seconds", "Unix time the process got its stop signal; 0 before.")
	m.delayWaited = gauge("drain_delay_waited_seconds", "Time from the drain trigger to the main command's stop signal.")
	m.delayEndedBy = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "drain_delay_ended_by",
		Help: "1 for why the delay ended (quiet, upper_bound, second_trigger, exit), 0 for the others."}, []string{"reason"})
	for _, reason := range []string{drain.EndedByQuiet, drain.EndedByUpperBound, drain.EndedBySecondTrigger, drain.EndedByExit} {
		m.delayEndedBy.WithLabelValues(reason).Set(0)
	}
	m.delayRequests = gauge("drain_delay_requests", "With --quiet: requests the upstreams received during the delay, drainit's own status reads left out.")
	m.stopDuration = gauge("drain_stop_duration_seconds", "Time from the main command's stop signal until every process had exited.")
	m.reaped = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "zombies_reaped_total",
		Help: "Processes other than those drainit started that it reaped."})
	m.killed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "processes_killed_total",
		Help: "Processes SIGKILLed because they outlived the drain timeout."})
	m.childExitStatus = perProcess("child_exit_status", "The process's status: exit code, or 128+N if signal N killed it; -1 while it runs or before it starts.")
	m.childExitSignal = perProcess("child_exit_signal", "The number of the signal that killed the process; 0 if none did or it still runs.")
	for _, name := range members {
		m.childExitStatus.WithLabelValues(name).Set(-1)
		m.childExitSignal.WithLabelValues(name).Set(0)
		m.stopSent.WithLabelValues(name).Set(0)
	}

	delayGauge := gauge("delay_seconds", "The configured --delay.")
	delayGauge.Set(delay.Seconds())
	timeoutGauge := gauge("timeout_seconds", "The configured --timeout.")
	timeoutGauge.Set(timeout.Seconds())
	alive := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "processes",
		Help: "Live processes under drainit (its descendants) right now."}, processes)

	m.drain.MustRegister(m.phase, m.signalsReceived, m.signalsForwarded, m.drainStarted, m.stopSent,
		m.delayWaited, m.delayEndedBy, m.delayRequests, m.stopDuration, m.reaped, m.killed, m.childExitStatus, m.childExitSignal,
		delayGauge, timeoutGauge)
	m.Registry.MustRegister(alive,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Registry.MustRegister(extra...)
	m.setPhase(drain.Starting)
	return m
}

// Gatherer gathers every drainit metric: the drain's as one snapshot,
// then the rest.
func (m *Metrics) Gatherer() prometheus.Gatherer {
	return prometheus.Gatherers{prometheus.GathererFunc(m.gatherDrain), m.Registry}
}

func (m *Metrics) gatherDrain() ([]*dto.MetricFamily, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.drain.Gather()
}

// Ready reports whether drainit should receive traffic: once everything
// has started, until a drain is triggered (or, after ReadyThroughDelay,
// until the stop signal) or a process exits.
func (m *Metrics) Ready() bool { return m.ready.Load() }

// ReadyThroughDelay keeps /readyz at 200 through the delay, until the
// stop signal (--unready-at stop).
func (m *Metrics) ReadyThroughDelay() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.readyThroughDelay = true
}

func (m *Metrics) setPhase(p drain.Phase) {
	m.ready.Store(p == drain.Running || (m.readyThroughDelay && p == drain.Delaying))
	for _, each := range drain.Phases {
		v := 0.0
		if each == p {
			v = 1
		}
		m.phase.WithLabelValues(each.String()).Set(v)
	}
}

// PhaseChanged implements drain.Observer. The moments and durations come
// from the machine's summary; nothing is kept here to recompute them.
func (m *Metrics) PhaseChanged(p drain.Phase, s drain.Summary) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.Triggered() {
		m.drainStarted.Set(unixSeconds(s.TriggeredAt))
	}
	for _, proc := range s.Processes {
		if !proc.StopSentAt.IsZero() {
			m.stopSent.WithLabelValues(proc.Name).Set(unixSeconds(proc.StopSentAt))
		}
	}
	if s.DelayEndedBy != "" {
		m.delayEndedBy.WithLabelValues(s.DelayEndedBy).Set(1)
		m.delayRequests.Set(float64(s.DelayRequests))
	}
	if !s.Main().StopSentAt.IsZero() {
		m.delayWaited.Set(s.DelayWaited.Seconds())
		m.stopDuration.Set(s.StopDuration.Seconds())
	}
	m.setPhase(p)
}

// SignalReceived implements drain.Observer.
func (m *Metrics) SignalReceived(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.signalsReceived.WithLabelValues(signals.Name(sig)).Inc()
}

// SignalSent implements drain.Observer.
func (m *Metrics) SignalSent(process string, sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.signalsForwarded.WithLabelValues(signals.Name(sig), process).Inc()
}

// Reaped implements drain.Observer.
func (m *Metrics) Reaped(process string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if process == "" {
		m.reaped.Inc()
	}
}

// Exited implements drain.Observer.
func (m *Metrics) Exited(process string, e process.Exit) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.childExitStatus.WithLabelValues(process).Set(float64(e.Status()))
	m.childExitSignal.WithLabelValues(process).Set(float64(e.Signal))
}

// Killed implements drain.Observer.
func (m *Metrics) Killed(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.killed.Add(float64(n))
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
