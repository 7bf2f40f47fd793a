package drain

import (
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

func TestChildExitingWhileRunningEndsWithItsStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleExit(process.Exit{PID: mainPID, Code: 3}, at(time.Second))
	h.wantPhase(t, Stopping) // until the reaper finds nothing left
	h.wantSentToAll(t, signals.SIGQUIT, signals.SIGCONT)
	h.HandleAllGone(at(time.Second))
	h.wantPhase(t, Done)
	if s := h.Summary(); s.ExitCode != 3 || s.Left != 0 || s.Level() != slog.LevelInfo {
		t.Fatalf("want exit code 3, nothing left, logged at Info; got %+v", s)
	}
	h.wantSent(t)
}

func TestChildExitingDuringTheDelayEndsWithoutTheDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleExit(process.Exit{PID: mainPID, Signal: syscall.Signal(11)}, at(time.Second))
	h.wantPhase(t, Stopping)
	h.wantWake(t, at(21*time.Second)) // the timeout, not the rest of the delay
	h.HandleAllGone(at(time.Second))
	h.wantPhase(t, Done)
	h.wantSent(t)
	h.wantWake(t, time.Time{})
	if s := h.Summary(); s.ExitCode != 139 || !s.StopSentAt.IsZero() || s.Clean() {
		t.Fatalf("want exit code 139, no stop signal to the main child, not clean; got %+v", s)
	}
}

// TestWhatTheChildLeftGetsTheStopSignalThenTheDeadline: php-fpm workers
// whose master crashed must finish their requests, and a daemon left by
// an entrypoint script must not outlive drainit.
func TestWhatTheChildLeftGetsTheStopSignalThenTheDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.proc.left = 2
	h.HandleExit(process.Exit{PID: mainPID, Signal: signals.SIGKILL}, at(time.Second))
	h.wantSentToAll(t, signals.SIGQUIT, signals.SIGCONT)
	h.wantPhase(t, Stopping)
	h.HandleExit(process.Exit{PID: 7, Code: 0}, at(2*time.Second)) // one finishes its request
	h.HandleWake(at(21 * time.Second))
	h.wantPhase(t, Killing)
	h.wantSentToAll(t, signals.SIGQUIT, signals.SIGCONT, signals.SIGKILL)
	h.HandleAllGone(at(21 * time.Second))
	s := h.Summary()
	if s.ExitCode != 137 || s.Left != 2 || s.OrphansWaited != 1 || s.Killed != 2 || s.Level() != slog.LevelWarn {
		t.Fatalf("want exit 137, 2 left, 1 waited for, killed counted, a warning; got %+v", s)
	}
	if got := logLine(s); !strings.Contains(got, "msg=exiting status=137 left=2 killed=2") {
		t.Fatalf("summary line: want status, left and killed, got %q", got)
	}
}

func TestDrainWaitsForOrphansAfterTheMainChild(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleWake(at(time.Second))
	h.HandleExit(process.Exit{PID: 7, Code: 0}, at(1500*time.Millisecond)) // before the main child: not an orphan waited for
	h.HandleExit(process.Exit{PID: mainPID, Code: 0}, at(2*time.Second))
	h.wantPhase(t, Stopping)
	h.HandleExit(process.Exit{PID: 8, Code: 0}, at(3*time.Second))
	h.HandleExit(process.Exit{PID: 9, Signal: 15}, at(4*time.Second))
	h.wantPhase(t, Stopping)
	h.HandleAllGone(at(4 * time.Second))
	h.wantPhase(t, Done)
	s := h.Summary()
	if s.ExitCode != 0 || s.OrphansWaited != 2 || s.MainExitAfter != time.Second || s.Killed != 0 || !s.Clean() {
		t.Fatalf("summary: want exit 0, 2 orphans, main after 1s, 0 killed, clean; got %+v", s)
	}
	if s.Duration != 4*time.Second {
		t.Fatalf("duration: want 4s, got %v", s.Duration)
	}
	h.wantSentToAll(t)
}
