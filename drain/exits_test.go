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
	h.exit(0, 3, at(time.Second))
	h.wantPhase(t, Stopping) // until the reaper finds nothing left
	if got := h.proc.toGroup[0]; len(got) != 2 || got[0] != signals.SIGQUIT || got[1] != signals.SIGCONT {
		t.Fatalf("what the child left: want QUIT and CONT, got %v", names(got))
	}
	h.wantSentToAll(t, signals.SIGQUIT) // and whatever no group holds: nothing
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
	h.proc.alive[0] = true // its workers are still there
	h.HandleExit(process.Exit{PID: mainPID, Signal: syscall.Signal(11)}, at(time.Second))
	h.wantPhase(t, Stopping)
	h.wantWake(t, at(21*time.Second)) // the timeout, not the rest of the delay
	h.HandleAllGone(at(time.Second))
	h.wantPhase(t, Done)
	h.wantSent(t)
	h.wantWake(t, time.Time{})
	if s := h.Summary(); s.ExitCode != 139 || !s.Main().StopSentAt.IsZero() || s.Clean() {
		t.Fatalf("want exit code 139, no stop signal to the main child, not clean; got %+v", s)
	}
}

// TestWhatTheChildLeftGetsTheStopSignalThenTheDeadline: php-fpm workers
// whose master crashed must finish their requests, and a daemon left by
// an entrypoint script must not outlive drainit.
func TestWhatTheChildLeftGetsTheStopSignalThenTheDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.proc.groupLeft, h.proc.left = 2, 2 // two processes outlive the child, in its group
	h.HandleExit(process.Exit{PID: mainPID, Signal: signals.SIGKILL}, at(time.Second))
	h.wantPhase(t, Stopping)
	h.HandleExit(process.Exit{PID: 7, Code: 0}, at(2*time.Second)) // one finishes its request
	h.HandleWake(at(21 * time.Second))
	h.wantPhase(t, Killing)
	h.wantSentToAll(t, signals.SIGKILL)
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
	h.exit(0, 0, at(2*time.Second))
	h.wantPhase(t, Stopping)
	h.HandleExit(process.Exit{PID: 8, Code: 0}, at(3*time.Second))
	h.HandleExit(process.Exit{PID: 9, Signal: 15}, at(4*time.Second))
	h.wantPhase(t, Stopping)
	h.HandleAllGone(at(4 * time.Second))
	h.wantPhase(t, Done)
	s := h.Summary()
	if s.ExitCode != 0 || s.OrphansWaited != 2 || s.Main().ExitAfter != time.Second || s.Killed != 0 || !s.Clean() {
		t.Fatalf("summary: want exit 0, 2 orphans, main after 1s, 0 killed, clean; got %+v", s)
	}
	if s.Duration != 4*time.Second || s.StopDuration != 3*time.Second {
		t.Fatalf("durations: want 4s from the trigger and 3s from the stop signal, got %v and %v", s.Duration, s.StopDuration)
	}
	h.wantSentToAll(t, signals.SIGQUIT) // once the group is gone; SignalAll found nothing
}
