//go:build linux

package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/signals"
)

// The duties of an init that tini's and dumb-init's own suites probe:
// signals it must survive, the child's clean start, job control, stopped
// children, and what the child leaves behind.

// trapShell is a bash child that records SIGRTMIN (34), ignores every
// other signal it can, and exits 0 on QUIT. bash, not a Go helper: the Go
// runtime cannot catch 34.
func trapShell() []string {
	return []string{"bash", "-c", `rec() { echo "$1 $(date +%s%N)" >> "$DRAINIT_TEST_REC"; }
for s in $(seq 1 64); do trap "" $s 2>/dev/null; done
trap 'rec SIGRTMIN' RTMIN
trap 'exit 0' QUIT
rec ready
while :; do sleep 0.01; done`}
}

// running reports whether pid exists and is neither a zombie nor stopped:
// TSTP, TTIN and TTOU would stop a process that has no handler for them.
func running(pid int) bool {
	switch processState(pid) {
	case "", "Z", "X", "T", "t":
		return false
	}
	return true
}

// wantAlive fails unless drainit is still running, not stopped, after sig.
func (r *drainitRun) wantAlive(sig syscall.Signal) {
	r.t.Helper()
	pid := r.drainitPID()
	select {
	case <-r.done:
		r.t.Fatalf("drainit died after %s: %v\n%s", signals.Name(sig), r.cmd.ProcessState, r.stderr.String())
	default:
	}
	if !running(pid) {
		r.t.Fatalf("drainit died or stopped after %s (state %q)\n%s", signals.Name(sig), processState(pid), r.stderr.String())
	}
}

// TestSignals32And34DoNotKillDrainitAnd34IsForwarded: the Go runtime has
// no handler for either, so without one of drainit's own, 34 killed
// drainit when it was not PID 1 (and was dropped when it was).
func TestSignals32And34DoNotKillDrainitAnd34IsForwarded(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{flags: []string{"--delay", "0", "-v"}, command: trapShell()})
		r.waitEvent("ready")
		for _, sig := range []syscall.Signal{32, 34} {
			r.signal(sig)
		}
		r.waitEvent("SIGRTMIN")
		r.wantAlive(34)
		r.signal(syscall.SIGTERM)
		r.wantExit(0)
		r.wantLog(`msg="signal not forwarded" signal="signal 32"`, `msg="signal forwarded" received=SIGRTMIN sent=SIGRTMIN`)
	})
}

// TestDrainitSurvivesEverySignalItCanCatch sends drainit, not PID 1 (where
// the kernel would drop what has no handler), every signal but KILL, STOP
// and the drain triggers, one at a time.
func TestDrainitSurvivesEverySignalItCanCatch(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{flags: []string{"--delay", "0"}, command: trapShell()})
	r.waitEvent("ready")
	for sig := syscall.Signal(1); sig <= 64; sig++ {
		if sig == syscall.SIGKILL || sig == syscall.SIGSTOP || slices.Contains(signals.Triggers, sig) {
			continue
		}
		r.signal(sig)
		time.Sleep(5 * time.Millisecond) // a default action, had there been one, lands by now
		r.wantAlive(sig)
	}
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
}

// TestChildStartsWithACleanSignalState: whatever drainit inherited, its
// child starts with nothing ignored and nothing blocked, as dumb-init's
// does. The careless launcher ignores every signal and blocks some that
// the Go runtime unblocks in its threads and some it leaves alone.
func TestChildStartsWithACleanSignalState(t *testing.T) {
	t.Parallel()
	for name, launcher := range map[string][]string{"plain": nil, "careless parent": helper("careless")} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := start(t, subreaper, spec{launcher: launcher, command: helper("sigstate")})
			r.wantExit(0)
			out := r.stdout.String()
			if !strings.Contains(out, "SigBlk: 0000000000000000") || !strings.Contains(out, "SigIgn: 0000000000000000") {
				t.Fatalf("want SigBlk and SigIgn zero in the child, got:\n%s%s", out, r.stderr.String())
			}
			// SIGCHLD ignored as well: drainit must still learn the status.
			r = start(t, subreaper, spec{launcher: launcher, command: helper("exit", "42")})
			r.wantExit(42)
		})
	}
}

