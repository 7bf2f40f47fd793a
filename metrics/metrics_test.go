package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/process"
)

var t0 = time.Unix(1_800_000_000, 0)

func newMetrics() *Metrics {
	return New(5*time.Second, 20*time.Second, []string{"php-fpm", "nginx"}, func() float64 { return 3 })
}

func TestEveryMetricLintsClean(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	m.SignalReceived(syscall.SIGTERM)
	m.SignalSent("nginx", syscall.SIGQUIT)
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(families).Lint()
	if err != nil || len(problems) > 0 {
		t.Fatalf("promlint: want no problems, got %v (err %v)", problems, err)
	}
	exported := map[string]bool{}
	for _, f := range families {
		exported[f.GetName()] = true
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "drainit_processes", "drainit_delay_seconds", "drainit_timeout_seconds", "drainit_phase"} {
		if !exported[name] {
			t.Errorf("want %s exported", name)
		}
	}
}

func TestPhasesAndTimesFollowTheDrain(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	wantPhase(t, m, "starting")
	if m.Ready() {
		t.Fatal("want not ready while starting")
	}
	s := drain.Summary{Processes: []drain.ProcessSummary{{Name: "php-fpm"}, {Name: "nginx"}}}
	m.PhaseChanged(drain.Running, s)
	wantPhase(t, m, "running")
	if !m.Ready() {
		t.Fatal("want ready once running")
	}
	s.Trigger, s.TriggeredAt = syscall.SIGTERM, t0
	m.PhaseChanged(drain.Delaying, s)
	wantPhase(t, m, "delaying")
	if m.Ready() {
		t.Fatal("want not ready once the drain is triggered")
	}
	s.Processes[1].StopSentAt, s.DelayWaited = t0.Add(5*time.Second), 5*time.Second
	m.PhaseChanged(drain.Stopping, s)
	wantPhase(t, m, "stopping")
	s.Processes[0].StopSentAt = t0.Add(6 * time.Second)
	m.PhaseChanged(drain.Stopping, s)
	m.PhaseChanged(drain.Killing, s)
	m.Killed(2)
	m.Exited("nginx", process.Exit{PID: 7, Signal: syscall.SIGKILL})
	m.Reaped("nginx")
	m.Reaped("")
	s.StopDuration = 20500 * time.Millisecond
	m.PhaseChanged(drain.Done, s)
	wantPhase(t, m, "done")
	wantValue(t, m, "drainit_drain_started_timestamp_seconds", 1_800_000_000)
	wantValue(t, m, `drainit_stop_signal_sent_timestamp_seconds{process="nginx"}`, 1_800_000_005)
	wantValue(t, m, `drainit_stop_signal_sent_timestamp_seconds{process="php-fpm"}`, 1_800_000_006)
	wantValue(t, m, "drainit_drain_delay_waited_seconds", 5)
	wantValue(t, m, "drainit_drain_stop_duration_seconds", 20.5)
	wantValue(t, m, "drainit_processes_killed_total", 2)
	wantValue(t, m, "drainit_zombies_reaped_total", 1)
	wantValue(t, m, `drainit_child_exit_status{process="nginx"}`, 137)
	wantValue(t, m, `drainit_child_exit_signal{process="nginx"}`, 9)
	wantValue(t, m, `drainit_child_exit_status{process="php-fpm"}`, -1)
}

func TestSignalsAreCountedByName(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	m.SignalReceived(syscall.SIGHUP)
	m.SignalReceived(syscall.SIGHUP)
	m.SignalSent("nginx", syscall.SIGHUP)
	if got := testutil.ToFloat64(m.signalsReceived.WithLabelValues("SIGHUP")); got != 2 {
		t.Fatalf("received SIGHUP: want 2, got %v", got)
	}
	if got := testutil.ToFloat64(m.signalsForwarded.WithLabelValues("SIGHUP", "nginx")); got != 1 {
		t.Fatalf("forwarded SIGHUP: want 1, got %v", got)
	}
}

func TestNotReadyOnceTheChildExitsByItself(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	m.PhaseChanged(drain.Running, drain.Summary{})
	m.PhaseChanged(drain.Stopping, drain.Summary{}) // the child crashed: no trigger, no stop signal
	if m.Ready() {
		t.Fatal("want not ready once stopping, with or without a drain")
	}
	wantValue(t, m, `drainit_stop_signal_sent_timestamp_seconds{process="nginx"}`, 0)
}

func TestReadyzFlipsAndHealthzStays(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	srv := httptest.NewServer(m.Handler(nil))
	defer srv.Close()
	wantStatus(t, srv.URL+"/readyz", 503) // starting
	m.PhaseChanged(drain.Running, drain.Summary{})
	wantStatus(t, srv.URL+"/readyz", 200)
	wantStatus(t, srv.URL+"/healthz", 200)
	m.PhaseChanged(drain.Delaying, drain.Summary{TriggeredAt: t0})
	wantStatus(t, srv.URL+"/readyz", 503)
	wantStatus(t, srv.URL+"/healthz", 200)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `drainit_phase{phase="delaying"} 1`) {
		t.Fatalf("/metrics lacks the delaying phase:\n%s", body)
	}
}

func wantStatus(t *testing.T, url string, want int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("GET %s: want %d, got %d", url, want, resp.StatusCode)
	}
}

func wantPhase(t *testing.T, m *Metrics, want string) {
	t.Helper()
	for _, p := range drain.Phases {
		v := testutil.ToFloat64(m.phase.WithLabelValues(p.String()))
		if (p.String() == want) != (v == 1) {
			t.Fatalf("phase %s: want %s to be the only 1, got %v", p, want, v)
		}
	}
}

// wantValue checks one series: a family name, or name{label="value"}.
func wantValue(t *testing.T, m *Metrics, series string, want float64) {
	t.Helper()
	name, selector, _ := strings.Cut(strings.TrimSuffix(series, "}"), "{")
	label, value, _ := strings.Cut(selector, "=")
	value = strings.Trim(value, `"`)
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, metric := range f.GetMetric() {
			if label != "" && !hasLabel(metric.GetLabel(), label, value) {
				continue
			}
			got := metric.GetGauge().GetValue() + metric.GetCounter().GetValue()
			if got != want {
				t.Fatalf("%s: want %v, got %v", series, want, got)
			}
			return
		}
	}
	t.Fatalf("%s: not exported", series)
}

func hasLabel(labels []*dto.LabelPair, name, value string) bool {
	for _, l := range labels {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
