//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/drainit/drainit/signals"
)

// Helper children: this test binary re-executed as `TESTBIN helperArg ROLE
// ARGS...`, the way os/exec's own tests do it. TestMain dispatches.
const helperArg = "drainit-test-helper"

// helper is the command line that runs role with args.
func helper(role string, args ...string) []string {
	return append([]string{os.Args[0], helperArg, role}, args...)
}

// helperNamed is helper through a symlink called name, for a backend: its
// base name is its process name, which no two members may share.
func helperNamed(t *testing.T, name, role string, args ...string) []string {
	t.Helper()
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(os.Args[0], link); err != nil {
		t.Fatal(err)
	}
	return append([]string{link, helperArg, role}, args...)
}

// shellWords quotes argv for --backend.
func shellWords(argv []string) string {
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

var helpers = map[string]func(args []string) int{
	"record":   helperRecord,
	"exit":     func(a []string) int { n, _ := strconv.Atoi(a[0]); return n },
	"killself": helperKillSelf,
	"sigstate": helperSigState,
	"cat":      func([]string) int { _, _ = io.Copy(os.Stdout, os.Stdin); return 0 },
	"orphan":   helperOrphan,
	"sleep":    helperSleep,
	"zombies":  helperZombies,
	"spawn":    helperSpawn,
	"careless": helperCareless,
	"jobshell": helperJobShell,
}

func runHelper(role string, args []string) int {
	h, ok := helpers[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", role)
		return 99
	}
	return h(args)
}

// record appends "NAME unixnano" to $DRAINIT_TEST_REC, the one file every
// child of a test run shares with the test.
func record(line string) {
	f, err := os.OpenFile(os.Getenv("DRAINIT_TEST_REC"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%s %d\n", line, time.Now().UnixNano())
	f.Close()
}

// helperRecord records the signals it gets and exits 0 on the stop
// signal. Its arguments change that: exit-on=SIG names another stop
// signal, ignore-stop never exits on one, exit-after=DURATION exits by
// itself with status code=N (0 by default), cont records SIGCONT too,
// which drainit sends after every stop signal, and as=NAME writes each
// event as NAME:EVENT, to tell one recorder from another.
func helperRecord(args []string) int {
	exitOn, ignoreStop, code, prefix := signals.SIGQUIT, false, 0, ""
	notify := []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}
	var after <-chan time.Time
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "exit-on":
			exitOn, _ = signals.Parse(v)
		case "ignore-stop":
			ignoreStop = true
		case "exit-after":
			d, _ := time.ParseDuration(v)
			after = time.After(d)
		case "code":
			code, _ = strconv.Atoi(v)
		case "cont":
			notify = append(notify, syscall.SIGCONT)
		case "as":
			prefix = v + ":"
		}
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, notify...)
	record(prefix + "ready")
	for {
		select {
		case s := <-sigs:
			sig := s.(syscall.Signal)
			record(prefix + signals.Name(sig))
			if sig == exitOn && !ignoreStop {
				return 0
			}
		case <-after:
			return code
		}
	}
}

func helperKillSelf(args []string) int {
	sig, _ := signals.Parse(args[0])
	signal.Reset()
	_ = syscall.Kill(os.Getpid(), sig)
	time.Sleep(10 * time.Second)
	return 98
}

// helperSigState prints its own SigBlk and SigIgn masks.
func helperSigState([]string) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "SigBlk:") || strings.HasPrefix(line, "SigIgn:") {
			fmt.Println(strings.Join(strings.Fields(line), " "))
		}
	}
	return 0
}

// helperOrphan starts a "sleep DURATION" helper it never waits for, waits
// until the sleeper has its handlers, then behaves as "record" with the
// remaining arguments: on QUIT it exits, orphaning the sleeper.
func helperOrphan(args []string) int {
	cmd := exec.Command(os.Args[0], helperArg, "sleep", args[0])
	out, err := cmd.StdoutPipe()
	if err != nil || cmd.Start() != nil {
		return 97
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		return 97
	}
	return helperRecord(args[1:])
}

// helperSleep outlives its parent: it records HUP as "sleeper-SIGHUP",
// ignores QUIT, and otherwise only a SIGKILL cuts it short. It says
// "ready" on stdout once its handlers are in place.
func helperSleep(args []string) int {
	d, _ := time.ParseDuration(args[0])
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGQUIT, syscall.SIGHUP)
	record("sleeper-ready")
	fmt.Println("ready")
	end := time.After(d)
	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGHUP {
				record("sleeper-SIGHUP")
			}
		case <-end:
			record("orphan-done")
			return 0
		}
	}
}