// TestJobControlNeitherStopsNorSpinsDrainit runs drainit as the foreground
// job of a shell on a terminal with TOSTOP. Once drainit has handed the
// terminal to its child, every line it logs is a background write, which
// used to raise SIGTTOU forever: drainit spun and never exited.
func TestJobControlNeitherStopsNorSpinsDrainit(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{
		launcher: helper("jobshell"),
		flags:    []string{"-v"},           // a log line right after the hand-over
		command:  []string{"sleep", "0.3"}, // a child whose CPU time is nothing
	})
	r.wantExit(0)
	r.waitEvent("job-exit=0")
	var cpu, wall float64
	for _, e := range r.names() {
		if v, ok := strings.CutPrefix(e, "job-cpu="); ok {
			cpu, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(e, "job-wall="); ok {
			wall, _ = strconv.ParseFloat(v, 64)
		}
	}
	// A spinning drainit burns one core for as long as it runs; a waiting
	// one, a few milliseconds at start-up.
	if cpu > wall/2 {
		t.Fatalf("drainit used %.2f s of CPU in a %.2f s run: it spun", cpu, wall)
	}
}

// TestStoppedChildDrainsAtOnce: a child stopped by SIGSTOP cannot act on
// the stop signal until it is continued; it used to wait for the deadline.
func TestStoppedChildDrainsAtOnce(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		const timeout = time.Minute // longer than wait() allows: reaching it fails the test
		r := start(t, m, spec{flags: []string{"--delay", "0", "--timeout", timeout.String()}, command: helper("record")})
		r.waitEvent("ready")
		child := r.mainChildPID()
		if err := syscall.Kill(child, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(scale(10 * time.Second)); processState(child) != "T"; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the child never stopped: state %q", processState(child))
			}
		}
		r.signal(syscall.SIGTERM)
		r.wantExit(0)
		r.waitEvent("SIGQUIT")
		if strings.Contains(r.stderr.String(), "deadline hit") {
			t.Fatalf("the stopped child was killed at the deadline:\n%s", r.stderr.String())
		}
	})
}

// processState is the state letter of /proc/PID/stat, or "" if it is gone.
func processState(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// TestWhatTheChildLeavesIsStoppedAndNothingOutlivesDrainit: when the main
// child exits by itself, what it left gets the stop signal, then SIGKILL
// at --timeout. Not PID 1, drainit used to exit and leave them running
// under the machine's init (tini #236).
func TestWhatTheChildLeavesIsStoppedAndNothingOutlivesDrainit(t *testing.T) {
	t.Parallel()
	// The shell exits once its background job runs sleep: before the exec
	// the job is a forked shell that has not yet set QUIT to ignored.
	leave := func(code int) []string {
		return []string{"sh", "-c", fmt.Sprintf(`sleep 300 & until grep -qx "Name:	sleep" /proc/$!/status; do :; done; exit %d`, code)}
	}
	cases := []struct {
		name    string
		flags   []string
		command []string
		summary string
	}{
		// A background job of sh ignores QUIT (POSIX), so it takes the kill.
		{"ignores the stop signal", []string{"--timeout", "500ms"}, leave(0), "msg=exiting status=0 left=1 killed=1"},
		// TERM it does not ignore: it ends at once, well before the minute.
		{"honours the stop signal", []string{"--timeout", "1m", "--stop-signal", "TERM"}, leave(3), "msg=exiting status=3 left=1 killed=0"},
		{"a Go orphan ignoring QUIT", []string{"--timeout", "500ms"},
			helper("orphan", "1h", "exit-after=0s"), "msg=exiting status=0 left=1 killed=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			forEachMode(t, func(t *testing.T, m mode) {
				r := start(t, m, spec{flags: c.flags, command: c.command})
				r.wait()
				r.wantLog(`msg="stopping the processes it left" process=`, ` left=1 `, c.summary)
				if left := survivors(r.rec); len(left) > 0 {
					t.Fatalf("processes outlived drainit: %v\n%s", left, r.stderr.String())
				}
			})
		})
	}
}
