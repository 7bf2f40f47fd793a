package signals

import (
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestParseRewrite(t *testing.T) {
	t.Parallel()
	good := map[string]Rewrite{
		"15:3":       {SIGTERM, SIGQUIT},
		"TERM:QUIT":  {SIGTERM, SIGQUIT},
		"sigusr1:0":  {SIGUSR1, 0},
		"HUP:USR1":   {SIGHUP, SIGUSR1},
		"winch:KILL": {SIGWINCH, SIGKILL},
		"RTMIN:HUP":  {34, SIGHUP}, // 34 is caught by drainit's own handler
	}
	for in, want := range good {
		got, err := ParseRewrite(in)
		if err != nil || got != want {
			t.Errorf("ParseRewrite(%q): want %v, got %v (err %v)", in, want, got, err)
		}
	}
	bad := map[string]string{
		"15":       "want FROM:TO",
		"15-3":     "want FROM:TO",
		":3":       "empty signal",
		"15:":      "empty signal",
		"0:3":      "out of range",
		"15:99":    "out of range",
		"FOO:3":    "unknown signal",
		"KILL:3":   "cannot be caught",
		"STOP:3":   "cannot be caught",
		"CHLD:HUP": "never forwarded",
		"URG:0":    "never forwarded",
		"15:3:1":   "unknown signal",
		"PROF:1":   "cannot be caught",
		"33:1":     "cannot be caught",
		"32:1":     "never forwarded",
		"1:32":     "reserved by the C library",
		"HUP:33":   "reserved by the C library",
		"HUP:00":   "out of range",
	}
	for in, wantMsg := range bad {
		_, err := ParseRewrite(in)
		if err == nil || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("ParseRewrite(%q): want error containing %q, got %v", in, wantMsg, err)
		}
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	table, err := NewTable([]Rewrite{{SIGHUP, SIGUSR1}, {SIGUSR2, 0}, {SIGINT, SIGWINCH}, {SIGCONT, SIGTERM}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in     syscall.Signal
		out    syscall.Signal
		action Action
	}{
		{SIGTERM, SIGTERM, Drain},
		{SIGQUIT, SIGQUIT, Drain},
		{SIGHUP, SIGUSR1, Forward},  // rewritten
		{SIGUSR2, 0, Drop},          // rewritten to 0
		{SIGINT, SIGWINCH, Forward}, // a trigger rewritten away is forwarded
		{SIGCONT, SIGTERM, Drain},   // a rewrite to a trigger starts the drain
		{SIGWINCH, SIGWINCH, Forward},
		{SIGCHLD, SIGCHLD, Ignore},
		{SIGURG, SIGURG, Ignore},
		{SIGTTIN, SIGTTIN, Ignore},
		{SIGTTOU, SIGTTOU, Ignore},
		{SIGPIPE, SIGPIPE, Ignore},
		{40, 40, Forward},
	}
	for _, tt := range tests {
		out, action := table.Route(tt.in)
		if out != tt.out || action != tt.action {
			t.Errorf("Route(%s): want %s %v, got %s %v", Name(tt.in), Name(tt.out), tt.action, Name(out), action)
		}
	}
}

func TestNewTableRejectsDuplicateRewrite(t *testing.T) {
	t.Parallel()
	_, err := NewTable([]Rewrite{{SIGHUP, SIGUSR1}, {SIGHUP, 0}})
	if err == nil || !strings.Contains(err.Error(), "already rewritten") {
		t.Fatalf("want an already-rewritten error, got %v", err)
	}
}

func TestCaughtCoversEveryForwardableSignal(t *testing.T) {
	t.Parallel()
	caught := Caught()
	for _, never := range []syscall.Signal{SIGKILL, SIGSTOP, SIGPROF, SIGURG, SIGCHLD, 33} {
		if slices.Contains(caught, never) {
			t.Errorf("Caught() includes %s", Name(never))
		}
	}
	for _, want := range []syscall.Signal{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTTIN, SIGTTOU, SIGPIPE, 32, 34, 64} {
		if !slices.Contains(caught, want) {
			t.Errorf("Caught() lacks %s", Name(want))
		}
	}
}