// helperSpawn starts N /bin/true without waiting, prints their PIDs and
// exits: the N become orphans, and then zombies, of the nearest reaper.
func helperSpawn(args []string) int {
	n, _ := strconv.Atoi(args[0])
	for range n {
		pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
		if err != nil {
			return 96
		}
		fmt.Println(pid)
	}
	return 0
}

// helperZombies makes N orphans through "spawn", then waits until every one
// of them is gone from /proc (reaped, not merely exited) and says how many
// were left.
func helperZombies(args []string) int {
	cmd := exec.Command(os.Args[0], helperArg, "spawn", args[0])
	out, err := cmd.Output()
	if err != nil {
		fmt.Println("spawn failed:", err)
		return 1
	}
	pids := strings.Fields(string(out))
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := 0
		for _, pid := range pids {
			if _, err := os.Stat("/proc/" + pid); err == nil {
				left++
			}
		}
		if left == 0 || time.Now().After(deadline) {
			fmt.Printf("orphans %d left %d\n", len(pids), left)
			if left > 0 {
				return 1
			}
			return 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// carelessBlocked are the signals helperCareless blocks: some the Go
// runtime unblocks in its own threads (HUP, TERM, 34) and some it leaves
// as inherited (USR1, 40).
var carelessBlocked = []syscall.Signal{signals.SIGHUP, signals.SIGUSR1, signals.SIGTERM, 34, 40}

// helperCareless execs its arguments the way a careless parent would:
// with every signal it can ignore at SIG_IGN (32 included, which a shell's
// trap cannot do) and carelessBlocked blocked.
func helperCareless(args []string) int {
	ign := [4]uint64{1} // struct sigaction{handler: SIG_IGN}
	for sig := 1; sig <= 64; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&ign)), 0, 8, 0, 0); errno != 0 {
			fmt.Fprintln(os.Stderr, "rt_sigaction:", sig, errno)
			return 95
		}
	}
	runtime.LockOSThread() // exec keeps the calling thread's mask
	var set unix.Sigset_t
	for _, sig := range carelessBlocked {
		set.Val[(sig-1)/64] |= 1 << ((uint(sig) - 1) % 64)
	}
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
		fmt.Fprintln(os.Stderr, "sigmask:", err)
		return 95
	}
	err := syscall.Exec(args[0], args, os.Environ())
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 94
}

// helperJobShell does what an interactive `bash -m` with `stty tostop`
// does for a foreground job: it makes a session on a new pseudo-terminal,
// sets TOSTOP, starts its arguments (drainit) as the terminal's foreground
// process group, and waits. It records "job-exit=N", and the job's CPU and
// wall time as "job-cpu=SECONDS" and "job-wall=SECONDS": a job that spins
// uses one for the other.
func helperJobShell(args []string) int {
	if _, err := unix.Setsid(); err != nil {
		fmt.Fprintln(os.Stderr, "setsid:", err)
		return 93
	}
	tty, err := openControllingPTY()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pty:", err)
		return 93
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: int(tty.Fd())}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		return 93
	}
	_ = cmd.Wait()
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	record(fmt.Sprintf("job-cpu=%.2f", cpu.Seconds()))
	record(fmt.Sprintf("job-wall=%.2f", time.Since(began).Seconds()))
	record("job-exit=" + strconv.Itoa(cmd.ProcessState.ExitCode()))
	return 0
}

// openControllingPTY opens a new pseudo-terminal, makes its slave the
// session's controlling terminal with TOSTOP set, and keeps reading the
// master so that writes to the slave never block.
func openControllingPTY() (*os.File, error) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		return nil, err
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		return nil, err
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCSCTTY, 0); err != nil {
		return nil, err
	}
	term, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		return nil, err
	}
	term.Lflag |= unix.TOSTOP
	if err := unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, term); err != nil {
		return nil, err
	}
	go func() { _, _ = io.Copy(io.Discard, master) }()
	return slave, nil
}

// survivors lists the processes still running with this run's record file
// in their environment: everything the run started inherits it.
func survivors(rec string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && slices.Contains(strings.Split(string(env), "\x00"), "DRAINIT_TEST_REC="+rec) {
			out = append(out, pid)
		}
	}
	return out
}
