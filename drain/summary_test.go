package drain

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

func TestInFlightIsReadOnceJustBeforeTheStopSignal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, 20*time.Second)
	calls := 0
	h.cfg.InFlight = func() map[string]int {
		calls++
		if len(h.proc.sent) != 0 {
			t.Fatalf("InFlight called after the stop signal")
		}
		return map[string]int{"nginx": 3}
	}
	h.HandleSignal(signals.SIGTERM, at(0))
	if calls != 0 {
		t.Fatalf("InFlight: want no call during the delay, got %d", calls)
	}
	h.HandleWake(at(time.Second))
	h.HandleSignal(signals.SIGTERM, at(2*time.Second))
	if calls != 1 || h.Summary().InFlight["nginx"] != 3 {
		t.Fatalf("want one call and nginx=3, got %d calls and %v", calls, h.Summary().InFlight)
	}
}

func TestSummaryLineTellsTheStory(t *testing.T) {
	t.Parallel()
	clean := Summary{
		TriggeredAt: at(0), Trigger: signals.SIGQUIT, DelayWaited: 5 * time.Second,
		InFlight:      map[string]int{"php-fpm": 2, "nginx": 4},
		Processes:     []ProcessSummary{{Name: "nginx", PID: 7, Exited: true, Exit: process.Exit{PID: 7}, StopSentAt: at(5 * time.Second), ExitAfter: 1500 * time.Millisecond}},
		OrphansWaited: 3, Duration: 7 * time.Second,
	}
	line := logLine(clean)
	for _, want := range []string{"clean=true", "trigger=SIGQUIT", "delay_waited=5s", "stop_sent=2026-11-22T12:00:05Z",
		"in_flight.nginx=4 in_flight.php-fpm=2", "child_exit_after=1.5s", "orphans_waited=3", "killed=0", "duration=7s", "exit_status=0"} {
		if !strings.Contains(line, want) {
			t.Errorf("want %q in %q", want, line)
		}
	}
	if strings.Contains(line, "nginx.status") {
		t.Errorf("a lone main command needs no per-process fields: %q", line)
	}
	killed := clean
	killed.Killed, killed.ExitCode = 2, 137
	if line := logLine(killed); !strings.Contains(line, "clean=false") || !strings.Contains(line, "killed=2") {
		t.Errorf("a drain that killed: want clean=false killed=2, got %q", line)
	}
	crashed := Summary{TriggeredAt: at(0), Trigger: signals.SIGTERM, Processes: []ProcessSummary{{Name: "nginx", Exited: true, Exit: process.Exit{Code: 3}}}, ExitCode: 3}
	if line := logLine(crashed); !strings.Contains(line, "clean=false") || !strings.Contains(line, "never") {
		t.Errorf("a child that exited during the delay: want clean=false and no stop signal, got %q", line)
	}
}

func logLine(s Summary) string {
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).LogAttrs(context.Background(), s.Level(), s.Message(), s.Attrs()...)
	return b.String()
}
