//go:build linux

package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitStatusPassesThrough(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		cases := []struct {
			name    string
			command []string
			want    int
		}{
			{"exit code", helper("exit", "42"), 42},
			{"exit zero", helper("exit", "0"), 0},
			{"killed by SIGKILL", helper("killself", "KILL"), 137},
			{"killed by SIGTERM", helper("killself", "TERM"), 128 + 15},
			{"not found", []string{"/no/such/command"}, 127},
			{"not found in PATH", []string{"no-such-command-drainit"}, 127},
			{"not executable", []string{"/etc/hostname"}, 126},
			{"a directory", []string{"/tmp"}, 126},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				r := start(t, m, spec{command: c.command})
				r.wantExit(c.want)
				if c.want >= 126 && c.want <= 127 {
					lines := strings.Split(strings.TrimSpace(r.stderr.String()), "\n")
					if len(lines) != 1 || !strings.Contains(lines[0], c.command[0]) {
						t.Fatalf("want one stderr line naming %s, got %q", c.command[0], r.stderr.String())
					}
				}
			})
		}
	})
}

func TestStopSignalArrivesAfterTheDelayAndNotBefore(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		const delay = 400 * time.Millisecond
		r := start(t, m, spec{flags: []string{"--delay", delay.String()}, command: helper("record")})
		r.waitEvent("ready")
		sent := r.signal(syscall.SIGTERM)
		quit := r.waitEvent("SIGQUIT")
		r.wantExit(0)
		if got := quit.Sub(sent); got < delay {
			t.Fatalf("SIGQUIT came %v after SIGTERM: want at least the %v delay", got, delay)
		}
		if got := r.names(); !slices.Equal(got, []string{"ready", "SIGQUIT"}) {
			t.Fatalf("child's signals: want [ready SIGQUIT] (TERM never forwarded), got %v", got)
		}
		for _, step := range []string{"drain triggered", "stop signal sent", "all processes exited", `msg="drain summary" clean=true trigger=SIGTERM`, "exit_status=0"} {
			if !strings.Contains(r.stderr.String(), step) {
				t.Errorf("log lacks %q:\n%s", step, r.stderr.String())
			}
		}
	})
}

func TestEveryTriggerSignalDrains(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			r := start(t, pid1, spec{flags: []string{"--delay", "50ms"}, command: helper("record")})
			r.waitEvent("ready")
			r.signal(sig)
			r.waitEvent("SIGQUIT")
			r.wantExit(0)
		})
	}
}

func TestSecondTriggerSkipsTheDelay(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{flags: []string{"--delay", "1h"}, command: helper("record")})
		r.waitEvent("ready")
		r.signal(syscall.SIGTERM)
		time.Sleep(50 * time.Millisecond)
		r.signal(syscall.SIGQUIT)
		r.waitEvent("SIGQUIT")
		r.wantExit(0)
		if !strings.Contains(r.stderr.String(), "second trigger") {
			t.Fatalf("log lacks the second trigger:\n%s", r.stderr.String())
		}
	})
}

func TestChildExitingDuringTheDelayEndsDrainitAtOnce(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{
			flags:   []string{"--delay", "1h"},
			command: helper("record", "exit-after=300ms", "code=7"),
		})
		r.waitEvent("ready")
		r.signal(syscall.SIGTERM)
		r.wantExit(7)
		if slices.Contains(r.names(), "SIGQUIT") {
			t.Fatalf("want no stop signal for a child that exited during the delay, got %v", r.names())
		}
	})
}

func TestChildIgnoringTheStopSignalIsKilledAtTheDeadline(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{
			flags:   []string{"--delay", "0", "--timeout", "500ms"},
			command: helper("orphan", "1h", "ignore-stop"), // a stuck grandchild too
		})
		r.waitEvent("ready")
		r.signal(syscall.SIGTERM)
		r.waitEvent("SIGQUIT")
		r.wantExit(137)
		log := r.stderr.String()
		if !strings.Contains(log, "deadline hit") || !strings.Contains(log, "killed=2") {
			t.Fatalf("want a deadline line with killed=2 (child and grandchild), got:\n%s", log)
		}
		if slices.Contains(r.names(), "SIGTERM") {
			t.Fatalf("drainit escalated to SIGTERM: %v", r.names())
		}
	})
}

func TestOrphanOutlivingTheMainChildIsWaitedFor(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{
			flags:   []string{"--delay", "0", "--timeout", "1m", "-v"},
			command: helper("orphan", "1500ms"),
		})
		r.waitEvent("ready")
		r.signal(syscall.SIGTERM)
		quit := r.waitEvent("SIGQUIT")
		r.wantExit(0)
		orphanDone := r.waitEvent("orphan-done")
		if !orphanDone.After(quit) {
			t.Fatalf("the orphan finished before the main child: the test proves nothing")
		}
		if r.exitedAt.Before(orphanDone) {
			t.Fatalf("drainit exited %v before the orphan finished", orphanDone.Sub(r.exitedAt))
		}
	})
}

