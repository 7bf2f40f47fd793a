package catch

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/drainit/drainit/signals"
)

var (
	caught    = make(chan os.Signal, 256)
	startOnce sync.Once
)

// start installs every handler in this test process, once.
func start(t *testing.T) {
	t.Helper()
	var err error
	startOnce.Do(func() { err = All(caught) })
	if err != nil {
		t.Fatal(err)
	}
}

// TestSignalsTheRuntimeLeavesAloneArriveAndDoNotKill sends 32 and 34 to
// this process, whose default action for both is to terminate: without
// the handler, the test binary dies here.
func TestSignalsTheRuntimeLeavesAloneArriveAndDoNotKill(t *testing.T) {
	start(t)
	for _, sig := range []syscall.Signal{signals.SIGCANCEL, 34} {
		for range 50 {
			if err := unix.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
		}
		// Signals of one number coalesce while pending: at least one arrives.
		wantSignal(t, sig)
		drain(sig)
	}
}

// TestEveryCaughtSignalArrives covers os/signal's share too, each thread
// of the process being a possible receiver.
func TestEveryCaughtSignalArrives(t *testing.T) {
	start(t)
	for _, sig := range signals.Caught() {
		err := unix.Kill(os.Getpid(), sig)
		if err == unix.EINVAL { // only under qemu-user, which keeps a few real-time signals for itself
			t.Logf("%s: this machine cannot send it (%v)", signals.Name(sig), err)
			continue
		}
		if err != nil {
			t.Fatalf("kill %s: %v", signals.Name(sig), err)
		}
		wantSignal(t, sig)
		drain(sig)
	}
}

// TestChildStartsWithDefaultDispositions: a handler, unlike SIG_IGN, is
// reset by execve.
func TestChildStartsWithDefaultDispositions(t *testing.T) {
	start(t)
	out, err := exec.Command("cat", "/proc/self/status").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && (f[0] == "SigIgn:" || f[0] == "SigCgt:") && f[1] != "0000000000000000" {
			t.Errorf("cat's %s: want none, got %s", f[0], f[1])
		}
	}
}

func wantSignal(t *testing.T, want syscall.Signal) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-caught:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("want %s delivered, got nothing", signals.Name(want))
		}
	}
}

// drain drops further deliveries of sig that are still on their way.
func drain(sig syscall.Signal) {
	for {
		select {
		case got := <-caught:
			if got != sig {
				continue
			}
		case <-time.After(20 * time.Millisecond):
			return
		}
	}
}
