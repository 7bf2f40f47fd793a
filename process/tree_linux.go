//go:build linux

package process

import (
	"bytes"
	"os"
	"strconv"
)

// Descendants lists the live (not zombie) processes below root, found by
// walking the parent links in /proc. A process that exits mid-scan is
// simply skipped. /proc must be the PID namespace's own, as it is in any
// container and under `unshare --mount-proc`.
func Descendants(root int) []int {
	children := make(map[int][]int)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state, ok := readStat(pid); ok && state != 'Z' && state != 'X' {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var found []int
	queue := children[root]
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		found = append(found, pid)
		queue = append(queue, children[pid]...)
	}
	return found
}

// readStat returns a process's parent PID and state letter from
// /proc/PID/stat. The command name is skipped by its last ')' because it
// may itself contain spaces and parentheses.
func readStat(pid int) (ppid int, state byte, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 || end+2 >= len(data) {
		return 0, 0, false
	}
	fields := bytes.Fields(data[end+2:])
	if len(fields) < 2 || len(fields[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(string(fields[1]))
	return ppid, fields[0][0], err == nil
}
