//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// scrape reads /metrics into "name{labels}" → value.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// waitMetric scrapes until series has value want.
func waitMetric(t *testing.T, base, series string, want float64) map[string]float64 {
	t.Helper()
	var m map[string]float64
	for deadline := time.Now().Add(scale(10 * time.Second)); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m = scrape(t, base); m[series] == want {
			return m
		}
	}
	t.Fatalf("%s: want %v, got %v", series, want, m[series])
	return nil
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func metricsFlag(t *testing.T) (flag, base string) {
	port := testkit.FreePort(t)
	return fmt.Sprintf("--metrics-address=127.0.0.1:%d", port), fmt.Sprintf("http://127.0.0.1:%d", port)
}

func TestReadyzFlipsAtTheTriggerNotAtTheStopSignal(t *testing.T) {
	t.Parallel()
	flag, base := metricsFlag(t)
	r := start(t, pid1, spec{flags: []string{flag, "--delay", "1s"}, command: helper("record")})
	r.waitEvent("ready")
	waitMetric(t, base, `drainit_phase{phase="running"}`, 1)
	if got := status(t, base+"/readyz"); got != 200 {
		t.Fatalf("/readyz while running: want 200, got %d", got)
	}
	r.signal(syscall.SIGTERM)
	for deadline := time.Now().Add(scale(5 * time.Second)); status(t, base+"/readyz") != 503; {
		if time.Now().After(deadline) {
			t.Fatal("/readyz never turned 503")
		}
		time.Sleep(2 * time.Millisecond)
	}
	notReadyAt := time.Now()
	if got := status(t, base+"/healthz"); got != 200 {
		t.Fatalf("/healthz during the drain: want 200, got %d", got)
	}
	quit := r.waitEvent("SIGQUIT")
	r.wantExit(0)
	if !quit.After(notReadyAt) {
		t.Fatalf("the stop signal came %v before /readyz turned 503", notReadyAt.Sub(quit))
	}
}

// TestReadyzCanStayUpUntilTheStopSignal: with --unready-at stop, /readyz
// answers 200 through the delay (EndpointSlice serving stays true) and 503
// once the stop signal is due.
func TestReadyzCanStayUpUntilTheStopSignal(t *testing.T) {
	t.Parallel()
	flag, base := metricsFlag(t)
	r := start(t, subreaper, spec{flags: []string{flag, "--delay", "1h", "--timeout", scale(2 * time.Second).String(), "--unready-at", "stop"},
		command: helper("record", "ignore-stop")})
	r.waitEvent("ready")
	waitMetric(t, base, `drainit_phase{phase="running"}`, 1)
	r.signal(syscall.SIGTERM)
	waitMetric(t, base, `drainit_phase{phase="delaying"}`, 1)
	if got := status(t, base+"/readyz"); got != 200 {
		t.Fatalf("/readyz during the delay with --unready-at stop: want 200, got %d", got)
	}
	r.signal(syscall.SIGTERM) // the second trigger ends the delay
	r.waitEvent("SIGQUIT")    // ignored: drainit keeps stopping until the timeout
	waitMetric(t, base, `drainit_phase{phase="stopping"}`, 1)
	if got := status(t, base+"/readyz"); got != 503 {
		t.Fatalf("/readyz once the stop signal went out: want 503, got %d", got)
	}
	r.wantExit(137)
}

func TestMetricsMoveThroughThePhasesAndCountTheKill(t *testing.T) {
	t.Parallel()
	flag, base := metricsFlag(t)
	r := start(t, pid1, spec{
		flags:   []string{flag, "--delay", "600ms", "--timeout", "600ms", "--metrics-linger", "1m"},
		command: helper("orphan", "1h", "ignore-stop"),
	})
	r.waitEvent("sleeper-ready")
	m := waitMetric(t, base, "drainit_processes", 2)
	// The helper child is this test binary: its base name is the label.
	proc := fmt.Sprintf("{process=%q}", filepath.Base(os.Args[0]))
	want := map[string]float64{`drainit_phase{phase="running"}`: 1, "drainit_child_exit_status" + proc: -1,
		"drainit_delay_seconds": 0.6, "drainit_timeout_seconds": 0.6, "drainit_drain_started_timestamp_seconds": 0}
	wantMetrics(t, "running", m, want)

	r.signal(syscall.SIGTERM)
	m = waitMetric(t, base, `drainit_phase{phase="delaying"}`, 1)
	if m["drainit_drain_started_timestamp_seconds"] == 0 || m["drainit_stop_signal_sent_timestamp_seconds"+proc] != 0 {
		t.Fatalf("delaying: want the drain start set and no stop signal yet, got %v and %v",
			m["drainit_drain_started_timestamp_seconds"], m["drainit_stop_signal_sent_timestamp_seconds"+proc])
	}
	m = waitMetric(t, base, `drainit_phase{phase="stopping"}`, 1)
	wantMetrics(t, "stopping", m, map[string]float64{
		`drainit_signals_received_total{signal="SIGTERM"}`:                                                     1,
		fmt.Sprintf(`drainit_signals_forwarded_total{process=%q,signal="SIGQUIT"}`, filepath.Base(os.Args[0])): 1,
		"drainit_processes": 2,
	})
	if got := m["drainit_drain_delay_waited_seconds"]; got < 0.6 {
		t.Fatalf("delay waited: want at least 0.6, got %v", got)
	}
	m = waitMetric(t, base, `drainit_phase{phase="done"}`, 1) // killing lasts only until the kernel reaps
	wantMetrics(t, "done", m, map[string]float64{
		"drainit_processes_killed_total": 2, "drainit_child_exit_status" + proc: 137, "drainit_child_exit_signal" + proc: 9,
		"drainit_processes": 0, "drainit_zombies_reaped_total": 1,
	})
	if got := m["drainit_drain_stop_duration_seconds"]; got < 0.6 {
		t.Fatalf("stop duration: want at least the 0.6 s timeout, got %v", got)
	}
	r.signal(syscall.SIGTERM) // ends the linger
	r.wantExit(137)
	if !strings.Contains(r.stderr.String(), "clean=false") || !strings.Contains(r.stderr.String(), "killed=2") {
		t.Fatalf("summary: want clean=false killed=2:\n%s", r.stderr.String())
	}
}

