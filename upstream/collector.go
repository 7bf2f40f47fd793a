package upstream

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ScrapeTimeout bounds each status-page read during a Prometheus scrape.
const ScrapeTimeout = time.Second

var (
	upDesc = prometheus.NewDesc("drainit_upstream_up",
		"1 if the upstream's status page answered at this scrape, 0 if not.", []string{"upstream"}, nil)
	activeDesc = prometheus.NewDesc("drainit_upstream_active",
		"nginx: active client connections; php-fpm: active processes.", []string{"upstream"}, nil)
	acceptedDesc = prometheus.NewDesc("drainit_upstream_accepted_connections_total",
		"Connections the upstream accepted since it started.", []string{"upstream"}, nil)
	queueDesc = prometheus.NewDesc("drainit_upstream_listen_queue",
		"php-fpm: connections waiting in the listen queue for a free process.", []string{"upstream"}, nil)
)

// Collector reads every source at scrape time, until InFlight.
type Collector struct {
	sources []*Source
	stopped atomic.Bool
}

// NewCollector collects from sources, which must have distinct kinds.
func NewCollector(sources []*Source) *Collector { return &Collector{sources: sources} }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{upDesc, activeDesc, acceptedDesc, queueDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. After InFlight it reports nothing:
// a status page that closed with its server is no outage.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	if c.stopped.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	results := c.readAll(ctx)
	for i, s := range c.sources {
		if s.peer {
			continue // its own drainit exports it
		}
		label := string(s.Kind)
		r := results[i]
		if r.err != nil {
			ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0, label)
			continue
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1, label)
		ch <- prometheus.MustNewConstMetric(activeDesc, prometheus.GaugeValue, r.status.Active, label)
		ch <- prometheus.MustNewConstMetric(acceptedDesc, prometheus.CounterValue, r.status.Accepted, label)
		if s.Kind == PHPFPM {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, r.status.ListenQueue, label)
		}
	}
}

type result struct {
	status Status
	err    error
}

// readAll reads every source at once, so that one slow page does not delay
// another.
func (c *Collector) readAll(ctx context.Context) []result {
	results := make([]result, len(c.sources))
	var wg sync.WaitGroup
	for i, s := range c.sources {
		wg.Go(func() {
			var st Status
			var err error
			if s.peer {
				err = s.Probe(ctx)
			} else {
				st, err = s.Read(ctx)
			}
			if err != nil {
				err = fmt.Errorf("%s: %w", s.target, err)
			}
			results[i] = result{st, err}
		})
	}
	wg.Wait()
	return results
}

// Reading is one source's status, or why it could not be read.
type Reading struct {
	Kind   Kind
	Peer   bool // only probed: Err nil means it still accepts connections
	Status Status
	Err    error
}

// ReadAll reads every source once, within timeout, at the same time.
func (c *Collector) ReadAll(timeout time.Duration) []Reading {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []Reading
	for i, r := range c.readAll(ctx) {
		out = append(out, Reading{Kind: c.sources[i].Kind, Peer: c.sources[i].peer, Status: r.status, Err: r.err})
	}
	return out
}

// InFlight reads every source once, within timeout, and then stops the
// collector: drainit calls it just before the stop signal closes the pages.
// Sources that could not be read are left out of the map and listed in errs.
func (c *Collector) InFlight(timeout time.Duration) (inFlight map[string]int, errs map[string]error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	inFlight, errs = map[string]int{}, map[string]error{}
	for i, r := range c.readAll(ctx) {
		kind := string(c.sources[i].Kind)
		if c.sources[i].peer {
			continue
		}
		if r.err != nil {
			errs[kind] = r.err
			continue
		}
		inFlight[kind] = r.status.InFlight
	}
	c.stopped.Store(true)
	return inFlight, errs
}
