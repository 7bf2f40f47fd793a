// Command orphans measures how fast its init reaps orphaned zombies. An
// intermediate process forks N /bin/true and waits, without reaping, until
// every one of them is a zombie; then it exits, and all N zombies are
// re-parented to the init at once. orphans prints N and the nanoseconds
// from that moment until the last of them is gone from /proc. Forking is
// left out of the figure, so it measures reaping alone.
package main

import (
	"bytes"
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
		spawn(n)
		return
	}
	cmd := exec.Command(os.Args[0], os.Args[1], "spawn")
	out, err := cmd.Output()
	orphaned := time.Now()
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
			time.Sleep(50 * time.Microsecond)
		}
	}
	fmt.Println(len(pids), time.Since(orphaned).Nanoseconds())
}

// spawn forks n /bin/true, waits until all are zombies, prints their PIDs
// and exits, orphaning them.
func spawn(n int) {
	pids := make([]int, 0, n)
	for range n {
		pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
		if err != nil {
			os.Exit(1)
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		for !isZombie(pid) {
			time.Sleep(50 * time.Microsecond)
		}
		fmt.Println(pid)
	}
}

func isZombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	end := bytes.LastIndexByte(data, ')')
	return end > 0 && end+2 < len(data) && data[end+2] == 'Z'
}
