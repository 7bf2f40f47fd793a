package drain

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

func TestEachTriggerStartsTheDelayWithoutSignallingTheChild(t *testing.T) {
	t.Parallel()
	for _, trig := range signals.Triggers {
		t.Run(signals.Name(trig), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 5*time.Second, 20*time.Second)
			h.HandleSignal(trig, at(0))
			h.wantPhase(t, Delaying)
			h.wantSent(t)
			h.wantWake(t, at(5*time.Second))
			if s := h.Summary(); s.Trigger != trig {
				t.Fatalf("trigger: want %s, got %s", signals.Name(trig), signals.Name(s.Trigger))
			}
		})
	}
}

func TestStopSignalGoesOutWhenTheDelayEndsAndNotBefore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleWake(at(4999 * time.Millisecond)) // an early timer changes nothing
	h.wantPhase(t, Delaying)
	h.wantSent(t)
	h.HandleWake(at(5 * time.Second))
	h.wantPhase(t, Stopping)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	h.wantWake(t, at(25*time.Second))
	if got := h.Summary().DelayWaited; got != 5*time.Second {
		t.Fatalf("delay waited: want 5s, got %v", got)
	}
}

func TestZeroDelaySendsTheStopSignalAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, 20*time.Second)
	h.HandleSignal(signals.SIGQUIT, at(0))
	h.wantPhase(t, Stopping)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	h.wantWake(t, at(20*time.Second))
}

func TestSecondTriggerSkipsTheRestOfTheDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleSignal(signals.SIGINT, at(2*time.Second))
	h.wantPhase(t, Stopping)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	h.wantWake(t, at(22*time.Second))
	if got := h.Summary().DelayWaited; got != 2*time.Second {
		t.Fatalf("delay waited: want 2s, got %v", got)
	}
}

func TestFurtherTriggersChangeNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleSignal(signals.SIGTERM, at(1*time.Second))
	for _, trig := range signals.Triggers {
		h.HandleSignal(trig, at(3*time.Second))
	}
	h.wantPhase(t, Stopping)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	h.wantWake(t, at(21*time.Second))
	h.HandleWake(at(21 * time.Second))
	h.HandleSignal(signals.SIGTERM, at(22*time.Second))
	h.wantPhase(t, Killing)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
}

// TestAStoppedChildIsContinuedAfterTheStopSignal: a child stopped by STOP
// or TSTP cannot act on the stop signal until it runs again.
func TestAStoppedChildIsContinuedAfterTheStopSignal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	if want := []string{"main:SIGQUIT", "main:SIGCONT"}; !slices.Equal(h.obs.sent, want) {
		t.Fatalf("counted as sent: want %v, got %v", want, h.obs.sent)
	}
}

func TestDeadlineKillsEverythingLeft(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, 20*time.Second)
	h.proc.left = 3
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleWake(at(time.Second))
	h.HandleWake(at(20 * time.Second)) // early
	h.wantPhase(t, Stopping)
	h.HandleWake(at(21 * time.Second))
	h.wantPhase(t, Killing)
	h.wantWake(t, at(21*time.Second+KillWait))
	h.HandleExit(process.Exit{PID: mainPID, Signal: signals.SIGKILL}, at(21*time.Second))
	h.HandleAllGone(at(21 * time.Second))
	h.wantPhase(t, Done)
	s := h.Summary()
	h.proc.left = 0
	h2 := newHarness(t, 0, time.Second)
	h2.HandleSignal(signals.SIGTERM, at(0))
	h2.proc.alive[0] = true // a grandchild keeps the group alive
	h2.HandleExit(process.Exit{PID: mainPID, Code: 0}, at(100*time.Millisecond))
	h2.HandleWake(at(time.Second))
	h2.HandleExit(process.Exit{PID: 8, Signal: signals.SIGKILL}, at(time.Second))
	if got := h2.Summary().OrphansWaited; got != 0 {
		t.Fatalf("a process killed at the deadline is not an orphan waited for: want 0, got %d", got)
	}
	if h.proc.kills() != 1 || s.Killed != 3 || s.ExitCode != 137 || s.Clean() {
		t.Fatalf("want 1 SIGKILL to everything, 3 killed, exit 137, not clean; got %d, %+v", h.proc.kills(), s)
	}
}

func TestProcessesThatSurviveSIGKILLAreGivenUpOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleWake(at(time.Second))
	h.HandleWake(at(time.Second + KillWait))
	h.wantPhase(t, Done)
	if got := h.Summary().ExitCode; got != 137 {
		t.Fatalf("exit code: want 137, got %d", got)
	}
}

