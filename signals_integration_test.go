//go:build linux

package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/signals"
)

func TestSignalsArePassedThroughAndRewritten(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{flags: []string{"-v", "--delay", "0", "--rewrite", "USR1:USR2", "--rewrite", "cont:0"}, command: helper("record", "cont")})
		r.waitEvent("ready")
		for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGUSR1, syscall.SIGCONT} {
			r.signal(sig)
			time.Sleep(20 * time.Millisecond) // signals of one kind coalesce; keep them apart
		}
		r.waitEvent("SIGUSR2")
		r.signal(syscall.SIGTERM)
		r.wantExit(0)
		// drainit sends a CONT of its own with the stop signal, which may
		// overtake it; the one rewritten to 0 shows in the log as dropped.
		got := slices.DeleteFunc(r.names(), func(n string) bool { return n == "SIGCONT" })
		if want := []string{"ready", "SIGHUP", "SIGWINCH", "SIGUSR2", "SIGQUIT"}; !slices.Equal(got, want) {
			t.Fatalf("child's signals: want %v (and SIGCONT with the stop), got %v", want, r.names())
		}
		r.wantLog(`msg="signal not forwarded" signal=SIGCONT reason=drop`)
	})
}

func TestEnvironmentConfiguresAndFlagsWin(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{
		flags:   []string{"--stop-signal", "USR2"},
		command: helper("record", "exit-on=USR2"),
		env:     []string{"DRAINIT_STOP_SIGNAL=HUP", "DRAINIT_DELAY=0", "DRAINIT_REWRITE=WINCH:USR1"},
	})
	r.waitEvent("ready")
	r.signal(syscall.SIGWINCH)
	r.waitEvent("SIGUSR1")
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	if want, got := []string{"ready", "SIGUSR1", "SIGUSR2"}, r.names(); !slices.Equal(got, want) {
		t.Fatalf("child's signals: want %v, got %v", want, got)
	}
}

func TestProcessGroupForwardingReachesTheWholeGroup(t *testing.T) {
	t.Parallel()
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprintf("process-group=%v", group), func(t *testing.T) {
			t.Parallel()
			r := start(t, subreaper, spec{
				flags:   []string{fmt.Sprintf("--process-group=%v", group), "--delay", "0", "--timeout", "300ms"},
				command: helper("orphan", "1h"),
			})
			r.waitEvent("ready")
			r.waitEvent("sleeper-ready")
			r.signal(syscall.SIGHUP)
			r.waitEvent("SIGHUP")
			if group {
				r.waitEvent("sleeper-SIGHUP")
			}
			r.signal(syscall.SIGTERM)
			r.wantExit(0) // the main child exits on QUIT; the sleeper is killed at the deadline
			if got := slices.Contains(r.names(), "sleeper-SIGHUP"); got != group {
				t.Fatalf("grandchild got HUP: want %v, got %v (%v)", group, got, r.names())
			}
			if !strings.Contains(r.stderr.String(), "killed=1") {
				t.Fatalf("want the sleeper killed at the deadline:\n%s", r.stderr.String())
			}
		})
	}
}

// TestTriggerRightAfterStartIsNotLost sends TERM the moment drainit has a
// child, long before the child is ready. The delay is an hour, so the stop
// signal cannot reach a child that has no handler yet; once the child is
// ready a second TERM ends the delay, and that it counts as the second
// trigger proves the first was not lost.
func TestTriggerRightAfterStartIsNotLost(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{flags: []string{"--delay", "1h"}, command: helper("record")})
	for deadline := time.Now().Add(scale(10 * time.Second)); len(childrenOf(r.cmd.Process.Pid)) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("drainit never started its child")
		}
	}
	r.signal(syscall.SIGTERM)
	r.waitEvent("ready")
	r.signal(syscall.SIGTERM)
	r.waitEvent("SIGQUIT")
	r.wantExit(0)
	r.wantLog("second trigger, skipping the rest of the delay")
}

// TestSignalsTheParentBlockedStillArrive: started with USR1 and 40
// blocked (and everything ignored), drainit still receives and forwards
// them. The runtime's threads keep an inherited mask for the signals it
// does not know to be wanted, so some thread of drainit's must unblock
// them.
func TestSignalsTheParentBlockedStillArrive(t *testing.T) {
	t.Parallel()
	child := []string{"bash", "-c", `rec() { echo "$1 $(date +%s%N)" >> "$DRAINIT_TEST_REC"; }
trap 'rec SIGUSR1' USR1
trap 'rec SIGRTMIN+6' 40
trap 'exit 0' QUIT
rec ready
while :; do sleep 0.01; done`}
	r := start(t, subreaper, spec{launcher: helper("careless"), flags: []string{"--delay", "0"}, command: child})
	r.waitEvent("ready")
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, 40} {
		r.signal(sig)
		r.waitEvent(signals.Name(sig))
	}
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
}
