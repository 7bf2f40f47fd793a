package drain

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// The one-container layout: php-fpm (must become ready), a worker that
// drains on TERM, and nginx as the main command.
const (
	fpm = iota
	worker
	nginx
)

func onePod(t *testing.T, delay, timeout time.Duration) *harness {
	t.Helper()
	return newMembers(t, []Member{
		{Name: "php-fpm", StopSignal: signals.SIGQUIT, AwaitReady: true},
		{Name: "worker", StopSignal: signals.SIGTERM},
		{Name: "nginx", StopSignal: signals.SIGQUIT},
	}, delay, timeout)
}

// started says which members the fake world started.
func (h *harness) started() []int {
	var out []int
	for i := range h.cfg.Members {
		if h.proc.alive[i] {
			out = append(out, i)
		}
	}
	return out
}

func TestBackendsStartInOrderEachOnceReady(t *testing.T) {
	t.Parallel()
	h := onePod(t, time.Second, 20*time.Second)
	h.Begin(at(0))
	h.wantPhase(t, Starting)
	if got := h.started(); !slices.Equal(got, []int{fpm}) || !slices.Equal(h.proc.awaiting, []int{fpm}) {
		t.Fatalf("want php-fpm started and awaited alone, got started %v awaiting %v", got, h.proc.awaiting)
	}
	h.wantWake(t, at(10*time.Second))      // the start timeout
	h.HandleReady(worker, at(time.Second)) // news about another member changes nothing
	h.wantPhase(t, Starting)
	h.HandleReady(fpm, at(time.Second))
	h.wantPhase(t, Running)
	if got := h.started(); !slices.Equal(got, []int{fpm, worker, nginx}) {
		t.Fatalf("want all three started, got %v", got)
	}
	h.wantWake(t, time.Time{})
}

