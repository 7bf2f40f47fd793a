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

// fakeProcess records what the machine did to the world. Member i starts
// as PID 100+i, its process group alive until the test says otherwise.
type fakeProcess struct {
	sent      map[int][]syscall.Signal // to each member
	toGroup   map[int][]syscall.Signal // to what a member left
	toAll     []syscall.Signal         // to every process left
	groupLeft int                      // how many processes SignalGroup finds
	left      int                      // how many processes SignalAll finds
	alive     map[int]bool             // member i's process group
	startErr  map[int]error
	awaiting  []int // AwaitReady calls
	signalErr error
}

func newFakeProcess() *fakeProcess {
	return &fakeProcess{sent: map[int][]syscall.Signal{}, toGroup: map[int][]syscall.Signal{}, alive: map[int]bool{}, startErr: map[int]error{}}
}

func pidOf(i int) int { return 100 + i }

func (f *fakeProcess) Start(i int) (int, error) {
	if err := f.startErr[i]; err != nil {
		return 0, err
	}
	f.alive[i] = true
	return pidOf(i), nil
}

func (f *fakeProcess) AwaitReady(i int) { f.awaiting = append(f.awaiting, i) }

func (f *fakeProcess) Signal(i int, sig syscall.Signal) error {
	if f.signalErr != nil {
		return f.signalErr
	}
	f.sent[i] = append(f.sent[i], sig)
	return nil
}

func (f *fakeProcess) SignalGroup(i int, sig syscall.Signal) (int, error) {
	f.toGroup[i] = append(f.toGroup[i], sig)
	return f.groupLeft, nil
}

func (f *fakeProcess) GroupGone(i int) bool { return !f.alive[i] }

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

// recorder is an Observer that remembers what it saw.
type recorder struct {
	phases   []Phase
	received int
	sent     []string // "process:SIGNAL"
	reaped   int
	killed   int
	stopAt   time.Time
	exited   map[string]process.Exit
}

func (r *recorder) PhaseChanged(p Phase, s Summary) {
	if len(r.phases) == 0 || r.phases[len(r.phases)-1] != p {
		r.phases = append(r.phases, p)
	}
	r.stopAt = s.Main().StopSentAt
}
func (r *recorder) SignalReceived(syscall.Signal) { r.received++ }
func (r *recorder) SignalSent(name string, sig syscall.Signal) {
	r.sent = append(r.sent, name+":"+signals.Name(sig))
}
func (r *recorder) Reaped(string) { r.reaped++ }
func (r *recorder) Exited(name string, e process.Exit) {
	if r.exited == nil {
		r.exited = map[string]process.Exit{}
	}
	r.exited[name] = e
}
func (r *recorder) Killed(n int) { r.killed += n }

// mainPID is the main command's PID when it is the only member.
const mainPID = 100

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// harness is a machine with a fake clock: at(d) is t0+d.
type harness struct {
	*Machine
	proc *fakeProcess
	obs  *recorder
}

// newHarness runs the main command alone, begun at t0: phase Running.
func newHarness(t *testing.T, delay, timeout time.Duration, rewrites ...signals.Rewrite) *harness {
	t.Helper()
	h := newMembers(t, []Member{{Name: "main", StopSignal: signals.SIGQUIT}}, delay, timeout, rewrites...)
	h.Begin(at(0))
	return h
}

// newMembers is a machine for members, not yet begun.
func newMembers(t *testing.T, members []Member, delay, timeout time.Duration, rewrites ...signals.Rewrite) *harness {
	t.Helper()
	table, err := signals.NewTable(rewrites)
	if err != nil {
		t.Fatal(err)
	}
	proc, obs := newFakeProcess(), &recorder{}
	m := New(Config{
		Members: members, Delay: delay, Timeout: timeout, StartTimeout: 10 * time.Second,
		Routes: table, Observer: obs,
	}, proc)
	return &harness{Machine: m, proc: proc, obs: obs}
}

func at(d time.Duration) time.Time { return t0.Add(d) }

// exit reports member i's leader reaped with status code, its group gone.
func (h *harness) exit(i, code int, now time.Time) {
	h.proc.alive[i] = false
	h.HandleExit(process.Exit{PID: pidOf(i), Code: code}, now)
}

func (h *harness) wantPhase(t *testing.T, want Phase) {
	t.Helper()
	if got := h.Phase(); got != want {
		t.Fatalf("phase: want %s, got %s", want, got)
	}
}

// wantSent checks the signals sent to the main command, in order.
func (h *harness) wantSent(t *testing.T, want ...syscall.Signal) {
	t.Helper()
	h.wantSentTo(t, h.main, want...)
}

// wantSentTo checks the signals sent to member i, in order.
func (h *harness) wantSentTo(t *testing.T, i int, want ...syscall.Signal) {
	t.Helper()
	if got := h.proc.sent[i]; !slices.Equal(got, want) {
		t.Fatalf("signals sent to member %d: want %v, got %v", i, names(want), names(got))
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
