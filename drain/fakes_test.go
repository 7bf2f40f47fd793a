package drain

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// fakeProcess records what the machine did to the world.
type fakeProcess struct {
	sent      []syscall.Signal // to the main child
	toAll     []syscall.Signal // to every process left
	left      int              // how many processes SignalAll finds
	signalErr error
}

func (f *fakeProcess) Signal(sig syscall.Signal) error {
	if f.signalErr != nil {
		return f.signalErr
	}
	f.sent = append(f.sent, sig)
	return nil
}

func (f *fakeProcess) SignalAll(sig syscall.Signal) (int, error) {
	f.toAll = append(f.toAll, sig)
	return f.left, nil
}

// kills counts the SIGKILLs sent to everything left.
func (f *fakeProcess) kills() int {
	n := 0
	for _, sig := range f.toAll {
		if sig == signals.SIGKILL {
			n++
		}
	}
	return n
}

// recorder is an Observer that remembers the phases it saw.
type recorder struct {
	phases    []Phase
	received  int
	forwarded []syscall.Signal
	reaped    int
	killed    int
	stopAt    time.Time
	main      *process.Exit
}

func (r *recorder) PhaseChanged(p Phase, s Summary) {
	r.phases = append(r.phases, p)
	if p == Stopping {
		r.stopAt = s.StopSentAt
	}
}
func (r *recorder) SignalReceived(syscall.Signal)      { r.received++ }
func (r *recorder) SignalForwarded(sig syscall.Signal) { r.forwarded = append(r.forwarded, sig) }
func (r *recorder) Reaped(bool)                        { r.reaped++ }
func (r *recorder) MainExited(e process.Exit)          { r.main = &e }
func (r *recorder) Killed(n int)                       { r.killed += n }

const mainPID = 100

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// harness is a machine with a fake clock: at(d) is t0+d.
type harness struct {
	*Machine
	proc *fakeProcess
	obs  *recorder
}

func newHarness(t *testing.T, delay, timeout time.Duration, rewrites ...signals.Rewrite) *harness {
	t.Helper()
	table, err := signals.NewTable(rewrites)
	if err != nil {
		t.Fatal(err)
	}
	proc, obs := &fakeProcess{}, &recorder{}
	m := New(Config{
		Delay: delay, Timeout: timeout, StopSignal: signals.SIGQUIT,
		Routes: table, MainPID: mainPID, Observer: obs,
	}, proc)
	return &harness{Machine: m, proc: proc, obs: obs}
}

func at(d time.Duration) time.Time { return t0.Add(d) }

func (h *harness) wantPhase(t *testing.T, want Phase) {
	t.Helper()
	if got := h.Phase(); got != want {
		t.Fatalf("phase: want %s, got %s", want, got)
	}
}

// wantSent checks the signals sent to the main child, in order.
func (h *harness) wantSent(t *testing.T, want ...syscall.Signal) {
	t.Helper()
	if !slices.Equal(h.proc.sent, want) {
		t.Fatalf("signals sent: want %v, got %v", names(want), names(h.proc.sent))
	}
}

// wantSentToAll checks the signals sent to every process left, in order.
func (h *harness) wantSentToAll(t *testing.T, want ...syscall.Signal) {
	t.Helper()
	if !slices.Equal(h.proc.toAll, want) {
		t.Fatalf("signals sent to everything left: want %v, got %v", names(want), names(h.proc.toAll))
	}
}

func (h *harness) wantWake(t *testing.T, want time.Time) {
	t.Helper()
	got, ok := h.Wake()
	if want.IsZero() {
		if ok {
			t.Fatalf("wake: want none, got %v", got.Sub(t0))
		}
		return
	}
	if !ok || !got.Equal(want) {
		t.Fatalf("wake: want %v, got %v (set %v)", want.Sub(t0), got.Sub(t0), ok)
	}
}

func names(list []syscall.Signal) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = signals.Name(s)
	}
	return out
}

var errBoom = errors.New("boom")