func TestABackendThatNeverBecomesReadyStopsWhatStarted(t *testing.T) {
	t.Parallel()
	h := onePod(t, time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleWake(at(10 * time.Second))
	h.wantPhase(t, Stopping)
	h.wantSentTo(t, fpm, signals.SIGQUIT, signals.SIGCONT)
	h.exit(fpm, 0, at(11*time.Second))
	h.HandleAllGone(at(11 * time.Second))
	s := h.Summary()
	if s.ExitCode != ExitNotReady || s.NotReady != "php-fpm" || s.Level() != slog.LevelWarn || s.Processes[nginx].PID != 0 {
		t.Fatalf("want exit %d, php-fpm not ready, a warning, nginx never started; got %+v", ExitNotReady, s)
	}
	if line := logLine(s); !strings.Contains(line, "not_ready=php-fpm") || !strings.Contains(line, `nginx.status="never started"`) {
		t.Fatalf("summary line: want not_ready and nginx never started, got %q", line)
	}
}

// TestTheStopGoesInReverseStartOrder: nginx first, then each backend once
// the one before it has gone with everything it started.
func TestTheStopGoesInReverseStartOrder(t *testing.T) {
	t.Parallel()
	h := onePod(t, time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleReady(fpm, at(0))
	h.HandleSignal(signals.SIGTERM, at(time.Second))
	h.HandleWake(at(2 * time.Second))
	h.wantSentTo(t, nginx, signals.SIGQUIT, signals.SIGCONT)
	h.wantSentTo(t, worker)
	h.HandleExit(process.Exit{PID: pidOf(nginx)}, at(3*time.Second)) // its workers still serve
	h.wantSentTo(t, worker)
	h.proc.alive[nginx] = false
	h.HandleExit(process.Exit{PID: 7}, at(4*time.Second)) // the last nginx worker
	h.wantSentTo(t, worker, signals.SIGTERM, signals.SIGCONT)
	h.wantSentTo(t, fpm)
	h.exit(worker, 0, at(5*time.Second))
	h.wantSentTo(t, fpm, signals.SIGQUIT, signals.SIGCONT)
	h.exit(fpm, 0, at(6*time.Second))
	h.HandleAllGone(at(6 * time.Second))
	s := h.Summary()
	if !s.Clean() || s.ExitCode != 0 || s.Processes[fpm].ExitAfter != time.Second || s.Processes[nginx].ExitAfter != time.Second {
		t.Fatalf("want a clean drain, each exit timed from its own stop signal; got %+v", s)
	}
	line := logLine(s)
	for _, want := range []string{"php-fpm.status=0 php-fpm.exit_after=1s", "worker.status=0", "nginx.status=0 nginx.exit_after=1s"} {
		if !strings.Contains(line, want) {
			t.Errorf("summary line: want %q in %q", want, line)
		}
	}
}

// TestTheNextStopWaitsForTheExitNotOnlyTheEmptyGroup: an idle nginx can
// exit, and be reaped, within microseconds of its stop signal, before its
// exit reaches the machine; its process group is empty already. The next
// member's stop waits for that exit, so that it is logged after it.
// Before the fix, the worker got its stop signal with nginx's.
func TestTheNextStopWaitsForTheExitNotOnlyTheEmptyGroup(t *testing.T) {
	t.Parallel()
	h := onePod(t, time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleReady(fpm, at(0))
	h.HandleSignal(signals.SIGTERM, at(0))
	h.proc.alive[nginx] = false // reaped as soon as it got its stop signal
	h.HandleWake(at(time.Second))
	h.wantSentTo(t, nginx, signals.SIGQUIT, signals.SIGCONT)
	h.wantSentTo(t, worker)
	h.HandleExit(process.Exit{PID: pidOf(nginx)}, at(time.Second))
	h.wantSentTo(t, worker, signals.SIGTERM, signals.SIGCONT)
}

// TestOneTimeoutBoundsTheWholeStop: a backend that ignores its stop
// signal is killed at the one deadline, counted from nginx's stop signal.
func TestOneTimeoutBoundsTheWholeStop(t *testing.T) {
	t.Parallel()
	h := onePod(t, time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleReady(fpm, at(0))
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleWake(at(time.Second))
	h.exit(nginx, 0, at(2*time.Second))
	h.exit(worker, 0, at(3*time.Second))
	h.wantSentTo(t, fpm, signals.SIGQUIT, signals.SIGCONT)
	h.wantWake(t, at(21*time.Second))
	h.proc.left = 5
	h.HandleWake(at(21 * time.Second))
	h.wantPhase(t, Killing)
	h.HandleAllGone(at(21 * time.Second))
	if s := h.Summary(); s.Killed != 5 || s.ExitCode != 0 || s.Clean() {
		t.Fatalf("want 5 killed, nginx's status 0, not clean; got %+v", s)
	}
}

// TestABackendExitingEndsTheRun: php-fpm crashes; nginx stops gracefully
// without the delay, then what php-fpm left, and php-fpm's status is
// drainit's.
func TestABackendExitingEndsTheRun(t *testing.T) {
	t.Parallel()
	h := onePod(t, 5*time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleReady(fpm, at(0))
	h.proc.alive[fpm] = true // its workers outlive the master
	h.HandleExit(process.Exit{PID: pidOf(fpm), Signal: signals.SIGKILL}, at(time.Second))
	h.wantPhase(t, Stopping)
	h.wantSentTo(t, nginx, signals.SIGQUIT, signals.SIGCONT)
	h.exit(nginx, 0, at(2*time.Second))
	h.exit(worker, 0, at(2*time.Second))
	if got := h.proc.toGroup[fpm]; len(got) != 2 || got[0] != signals.SIGQUIT || got[1] != signals.SIGCONT {
		t.Fatalf("what php-fpm left: want QUIT and CONT, got %v", names(got))
	}
	h.proc.alive[fpm] = false
	h.HandleExit(process.Exit{PID: 9}, at(3*time.Second))
	h.HandleAllGone(at(3 * time.Second))
	s := h.Summary()
	if s.ExitCode != 137 || s.EndedBy != "php-fpm" {
		t.Fatalf("want php-fpm's 137 and php-fpm named, got %+v", s)
	}
	if line := logLine(s); !strings.Contains(line, "msg=exiting status=137 ended_by=php-fpm") {
		t.Fatalf("summary line: want the status and who ended the run, got %q", line)
	}
}

func TestATriggerWhileStartingStopsWhatStarted(t *testing.T) {
	t.Parallel()
	h := onePod(t, 5*time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleSignal(signals.SIGTERM, at(time.Second))
	h.wantPhase(t, Stopping) // no delay: nothing was served yet
	h.wantSentTo(t, fpm, signals.SIGQUIT, signals.SIGCONT)
	h.HandleReady(fpm, at(time.Second)) // too late: nothing more starts
	if got := h.started(); !slices.Equal(got, []int{fpm}) {
		t.Fatalf("want nothing more started, got %v", got)
	}
	h.exit(fpm, 0, at(2*time.Second))
	h.HandleAllGone(at(2 * time.Second))
	if s := h.Summary(); s.ExitCode != 0 {
		t.Fatalf("a clean stop before nginx started: want 0, got %+v", s)
	}
}

func TestAMemberThatCannotStartStopsThoseThatDid(t *testing.T) {
	t.Parallel()
	h := onePod(t, 5*time.Second, 20*time.Second)
	h.proc.startErr[nginx] = &process.StartError{Command: "nginx", Code: process.ExitNotFound}
	h.Begin(at(0))
	h.HandleReady(fpm, at(0))
	h.wantPhase(t, Stopping)
	h.wantSentTo(t, worker, signals.SIGTERM, signals.SIGCONT)
	h.exit(worker, 0, at(time.Second))
	h.exit(fpm, 0, at(time.Second))
	h.HandleAllGone(at(time.Second))
	if s := h.Summary(); s.ExitCode != process.ExitNotFound || s.StartFailed != "nginx" {
		t.Fatalf("want 127 and nginx named, got %+v", s)
	}
}

func TestSignalsAreForwardedToTheMainCommandOnly(t *testing.T) {
	t.Parallel()
	h := onePod(t, 5*time.Second, 20*time.Second)
	h.Begin(at(0))
	h.HandleSignal(signals.SIGHUP, at(0)) // nginx has not started: nobody gets it
	h.HandleReady(fpm, at(0))
	h.HandleSignal(signals.SIGUSR2, at(0))
	h.wantSentTo(t, nginx, signals.SIGUSR2)
	h.wantSentTo(t, fpm)
	h.wantSentTo(t, worker)
}
