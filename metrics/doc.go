// Package metrics makes drainit's drain visible: it owns the Prometheus
// registry and every drainit_ metric, implements drain.Observer to move
// them, and serves /metrics, /healthz and /readyz.
//
// A drain often ends before the next scrape, so the metrics that matter
// survive it as values rather than rates: when the drain started, when the
// stop signal went out, how long each phase took, and cumulative counts.
// The drain summary log line tells the same story for runs no scrape saw.
package metrics
