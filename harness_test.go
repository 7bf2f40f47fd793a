//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// drainitBin is the real binary, built once by TestMain.
var drainitBin string

func TestMain(m *testing.M) {
	if role := os.Getenv("DRAINIT_TEST_HELPER"); role != "" {
		os.Exit(runHelper(role))
	}
	// Helpers are this test binary; under -race, ThreadSanitizer would
	// otherwise sleep a second at every exit and blur every timeline.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	dir, err := os.MkdirTemp("", "drainit-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	drainitBin = filepath.Join(dir, "drainit")
	build := exec.Command("go", "build", "-o", drainitBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building drainit: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// scale stretches every wait in these tests on slow machines:
// DRAINIT_TEST_SCALE=3 triples them. Bounds are generous by design: the
// speed targets are measured by bench/, not asserted here.
func scale(d time.Duration) time.Duration {
	if f, err := strconv.ParseFloat(os.Getenv("DRAINIT_TEST_SCALE"), 64); err == nil && f > 0 {
		return time.Duration(float64(d) * f)
	}
	return d
}

type mode int

const (
	subreaper mode = iota // drainit as a plain child of the test
	pid1                  // drainit as PID 1 of a new PID namespace
)

func (m mode) String() string { return [...]string{"subreaper", "pid1"}[m] }

var modes = []mode{subreaper, pid1}

// unshareWorks reports whether this machine can make PID namespaces.
func unshareWorks() bool {
	return exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() == nil
}

func needMode(t *testing.T, m mode) {
	t.Helper()
	if m == pid1 && !unshareWorks() {
		t.Skip("unshare --pid --fork --mount-proc does not work here (needs root or user namespaces)")
	}
}

// drainitRun is one drainit process under test.
type drainitRun struct {
	t        *testing.T
	cmd      *exec.Cmd
	mode     mode
	rec      string
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	done     chan struct{}
	exitedAt time.Time
}

type spec struct {
	flags  []string
	helper string   // the helper role of the main child
	args   []string // its arguments
	env    []string // extra environment for drainit and the child
	stdin  string
	argv   []string // a literal command instead of a helper
	raw    bool     // argv is the whole command line: it starts drainit itself
}

func start(t *testing.T, m mode, s spec) *drainitRun {
	t.Helper()
	needMode(t, m)
	r := &drainitRun{t: t, mode: m, rec: filepath.Join(t.TempDir(), "rec"), done: make(chan struct{})}
	argv := append([]string{drainitBin}, s.flags...)
	argv = append(argv, "--")
	if s.raw {
		argv = s.argv
	} else if s.argv != nil {
		argv = append(argv, s.argv...)
	} else {
		argv = append(argv, os.Args[0])
		argv = append(argv, s.args...)
	}
	if m == pid1 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	}
	r.cmd = exec.Command(argv[0], argv[1:]...)
	r.cmd.Env = append(os.Environ(), "DRAINIT_TEST_REC="+r.rec)
	if s.helper != "" {
		r.cmd.Env = append(r.cmd.Env, "DRAINIT_TEST_HELPER="+s.helper)
	}
	r.cmd.Env = append(r.cmd.Env, s.env...)
	r.cmd.Stdin = strings.NewReader(s.stdin)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = r.cmd.Wait()
		r.exitedAt = time.Now()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			if pid := r.drainitPIDNoWait(); pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			<-r.done
		}
	})
	return r
}

// drainitPID is drainit's PID as seen from the test: the process itself,
// or unshare's forked child in pid1 mode.
func (r *drainitRun) drainitPID() int {
	r.t.Helper()
	deadline := time.Now().Add(scale(10 * time.Second))
	for time.Now().Before(deadline) {
		if pid := r.drainitPIDNoWait(); pid > 0 {
			return pid
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.t.Fatal("drainit never started")
	return 0
}

func (r *drainitRun) drainitPIDNoWait() int {
	if r.mode == subreaper {
		return r.cmd.Process.Pid
	}
	p := r.cmd.Process.Pid
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p, p))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0
	}
	pid, _ := strconv.Atoi(fields[0])
	return pid
}

func (r *drainitRun) signal(sig syscall.Signal) time.Time {
	r.t.Helper()
	pid := r.drainitPID()
	sent := time.Now()
	if err := syscall.Kill(pid, sig); err != nil {
		r.t.Fatalf("kill %d: %v", pid, err)
	}
	return sent
}

// wait returns drainit's exit status.
func (r *drainitRun) wait() int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(scale(30 * time.Second)):
		r.t.Fatalf("drainit did not exit\nstderr:\n%s", r.stderr.String())
	}
	return r.cmd.ProcessState.ExitCode()
}

func (r *drainitRun) wantExit(want int) {
	r.t.Helper()
	if got := r.wait(); got != want {
		r.t.Fatalf("exit status: want %d, got %d\nstdout:\n%s\nstderr:\n%s", want, got, r.stdout.String(), r.stderr.String())
	}
}

// event is one line of the record file.
type event struct {
	name string
	at   time.Time
}

func (r *drainitRun) events() []event {
	data, _ := os.ReadFile(r.rec)
	var out []event
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		name, ns, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(ns, 10, 64)
		out = append(out, event{name, time.Unix(0, n)})
	}
	return out
}

// waitEvent waits until the child has recorded name, and returns when.
func (r *drainitRun) waitEvent(name string) time.Time {
	r.t.Helper()
	deadline := time.Now().Add(scale(10 * time.Second))
	for time.Now().Before(deadline) {
		for _, e := range r.events() {
			if e.name == name {
				return e.at
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.t.Fatalf("the child never recorded %s; it recorded %v\nstderr:\n%s", name, r.names(), r.stderr.String())
	return time.Time{}
}

func (r *drainitRun) names() []string {
	var out []string
	for _, e := range r.events() {
		out = append(out, e.name)
	}
	return out
}
