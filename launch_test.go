//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// This file starts the real drainit under test and watches it;
// children_test.go holds the helper children it runs.

// drainitBin is the real binary, built once by TestMain.
var drainitBin string

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == helperArg {
		os.Exit(runHelper(os.Args[2], os.Args[3:]))
	}
	// Helpers are this test binary; under -race, ThreadSanitizer would
	// otherwise sleep a second at every exit and blur every timeline.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	dir, err := os.MkdirTemp("", "drainit-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// DRAINIT_TEST_BINARY runs the suite against a binary built elsewhere
	// (another commit, another architecture under qemu-user).
	if drainitBin = os.Getenv("DRAINIT_TEST_BINARY"); drainitBin == "" {
		drainitBin = filepath.Join(dir, "drainit")
		if err := testkit.BuildDrainit(".", drainitBin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
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

// forEachMode runs test as a parallel subtest once per mode.
func forEachMode(t *testing.T, test func(t *testing.T, m mode)) {
	t.Helper()
	for _, m := range []mode{subreaper, pid1} {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			test(t, m)
		})
	}
}

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

// spec is one drainit run: drainit FLAGS -- COMMAND, optionally started
// through a launcher (a helper that prepares drainit's own world first).
type spec struct {
	flags    []string
	command  []string // helper(...) or a literal command
	env      []string // extra environment for drainit and the child
	stdin    string
	launcher []string // runs drainit's command line, e.g. helper("careless")
}

// drainitRun is one drainit process under test.
type drainitRun struct {
	t        *testing.T
	cmd      *exec.Cmd
	mode     mode
	rec      string
	stdout   testkit.SyncBuffer
	stderr   testkit.SyncBuffer
	done     chan struct{}
	exitedAt time.Time
}

func start(t *testing.T, m mode, s spec) *drainitRun {
	t.Helper()
	needMode(t, m)
	r := &drainitRun{t: t, mode: m, rec: filepath.Join(t.TempDir(), "rec"), done: make(chan struct{})}
	argv := append(append([]string{drainitBin}, s.flags...), "--")
	argv = append(append(s.launcher, argv...), s.command...)
	if m == pid1 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	}
	r.cmd = exec.Command(argv[0], argv[1:]...)
	r.cmd.Env = append(append(os.Environ(), "DRAINIT_TEST_REC="+r.rec), s.env...)
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
		// Whatever the run started and left, drainit included when a
		// launcher started it: everything carries the record file's name.
		_ = r.cmd.Process.Kill()
		for _, pid := range survivors(r.rec) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		<-r.done
	})
	return r
}

// drainitPID is drainit's PID as seen from the test: the process itself
// (or the launcher that execs it), or unshare's forked child in pid1 mode.
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
	if kids := childrenOf(r.cmd.Process.Pid); len(kids) > 0 {
		return kids[0]
	}
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }

// childrenOf lists pid's children. It reads every thread's list: a Go
// parent forks from whichever thread runs the goroutine, and each thread
// lists only its own children.
func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, task := range tasks {
		data, _ := os.ReadFile(task)
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// mainChildPID is the PID of drainit's main child, once it runs.
func (r *drainitRun) mainChildPID() int {
	r.t.Helper()
	pid := r.drainitPID()
	for deadline := time.Now().Add(scale(10 * time.Second)); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if kids := childrenOf(pid); len(kids) > 0 {
			return kids[0]
		}
	}
	r.t.Fatal("drainit's child never started")
	return 0
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

// wantLog checks that drainit's stderr holds every one of want.
func (r *drainitRun) wantLog(want ...string) {
	r.t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stderr.String(), w) {
			r.t.Errorf("drainit's log lacks %q:\n%s", w, r.stderr.String())
		}
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

// waitEvent waits until a child has recorded name, and returns when.
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
