//go:build linux

package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// One container: php-fpm as a backend and nginx in front of it as the
// main command, both real, under drainit as PID 1.

// pod is php-fpm behind nginx, configured for one drainit.
type pod struct {
	fpm   *testkit.PHPFPM
	nginx *testkit.Nginx
}

func newPod(t *testing.T) pod {
	t.Helper()
	fpm := testkit.NewPHPFPM(t, "20s")
	return pod{fpm: fpm, nginx: testkit.NewNginxFor(t, fpm)}
}

func (p pod) fpmName() string { return filepath.Base(p.fpm.Argv[0]) }

// spec runs nginx as COMMAND with php-fpm as its backend, ready once its
// status page answers.
func (p pod) spec(flags ...string) spec {
	return spec{
		flags: append([]string{"--backend", shellWords(p.fpm.Argv),
			"--upstream", "php-fpm=" + p.fpm.Address() + "/status"}, flags...),
		command: p.nginx.Argv,
	}
}

// held starts a request that php-fpm's app holds open until released.
type held struct {
	done    chan string
	release func()
}

func (p pod) hold(t *testing.T, name string) held {
	t.Helper()
	h := held{done: make(chan string, 1), release: func() {
		_ = os.WriteFile(filepath.Join(p.fpm.Dir, name+".release"), nil, 0o644)
	}}
	go func() {
		resp, err := http.Get(p.nginx.URL("/app?hold=" + name))
		if err != nil {
			h.done <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h.done <- resp.Status + " " + string(body)
	}()
	started := filepath.Join(p.fpm.Dir, name+".started")
	for deadline := time.Now().Add(scale(10 * time.Second)); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatal("the held request never reached php-fpm")
		}
	}
}

// logIndex is where text first appears in drainit's log, or -1.
func (r *drainitRun) logIndex(text string) int { return strings.Index(r.stderr.String(), text) }

// waitLog waits until drainit has logged text.
func (r *drainitRun) waitLog(text string) {
	r.t.Helper()
	for deadline := time.Now().Add(scale(10 * time.Second)); r.logIndex(text) < 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("drainit never logged %q:\n%s", text, r.stderr.String())
		}
	}
}

// childNamed is the PID of drainit's child whose command is name.
func (r *drainitRun) childNamed(name string) int {
	r.t.Helper()
	for _, pid := range childrenOf(r.drainitPID()) {
		comm, _ := os.ReadFile("/proc/" + itoa(pid) + "/comm")
		if strings.HasPrefix(strings.TrimSpace(string(comm)), name) {
			return pid
		}
	}
	r.t.Fatalf("drainit has no child named %s", name)
	return 0
}

// TestABackendStartsFirstAndStopsLast: nginx starts once php-fpm's status
// page answers; at the stop nginx gets QUIT first, php-fpm only once nginx
// and its workers are gone, and a request in flight through both through
// the stop gets its answer.
func TestABackendStartsFirstAndStopsLast(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	r := start(t, pid1, p.spec("-v", "--delay", "0"))
	testkit.WaitListening(t, p.nginx.Port)
	if ready, nginx := r.logIndex(`msg=ready process=`+p.fpmName()), r.logIndex(`msg=started process=nginx`); ready < 0 || nginx < ready {
		t.Fatalf("want php-fpm ready before nginx started:\n%s", r.stderr.String())
	}
	h := p.hold(t, "slow")
	r.signal(syscall.SIGTERM)
	r.waitLog(`msg="stop signal sent" process=nginx`)
	if r.logIndex(`msg="stop signal sent" process=`+p.fpmName()) >= 0 {
		t.Fatalf("php-fpm got its stop signal while nginx still served:\n%s", r.stderr.String())
	}
	h.release()
	if got := <-h.done; got != "200 OK ok\n" {
		t.Fatalf("the request in flight through the stop: want 200 ok, got %q", got)
	}
	r.wantExit(0)
	nginxGone, fpmStop := r.logIndex(`msg="process exited" process=nginx`), r.logIndex(`msg="stop signal sent" process=`+p.fpmName())
	if nginxGone < 0 || fpmStop < nginxGone {
		t.Fatalf("want php-fpm's stop signal after nginx exited:\n%s", r.stderr.String())
	}
	r.wantLog("clean=true", "nginx.status=0", p.fpmName()+".status=0")
}

// TestABackendDyingEndsTheContainerAndNginxStopsGracefully: php-fpm's
// master SIGKILLed while running. The delay is an hour: ending promptly
// means it was skipped.
func TestABackendDyingEndsTheContainerAndNginxStopsGracefully(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	r := start(t, pid1, p.spec("--delay", "1h"))
	testkit.WaitListening(t, p.nginx.Port)
	_ = syscall.Kill(r.childNamed("php-fpm"), syscall.SIGKILL)
	r.wantExit(137)
	r.wantLog(`msg="process exited by itself; stopping the others" process=`+p.fpmName(),
		`msg="stop signal sent" process=nginx signal=SIGQUIT`, "ended_by="+p.fpmName(), "nginx.status=0")
}

// TestNginxCrashingStopsWhatItLeftThenPHPFPM: the orphaned nginx workers
// get QUIT, then php-fpm gets its own.
func TestNginxCrashingStopsWhatItLeftThenPHPFPM(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	r := start(t, pid1, p.spec("--delay", "1h"))
	testkit.WaitListening(t, p.nginx.Port)
	_ = syscall.Kill(r.childNamed("nginx"), syscall.SIGKILL)
	r.wantExit(137)
	r.wantLog(`msg="stopping the processes it left" process=nginx left=1`,
		`msg="stop signal sent" process=`+p.fpmName(), "ended_by=nginx", p.fpmName()+".status=0")
}

