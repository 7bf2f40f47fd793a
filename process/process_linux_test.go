//go:build linux

package process

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestExitStatusIsTheShellConvention(t *testing.T) {
	t.Parallel()
	cases := []struct {
		e    Exit
		want int
	}{
		{Exit{Code: 0}, 0}, {Exit{Code: 42}, 42}, {Exit{Signal: syscall.SIGKILL}, 137}, {Exit{Signal: syscall.SIGTERM}, 143},
	}
	for _, c := range cases {
		if got := c.e.Status(); got != c.want {
			t.Errorf("%v: want %d, got %d", c.e, c.want, got)
		}
	}
}

func TestStartErrorsCarryTheShellExitCodes(t *testing.T) {
	t.Parallel()
	cases := map[string]int{
		"/no/such/file":        ExitNotFound,
		"no-such-command-here": ExitNotFound,
		"/etc/hostname":        ExitCannotExecute,
		"/":                    ExitCannotExecute,
	}
	for cmd, want := range cases {
		_, err := Lookup(cmd)
		if err == nil {
			_, err = Start(cmd, []string{cmd}, false)
		}
		var se *StartError
		if !errors.As(err, &se) || se.Code != want {
			t.Errorf("Start(%q): want a StartError with code %d, got %v", cmd, want, err)
		}
	}
}

// TestReapSignalAllAndDescendants runs a real process tree: a shell with two
// sleeping children. It is not parallel because Reap waits for any child
// of the test process.
func TestReapSignalAllAndDescendants(t *testing.T) {
	if err := BecomeSubreaper(); err != nil {
		t.Skipf("cannot become a subreaper: %v", err)
	}
	sh, err := Lookup("sh")
	if err != nil {
		t.Fatal(err)
	}
	child, err := Start(sh, []string{"sh", "-c", "sleep 60 & sleep 60 & wait"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var found []int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if found = Descendants(syscall.Getpid()); len(found) == 3 {
			break
		}
	}
	if len(found) != 3 || !slices.Contains(found, child.PID) {
		t.Fatalf("Descendants: want the shell %d and its two sleeps, got %v", child.PID, found)
	}
	if n, err := SignalGroup(child.PID, syscall.SIGCONT); n != 3 || err != nil || GroupGone(child.PID) {
		t.Fatalf("SignalGroup: want the 3 in the shell's group and the group there, got %d (%v)", n, err)
	}
	n, err := SignalAll(syscall.SIGKILL, []int{child.PID})
	if err != nil || n != 3 {
		t.Fatalf("SignalAll(SIGKILL): want 3 killed, got %d (%v)", n, err)
	}
	exits := make(chan []Exit, 8)
	go Reap(exits)
	var reaped []Exit
	for batch := range exits { // closes at ECHILD: every descendant reaped
		reaped = append(reaped, batch...)
	}
	if len(reaped) != 3 {
		t.Fatalf("Reap: want 3 exits, got %v", reaped)
	}
	for _, e := range reaped {
		if e.Signal != syscall.SIGKILL {
			t.Errorf("want every process killed by SIGKILL, got %v", e)
		}
	}
	if err := child.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("signalling a reaped child: want no error, got %v", err)
	}
	if !GroupGone(child.PID) {
		t.Fatal("GroupGone: want the reaped group gone")
	}
}
