//go:build linux

package main

import (
	"bufio"
	"unsafe"

	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drainit/drainit/signals"
)

// Helper children: the test binary re-executed with DRAINIT_TEST_HELPER set
// to one of these roles, the way os/exec's own tests do it.
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
	"ignexec":  helperIgnoreExec,
}

func runHelper(role string) int {
	h, ok := helpers[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", role)
		return 99
	}
	return h(os.Args[1:])
}

// record appends "NAME unixnano" to $DRAINIT_TEST_REC for each line.
func record(line string) {
	f, err := os.OpenFile(os.Getenv("DRAINIT_TEST_REC"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%s %d\n", line, time.Now().UnixNano())
	f.Close()
}

// helperRecord logs every signal it gets. It exits 0 on the signal named by
// $DRAINIT_TEST_EXIT_ON (QUIT by default) unless $DRAINIT_TEST_IGNORE_STOP
// is set, and exits on its own after $DRAINIT_TEST_EXIT_AFTER with status
// $DRAINIT_TEST_EXIT_CODE.
func helperRecord([]string) int {
	exitOn := signals.SIGQUIT
	if s := os.Getenv("DRAINIT_TEST_EXIT_ON"); s != "" {
		exitOn, _ = signals.Parse(s)
	}
	ignoreStop := os.Getenv("DRAINIT_TEST_IGNORE_STOP") != ""
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT)
	var after <-chan time.Time
	if d, err := time.ParseDuration(os.Getenv("DRAINIT_TEST_EXIT_AFTER")); err == nil {
		after = time.After(d)
	}
	record("ready")
	for {
		select {
		case s := <-sigs:
			sig := s.(syscall.Signal)
			record(signals.Name(sig))
			if sig == exitOn && !ignoreStop {
				return 0
			}
		case <-after:
			code, _ := strconv.Atoi(os.Getenv("DRAINIT_TEST_EXIT_CODE"))
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

// helperOrphan starts a "sleep" helper it never waits for, then records
// signals like "record": on QUIT it exits at once, orphaning the sleeper.
func helperOrphan(args []string) int {
	cmd := exec.Command(os.Args[0], args[0])
	cmd.Env = append(os.Environ(), "DRAINIT_TEST_HELPER=sleep")
	if err := cmd.Start(); err != nil {
		return 97
	}
	return helperRecord(nil)
}

// helperSleep outlives its parent: it records HUP as "sleeper-SIGHUP" and
// otherwise only the deadline's SIGKILL cuts it short.
func helperSleep(args []string) int {
	d, _ := time.ParseDuration(args[0])
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGQUIT, syscall.SIGHUP)
	record("sleeper-ready")
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
	cmd := exec.Command(os.Args[0], args[0])
	cmd.Env = append(os.Environ(), "DRAINIT_TEST_HELPER=spawn")
	out, err := cmd.Output()
	if err != nil {
		fmt.Println("spawn failed:", err)
		return 1
	}
	var pids []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		pids = append(pids, sc.Text())
	}
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

// helperIgnoreExec sets SIG_IGN on HUP, USR1, PIPE, 32 and 40, as a careless
// parent might, then execs its arguments, which inherit those ignores.
// (A shell's trap cannot do it: dash refuses signal 32.)
func helperIgnoreExec(args []string) int {
	ign := [4]uint64{1} // struct sigaction{handler: SIG_IGN}
	for _, sig := range []int{1, 10, 13, 32, 40} {
		if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&ign)), 0, 8, 0, 0); errno != 0 {
			fmt.Fprintln(os.Stderr, "rt_sigaction:", errno)
			return 95
		}
	}
	os.Setenv("DRAINIT_TEST_HELPER", "sigstate")
	err := syscall.Exec(args[0], args, os.Environ())
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 94
}