func wantMetrics(t *testing.T, when string, got, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s: %s: want %v, got %v", when, series, v, got[series])
		}
	}
}

func TestBusyMetricsPortExits2BeforeTheChildStarts(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	r := start(t, subreaper, spec{flags: []string{"--metrics-address", addr}, command: helper("record")})
	r.wantExit(2)
	lines := strings.Split(strings.TrimSpace(r.stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], addr) || !strings.Contains(lines[0], "address already in use") {
		t.Fatalf("want one line naming %s and the error, got %q", addr, r.stderr.String())
	}
	if _, err := os.Stat(r.rec); err == nil {
		t.Fatalf("the child started: %v", r.names())
	}
}

func TestSummaryCountsNginxRequestsInFlightAndTheyFinish(t *testing.T) {
	t.Parallel()
	n := testkit.NewNginx(t)
	flag, base := metricsFlag(t)
	r := start(t, pid1, spec{
		flags:   []string{flag, "--delay", "0", "--timeout", "20s", "--upstream", "nginx=" + n.URL("/stub_status")},
		command: n.Argv,
	})
	testkit.WaitListening(t, n.Port)
	waitMetric(t, base, `drainit_upstream_up{upstream="nginx"}`, 1)
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() { // 300 KB at 100 KB/s: in flight for about three seconds
		resp, err := http.Get(n.URL("/slow/big"))
		if err != nil {
			done <- result{0, err}
			return
		}
		defer resp.Body.Close()
		got, err := io.Copy(io.Discard, resp.Body)
		done <- result{got, err}
	}()
	waitMetric(t, base, `drainit_upstream_active{upstream="nginx"}`, 2) // the download and the scrape's own
	r.signal(syscall.SIGTERM)
	res := <-done
	if res.err != nil || res.n != 300<<10 {
		t.Fatalf("the request in flight at the stop: want all 307200 bytes, got %d (%v)", res.n, res.err)
	}
	r.wantExit(0)
	for _, want := range []string{"clean=true", "in_flight.nginx=1", "killed=0"} {
		if !strings.Contains(r.stderr.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stderr.String())
		}
	}
}

func TestStartupWarnings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		control       string
		flags         []string
		want, wantNot []string
	}{
		{"php-fpm with process_control_timeout 0", "0", nil, []string{"process_control_timeout is 0", "process_control_timeout = 20s"}, nil},
		{"php-fpm set right", "15s", nil, nil, []string{"level=WARN"}},
		{"grace period too short", "15s", []string{"--grace-period", "20s"}, []string{"grace period", "SIGKILL will come first"}, nil},
		{"grace period that fits", "15s", []string{"--grace-period", "30s"}, nil, []string{"level=WARN"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fpm := testkit.NewPHPFPM(t, c.control)
			r := start(t, pid1, spec{flags: append([]string{"--delay", "0"}, c.flags...), command: fpm.Argv})
			testkit.WaitListening(t, fpm.Port)
			r.signal(syscall.SIGTERM)
			r.wantExit(0)
			log := r.stderr.String()
			for _, w := range c.want {
				if !strings.Contains(log, w) {
					t.Errorf("want %q in:\n%s", w, log)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(log, w) {
					t.Errorf("want no %q in:\n%s", w, log)
				}
			}
		})
	}
}

func TestJSONSummaryIsOneObject(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{flags: []string{"--delay", "0", "--log-format", "json"}, command: helper("record")})
	r.waitEvent("ready")
	r.signal(syscall.SIGQUIT)
	r.wantExit(0)
	lines := strings.Split(strings.TrimSpace(r.stderr.String()), "\n")
	var summary map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, r.stderr.String())
	}
	if summary["msg"] != "drain summary" || summary["clean"] != true || summary["trigger"] != "SIGQUIT" ||
		summary["exit_status"] != 0.0 || summary["logger"] != "drainit" {
		t.Fatalf("want a clean drain summary triggered by SIGQUIT, got %v", summary)
	}
}

func TestPHPFPMUpstreamThroughTheBinary(t *testing.T) {
	t.Parallel()
	fpm := testkit.NewPHPFPM(t, "10s")
	flag, base := metricsFlag(t)
	r := start(t, pid1, spec{
		flags:   []string{flag, "--delay", "0", "--upstream", "php-fpm=" + fpm.Address() + "/status"},
		command: fpm.Argv,
	})
	testkit.WaitListening(t, fpm.Port)
	m := waitMetric(t, base, `drainit_upstream_up{upstream="php-fpm"}`, 1)
	for _, series := range []string{`drainit_upstream_listen_queue{upstream="php-fpm"}`, `drainit_upstream_active{upstream="php-fpm"}`,
		`drainit_upstream_accepted_connections_total{upstream="php-fpm"}`} {
		if _, ok := m[series]; !ok {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	if !strings.Contains(r.stderr.String(), "in_flight.php-fpm=0") || !strings.Contains(r.stderr.String(), "clean=true") {
		t.Fatalf("summary: want in_flight.php-fpm=0 and clean=true:\n%s", r.stderr.String())
	}
}
