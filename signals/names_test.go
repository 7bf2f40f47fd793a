package signals

import (
	"syscall"
	"testing"
)

func TestParseAcceptsNamesAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want syscall.Signal
	}{
		{"TERM", SIGTERM}, {"SIGTERM", SIGTERM}, {"sigterm", SIGTERM}, {"Term", SIGTERM},
		{"15", SIGTERM}, {" 3 ", SIGQUIT}, {"quit", SIGQUIT}, {"hup", SIGHUP},
		{"WINCH", SIGWINCH}, {"usr2", SIGUSR2}, {"IOT", 6}, {"SIGCLD", SIGCHLD}, {"poll", 29},
		{"RTMIN", 34}, {"SIGRTMIN+2", 36}, {"rtmax-1", 63}, {"RTMAX", 64}, {"64", 64}, {"1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q): want %d, got %d (err %v)", tt.in, tt.want, got, err)
			}
		})
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " ", "0", "65", "-1", "TERMINATE", "SIG", "RTMIN+31", "RTMAX-31", "RTMIN+x", "1.5", "SIGSIGTERM"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q): want an error, got %d", in, got)
		}
	}
}

func TestNameRoundTrips(t *testing.T) {
	t.Parallel()
	for sig := syscall.Signal(1); sig <= maxSignal; sig++ {
		name := Name(sig)
		if sig == 32 || sig == 33 {
			if name != "signal 32" && name != "signal 33" {
				t.Errorf("Name(%d): want signal N, got %q", sig, name)
			}
			continue
		}
		back, err := Parse(name)
		if err != nil || back != sig {
			t.Errorf("Parse(Name(%d)=%q): want %d, got %d (err %v)", sig, name, sig, back, err)
		}
	}
	if got := Name(99); got != "signal 99" {
		t.Errorf("Name(99): want %q, got %q", "signal 99", got)
	}
}