func TestOtherSignalsAreForwardedAfterRewriting(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second,
		signals.Rewrite{From: signals.SIGUSR1, To: signals.SIGUSR2},
		signals.Rewrite{From: signals.SIGCONT, To: 0})
	for _, sig := range []syscall.Signal{signals.SIGHUP, signals.SIGWINCH, signals.SIGUSR1, signals.SIGCONT, signals.SIGCHLD, signals.SIGURG, signals.SIGTTIN, signals.SIGTTOU, signals.SIGPIPE} {
		h.HandleSignal(sig, at(0))
	}
	h.wantPhase(t, Running)
	h.wantSent(t, signals.SIGHUP, signals.SIGWINCH, signals.SIGUSR2)
	if h.obs.received != 9 || len(h.obs.sent) != 3 {
		t.Fatalf("observer: want 9 received and 3 forwarded, got %d and %v", h.obs.received, h.obs.sent)
	}
}

func TestForwardingGoesOnDuringTheDrainButNotWhileKilling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleSignal(signals.SIGHUP, at(0)) // delaying: a reload still reaches nginx
	h.HandleWake(at(time.Second))
	h.HandleSignal(signals.SIGUSR1, at(time.Second)) // stopping: log reopen still forwarded
	h.HandleWake(at(2 * time.Second))
	h.HandleSignal(signals.SIGHUP, at(2*time.Second)) // killing: pointless
	h.wantSent(t, signals.SIGHUP, signals.SIGQUIT, signals.SIGCONT, signals.SIGUSR1)
}

func TestRewriteToATriggerStartsTheDrainAndToZeroIgnoresIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second,
		signals.Rewrite{From: signals.SIGTERM, To: 0},
		signals.Rewrite{From: signals.SIGUSR2, To: signals.SIGQUIT})
	h.HandleSignal(signals.SIGTERM, at(0))
	h.wantPhase(t, Running)
	h.HandleSignal(signals.SIGUSR2, at(0))
	h.wantPhase(t, Delaying)
	if got := h.Summary().Trigger; got != signals.SIGUSR2 {
		t.Fatalf("trigger: want the received SIGUSR2, got %s", signals.Name(got))
	}
}

func TestNeverEscalatesToSIGTERM(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleSignal(signals.SIGTERM, at(100*time.Millisecond))
	h.HandleSignal(signals.SIGINT, at(200*time.Millisecond))
	h.HandleWake(at(2 * time.Second))
	h.HandleWake(at(3 * time.Second))
	if sent := h.proc.sent[0]; slices.Contains(sent, signals.SIGTERM) || slices.Contains(sent, signals.SIGINT) {
		t.Fatalf("want no TERM or INT sent, got %v", names(sent))
	}
}

func TestStopSignalFailureStillWaitsForTheDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, time.Second)
	h.proc.signalErr = errBoom
	h.HandleSignal(signals.SIGTERM, at(0))
	h.wantPhase(t, Stopping)
	h.wantWake(t, at(time.Second))
}

func TestObserverSeesEveryPhaseInOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, time.Second)
	h.HandleSignal(signals.SIGQUIT, at(0))
	h.HandleWake(at(time.Second))
	h.HandleWake(at(2 * time.Second))
	h.HandleExit(process.Exit{PID: mainPID, Signal: signals.SIGKILL}, at(2*time.Second))
	h.HandleAllGone(at(2 * time.Second))
	want := []Phase{Starting, Running, Delaying, Stopping, Killing, Done}
	if !slices.Equal(h.obs.phases, want) {
		t.Fatalf("phases: want %v, got %v", want, h.obs.phases)
	}
	if _, exited := h.obs.exited["main"]; !h.obs.stopAt.Equal(at(time.Second)) || !exited || h.obs.reaped != 1 {
		t.Fatalf("observer: want stop at 1s, the main exit and 1 reaped; got %v, %v, %d", h.obs.stopAt.Sub(t0), h.obs.exited, h.obs.reaped)
	}
}

func TestLateEventsAfterDoneAreHarmless(t *testing.T) {
	t.Parallel()
	h := newHarness(t, time.Second, time.Second)
	h.exit(0, 4, at(0))
	h.HandleAllGone(at(0))
	h.HandleWake(at(time.Hour))
	h.HandleSignal(signals.SIGHUP, at(time.Hour))
	h.wantPhase(t, Done)
	h.wantSent(t) // nothing forwarded once done
	if got := h.Summary().ExitCode; got != 4 {
		t.Fatalf("exit code: want 4, got %d", got)
	}
}