// TestABackendThatNeverBecomesReady: php-fpm is told to be ready where
// nothing listens. After --start-timeout php-fpm is stopped, gracefully,
// nginx never starts, and drainit exits 124.
func TestABackendThatNeverBecomesReady(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	nowhere := "127.0.0.1:" + itoa(testkit.FreePort(t))
	r := start(t, pid1, spec{
		flags:   []string{"--backend", shellWords(p.fpm.Argv), "--backend-ready", p.fpmName() + "=" + nowhere, "--start-timeout", "500ms"},
		command: p.nginx.Argv,
	})
	r.wantExit(124)
	r.wantLog(`msg="not ready in time; stopping what has started" process=`+p.fpmName(), "not_ready="+p.fpmName(),
		p.fpmName()+".status=0", `nginx.status="never started"`, "killed=0")
}

// TestABackendIgnoringItsStopSignalIsKilledAtTheDeadline: php-fpm given a
// stop signal it does not stop on (USR1 reopens its logs). One --timeout,
// from nginx's stop signal, bounds the whole stop.
func TestABackendIgnoringItsStopSignalIsKilledAtTheDeadline(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	r := start(t, pid1, p.spec("--delay", "0", "--timeout", "1s", "--backend-stop-signal", p.fpmName()+"=USR1"))
	testkit.WaitListening(t, p.nginx.Port)
	r.signal(syscall.SIGTERM)
	r.wantExit(0) // nginx's status: it exited on QUIT
	r.wantLog(`msg="stop signal sent" process=`+p.fpmName()+` signal=SIGUSR1`, "deadline hit", "clean=false",
		p.fpmName()+".status=137", "nginx.status=0")
	if n := killedCount(r.stderr.String()); n < 2 {
		t.Fatalf("want php-fpm's master and its workers killed, got killed=%d", n)
	}
}

// killedCount reads killed=N from the drain summary.
func killedCount(log string) int {
	i := strings.LastIndex(log, "killed=")
	if i < 0 {
		return -1
	}
	n := 0
	for _, c := range log[i+len("killed="):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestBackendsStartInOrderStopInReverseWithTheirOwnSignals: two backends
// from DRAINIT_BACKENDS, the second draining on TERM, and COMMAND. Signals
// other than the stop reach COMMAND only.
func TestBackendsStartInOrderStopInReverseWithTheirOwnSignals(t *testing.T) {
	t.Parallel()
	first := shellWords(helperNamed(t, "first", "record", "as=first"))
	second := shellWords(helperNamed(t, "second", "record", "as=second", "exit-on=TERM"))
	r := start(t, subreaper, spec{
		flags:   []string{"-v", "--delay", "0", "--backend-stop-signal", "second=TERM"},
		env:     []string{"DRAINIT_BACKENDS=" + first + "; " + second},
		command: helper("record", "as=main"),
	})
	// With no way to tell them ready, each starts right after the one
	// before: the start order shows in the log, not in who is up first.
	for _, who := range []string{"first", "second", "main"} {
		r.waitEvent(who + ":ready")
	}
	if a, b, c := r.logIndex("msg=started process=first"), r.logIndex("msg=started process=second"), r.logIndex("msg=started process="+filepath.Base(os.Args[0])); a < 0 || b < a || c < b {
		t.Fatalf("want first, second, then COMMAND started:\n%s", r.stderr.String())
	}
	r.signal(syscall.SIGHUP)
	r.waitEvent("main:SIGHUP")
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	got := slices.DeleteFunc(r.names(), func(n string) bool { return strings.HasSuffix(n, "ready") || strings.HasSuffix(n, "SIGCONT") })
	want := []string{"main:SIGHUP", "main:SIGQUIT", "second:SIGTERM", "first:SIGQUIT"}
	if !slices.Equal(got, want) {
		t.Fatalf("signals: want %v, got %v", want, got)
	}
}

// TestPHPFPMIsReadyOnceItsListenAddressAccepts: with no --upstream, drainit
// reads php-fpm's pools from `php-fpm -tt`, waits for their listen
// addresses, and checks process_control_timeout there too.
func TestPHPFPMIsReadyOnceItsListenAddressAccepts(t *testing.T) {
	t.Parallel()
	fpm := testkit.NewPHPFPM(t, "0")
	n := testkit.NewNginxFor(t, fpm)
	r := start(t, pid1, spec{flags: []string{"-v", "--delay", "0", "--backend", shellWords(fpm.Argv)}, command: n.Argv})
	testkit.WaitListening(t, n.Port)
	resp, err := http.Get(n.URL("/app?ms=0"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("through nginx to php-fpm: want 200, got %v (%v)", resp, err)
	}
	resp.Body.Close()
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	name := filepath.Base(fpm.Argv[0])
	if ready, nginx := r.logIndex(`msg=ready process=`+name), r.logIndex(`msg=started process=nginx`); ready < 0 || nginx < ready {
		t.Fatalf("want php-fpm ready before nginx started:\n%s", r.stderr.String())
	}
	r.wantLog("process_control_timeout is 0", "process="+name)
}

// TestABackendThatCannotBeFoundStartsNothing: every command is looked up
// before anything starts, and a missing one exits 127 with one line.
func TestABackendThatCannotBeFoundStartsNothing(t *testing.T) {
	t.Parallel()
	r := start(t, subreaper, spec{flags: []string{"--backend", "/no/such/backend -x"}, command: helper("record")})
	r.wantExit(127)
	if lines := strings.Split(strings.TrimSpace(r.stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "/no/such/backend: command not found") {
		t.Fatalf("want one line naming the backend, got %q", r.stderr.String())
	}
	if len(r.names()) > 0 {
		t.Fatalf("COMMAND started: %v", r.names())
	}
}
