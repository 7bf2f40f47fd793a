// Command orphans makes N orphaned zombies for its init to reap and prints
// how long the init took to reap them all, in nanoseconds. An intermediate
// process forks N /bin/true and exits at once, so every one of them is
// re-parented to the init, exits, and waits there as a zombie until reaped.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	if len(os.Args) > 2 && os.Args[2] == "spawn" {
		for range n {
			pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
			if err != nil {
				os.Exit(1)
			}
			fmt.Println(pid)
		}
		return
	}
	start := time.Now()
	out, err := exec.Command(os.Args[0], os.Args[1], "spawn").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(1)
	}
	pids := strings.Fields(string(out))
	for _, pid := range pids {
		for {
			if _, err := os.Stat("/proc/" + pid); err != nil {
				break // reaped: a zombie still has a /proc entry
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	fmt.Println(len(pids), time.Since(start).Nanoseconds())
}
