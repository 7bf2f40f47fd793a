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
	stopSent         prometheus.Gauge
	delayWaited      prometheus.Gauge
	stopDuration     prometheus.Gauge
	reaped           prometheus.Counter
	killed           prometheus.Counter
	childExitStatus  prometheus.Gauge
	childExitSignal  prometheus.Gauge

	ready atomic.Bool
}

// New registers every drainit metric, plus the Go and process collectors
// and any extra ones (the upstream readers). processes counts the live
// processes under drainit at scrape time.
func New(delay, timeout time.Duration, processes func() float64, extra ...prometheus.Collector) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry(), drain: prometheus.NewRegistry()}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help})
	}
	m.phase = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "phase",
		Help: "1 for the phase drainit is in (running, delaying, stopping, killing, done), 0 for the others."}, []string{"phase"})
	m.signalsReceived = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "signals_received_total",
		Help: "Signals drainit received, by signal name."}, []string{"signal"})
	m.signalsForwarded = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "signals_forwarded_total",
		Help: "Signals drainit sent to the child, the stop signal included, by signal name."}, []string{"signal"})
	m.drainStarted = gauge("drain_started_timestamp_seconds", "Unix time the drain was triggered; 0 before.")
	m.stopSent = gauge("stop_signal_sent_timestamp_seconds", "Unix time the stop signal was sent; 0 before.")
	m.delayWaited = gauge("drain_delay_waited_seconds", "Time from the drain trigger to the stop signal.")
	m.stopDuration = gauge("drain_stop_duration_seconds", "Time from the stop signal until every process had exited.")
	m.reaped = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "zombies_reaped_total",
		Help: "Processes other than the main child that drainit reaped."})
	m.killed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "processes_killed_total",
		Help: "Processes SIGKILLed because they outlived the drain timeout."})
	m.childExitStatus = gauge("child_exit_status", "The main child's status: exit code, or 128+N if signal N killed it; -1 while it runs.")
	m.childExitSignal = gauge("child_exit_signal", "The number of the signal that killed the main child; 0 if none did or it still runs.")
	m.childExitStatus.Set(-1)

	delayGauge := gauge("delay_seconds", "The configured --delay.")
	delayGauge.Set(delay.Seconds())
	timeoutGauge := gauge("timeout_seconds", "The configured --timeout.")
	timeoutGauge.Set(timeout.Seconds())
	alive := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "processes",
		Help: "Live processes under drainit (its descendants) right now."}, processes)

	m.drain.MustRegister(m.phase, m.signalsReceived, m.signalsForwarded, m.drainStarted, m.stopSent,
		m.delayWaited, m.stopDuration, m.reaped, m.killed, m.childExitStatus, m.childExitSignal,
		delayGauge, timeoutGauge)
	m.Registry.MustRegister(alive,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Registry.MustRegister(extra...)
	m.ready.Store(true)
	m.setPhase(drain.Running)
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

// Ready reports whether drainit should still receive traffic: true until
// a drain is triggered or the child exits.
func (m *Metrics) Ready() bool { return m.ready.Load() }

func (m *Metrics) setPhase(p drain.Phase) {
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
	if p != drain.Running {
		m.ready.Store(false)
	}
	if s.Triggered() {
		m.drainStarted.Set(unixSeconds(s.TriggeredAt))
	}
	if !s.StopSentAt.IsZero() {
		m.stopSent.Set(unixSeconds(s.StopSentAt))
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

// SignalForwarded implements drain.Observer.
func (m *Metrics) SignalForwarded(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.signalsForwarded.WithLabelValues(signals.Name(sig)).Inc()
}

// Reaped implements drain.Observer.
func (m *Metrics) Reaped(main bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !main {
		m.reaped.Inc()
	}
}

// MainExited implements drain.Observer.
func (m *Metrics) MainExited(e process.Exit) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.childExitStatus.Set(float64(e.Status()))
	m.childExitSignal.Set(float64(e.Signal))
}

// Killed implements drain.Observer.
func (m *Metrics) Killed(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.killed.Add(float64(n))
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