func TestHundredOrphanedZombiesAreReaped(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{flags: []string{"-v"}, command: helper("zombies", "100")})
		r.wantExit(0)
		if !strings.Contains(r.stdout.String(), "orphans 100 left 0") {
			t.Fatalf("want 100 orphans all reaped, got %q", r.stdout.String())
		}
		if n := strings.Count(r.stderr.String(), "msg=reaped"); n < 100 {
			t.Fatalf("want at least 100 reaped lines at -v, got %d", n)
		}
	})
}

func TestStdinIsPassedThrough(t *testing.T) {
	t.Parallel()
	forEachMode(t, func(t *testing.T, m mode) {
		r := start(t, m, spec{command: helper("cat"), stdin: "hello, drainit\n"})
		r.wantExit(0)
		if got := r.stdout.String(); got != "hello, drainit\n" {
			t.Fatalf("stdout: want the stdin echoed, got %q", got)
		}
	})
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--bogus", "true"}, "", "--bogus"},
		{[]string{"--delay", "soon", "true"}, "", "--delay"},
		{[]string{"--timeout", "-1s", "true"}, "", "negative"},
		{[]string{"--stop-signal", "SIGFOO", "true"}, "", "SIGFOO"},
		{[]string{"--rewrite", "15", "true"}, "", "FROM:TO"},
		{[]string{"--rewrite", "KILL:1", "true"}, "", "cannot be caught"},
		{[]string{"--rewrite", "1:2", "--rewrite", "1:3", "true"}, "", "already rewritten"},
		{[]string{"--rewrite", "33:1", "true"}, "", "cannot be caught"},
		{[]string{"--rewrite", "HUP:32", "true"}, "", "reserved by the C library"},
		{[]string{"--stop-signal", "33", "true"}, "", "reserved by the C library"},
		{[]string{"--backend", "php-fpm | tee log", "true"}, "", "unquoted '|'"},
		{[]string{"--backend", "php-fpm 'unterminated", "true"}, "", "unterminated"},
		{[]string{"--backend", "/bin/true", "true"}, "", "two processes named true"},
		{[]string{"--backend", "sleep 1", "--backend-stop-signal", "nginx=TERM", "true"}, "", "no backend named nginx (backends: sleep)"},
		{[]string{"--backend", "sleep 1", "--backend-ready", "sleep=nowhere", "true"}, "", "--backend-ready"},
		{[]string{"--backend", "sleep 1", "--backend-stop-signal", "sleep", "true"}, "", "NAME=VALUE"},
		{[]string{"true"}, "DRAINIT_BACKENDS=sleep 1; $oops", "DRAINIT_BACKENDS"},
		{[]string{"--log-format", "xml", "true"}, "", "--log-format"},
		{[]string{"--quiet", "1s", "true"}, "", "--quiet needs at least one --upstream"},
		{[]string{"--quiet", "1s", "--delay", "2s", "--min-delay", "3s", "--upstream", "nginx=http://127.0.0.1:1/", "true"}, "", "--min-delay 3s is longer than --delay 2s"},
		{[]string{"true"}, "DRAINIT_QUIET=soon", "DRAINIT_QUIET"},
		{[]string{"--unready-at", "later", "true"}, "", "--unready-at: want trigger or stop"},
		{[]string{}, "", "no command"},
		{[]string{"--"}, "", "no command"},
		{[]string{"true"}, "DRAINIT_DELAY=later", "DRAINIT_DELAY"},
		{[]string{"true"}, "DRAINIT_PROCESS_GROUP=maybe", "DRAINIT_PROCESS_GROUP"},
		{[]string{"true"}, "DRAINIT_REWRITE=15:3,bad", "bad"},
	}
	for _, c := range cases {
		t.Run(strings.Join(append(c.args, c.env), " "), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(drainitBin, c.args...)
			if c.env != "" {
				cmd.Env = append(os.Environ(), c.env)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := cmd.ProcessState.ExitCode()
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Fatalf("want exit 2 and one line naming %q, got %d (%v) and %q", c.want, code, err, stderr.String())
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(drainitBin, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--delay", "--timeout", "--stop-signal", "--rewrite", "--process-group", "nginx", "php-fpm", "DRAINIT_DELAY"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	out, err = exec.Command(drainitBin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "drainit ") {
		t.Fatalf("--version: want a drainit line, got %q (%v)", out, err)
	}
}
