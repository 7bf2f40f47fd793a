package drain

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// chanProcess reports each signal on a channel, for tests that run the
// machine on its own goroutine. Its one member is PID mainPID.
type chanProcess struct{ sent chan syscall.Signal }

func (c chanProcess) Start(int) (int, error)                       { return mainPID, nil }
func (c chanProcess) AwaitReady(int)                               {}
func (c chanProcess) Signal(_ int, sig syscall.Signal) error       { c.sent <- sig; return nil }
func (c chanProcess) SignalGroup(int, syscall.Signal) (int, error) { return 0, nil }
func (c chanProcess) GroupGone(int) bool                           { return false }
func (c chanProcess) SignalAll(syscall.Signal) (int, error)        { return 0, nil }

// TestRunFeedsTheMachine drives the real loop with real channels and a
// real timer; it checks order, not speed.
func TestRunFeedsTheMachine(t *testing.T) {
	t.Parallel()
	table, _ := signals.NewTable(nil)
	proc := chanProcess{sent: make(chan syscall.Signal, 8)}
	m := New(Config{Members: []Member{{Name: "main", StopSignal: signals.SIGQUIT}}, Delay: 10 * time.Millisecond, Timeout: time.Minute, Routes: table}, proc)
	sigs := make(chan os.Signal, 4)
	exits := make(chan []process.Exit, 4)
	done := make(chan Summary)
	go func() { done <- Run(m, Inputs{Signals: sigs, Exits: exits}) }()

	sigs <- signals.SIGHUP
	sigs <- signals.SIGTERM
	for _, want := range []syscall.Signal{signals.SIGHUP, signals.SIGQUIT, signals.SIGCONT} {
		select {
		case got := <-proc.sent:
			if got != want {
				t.Fatalf("want %s sent, got %s", signals.Name(want), signals.Name(got))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("want %s sent, got nothing", signals.Name(want))
		}
	}
	exits <- []process.Exit{{PID: 9, Code: 0}, {PID: mainPID, Code: 0}}
	close(exits)
	select {
	case s := <-done:
		if s.ExitCode != 0 || !s.Clean() || s.DelayWaited < 10*time.Millisecond {
			t.Fatalf("summary: want a clean exit 0 after the 10ms delay, got %+v", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after every process was gone")
	}
}
