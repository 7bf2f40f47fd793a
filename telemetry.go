package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/metrics"
	"github.com/drainit/drainit/pages"
	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
	"github.com/drainit/drainit/upstream"
)

// Bounds on work that must not hold up the drain or the exit.
const (
	inFlightTimeout = 300 * time.Millisecond // reading status pages before the stop signal
	shutdownWait    = 2 * time.Second        // letting a scrape in progress finish
)

// telemetry is what --metrics-address and --upstream add to a run. Each
// part is nil when its flag is not given, and every method copes.
type telemetry struct {
	metrics   *metrics.Metrics
	server    *metrics.Server
	upstreams *upstream.Collector
}

// newTelemetry binds the metrics address, so that a busy port fails
// before the child starts.
func newTelemetry(opts *options, ms []drain.Member) (*telemetry, error) {
	t := &telemetry{}
	if len(opts.upstreams) > 0 {
		t.upstreams = upstream.NewCollector(opts.upstreams)
	}
	if opts.metricsAddr == "" {
		return t, nil
	}
	var extra []prometheus.Collector
	if t.upstreams != nil {
		extra = append(extra, t.upstreams)
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	t.metrics = metrics.New(opts.delay, opts.timeout, names, countDescendants, extra...)
	if opts.unreadyAt == "stop" {
		t.metrics.ReadyThroughDelay()
	}
	srv, err := metrics.Listen(opts.metricsAddr, t.metrics.Handler(afterScrape))
	if err != nil {
		return nil, fmt.Errorf("--metrics-address %s: %w", opts.metricsAddr, err)
	}
	t.server = srv
	return t, nil
}

func (t *telemetry) serve(log *slog.Logger) {
	if t.server != nil {
		t.server.Serve(log)
		log.Debug("serving metrics", "address", t.server.Addr())
	}
}

func (t *telemetry) observer() drain.Observer {
	if t.metrics == nil {
		return nil
	}
	return t.metrics
}

// inFlight reads the status pages just before the stop signal.
func (t *telemetry) inFlight(log *slog.Logger) func() map[string]int {
	if t.upstreams == nil {
		return nil
	}
	return func() map[string]int {
		inFlight, errs := t.upstreams.InFlight(inFlightTimeout)
		for kind, err := range errs {
			log.Warn("could not read the upstream's status before the stop signal", "upstream", kind, "err", err)
		}
		return inFlight
	}
}

// trafficEvery is how often the status pages are read while --quiet
// watches: a fifth of the window, so the delay ends at most that late,
// within bounds that keep the reads cheap and the answer timely.
func trafficEvery(quiet time.Duration) time.Duration {
	return min(max(quiet/5, 50*time.Millisecond), 500*time.Millisecond)
}

// watchTraffic returns what the machine calls at the trigger: a goroutine
// that reads every upstream each trafficEvery(quiet) and sends the
// readings to out until the stop it returns is called.
func (t *telemetry) watchTraffic(quiet time.Duration, out chan<- drain.TrafficSample) func() (stop func()) {
	if t.upstreams == nil || quiet <= 0 {
		return nil
	}
	every := trafficEvery(quiet)
	return func() func() {
		done := make(chan struct{})
		go func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				for _, r := range t.upstreams.ReadAll(every) {
					s := drain.TrafficSample{Upstream: string(r.Kind), Requests: r.Status.Requests, InFlight: r.Status.InFlight, Peer: r.Peer, OK: r.Err == nil, Refused: upstream.Refused(r.Err)}
					select {
					case out <- s:
					case <-done:
						return
					}
				}
				select {
				case <-tick.C:
				case <-done:
					return
				}
			}
		}()
		return func() { close(done) }
	}
}

// lingerAndShutdown keeps /metrics up after the drain so the last numbers
// can be scraped, then lets a scrape in progress finish. A new TERM, QUIT
// or INT ends the linger early.
func (t *telemetry) lingerAndShutdown(log *slog.Logger, linger time.Duration, sigs <-chan os.Signal) {
	if t.server == nil {
		return
	}
	defer t.server.Shutdown(shutdownWait)
	if linger <= 0 {
		return
	}
	log.Info("serving final metrics before exiting", "linger", linger.String())
	timer := time.NewTimer(linger)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return
		case sig := <-sigs:
			if s, ok := sig.(syscall.Signal); ok && slices.Contains(signals.Triggers, s) {
				return
			}
		}
	}
}

// afterScrape gives back what a scrape took: its garbage, which an idle
// drainit would otherwise keep until its heap grew to the collector's
// 4 MiB minimum goal, and what it paged in of the binary, code an idle
// drainit does not run until the next scrape (package pages).
func afterScrape() {
	debug.FreeOSMemory()
	_, _ = pages.Release()
}

func countDescendants() float64 { return float64(len(process.Descendants(os.Getpid()))) }
