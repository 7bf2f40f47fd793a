package pages

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Release drops the process's mapping of its executable's read-only
// pages, and reports how many bytes of mappings it covered.
func Release() (int, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	covered := 0
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		start, end, ok := readOnlyMappingOf(lines.Text(), exe)
		if !ok {
			continue
		}
		// The raw call: unix.Madvise wants a []byte, and these pages
		// are not Go memory.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED); errno != 0 {
			return covered, fmt.Errorf("madvise %#x-%#x: %w", start, end, errno)
		}
		covered += int(end - start)
	}
	return covered, lines.Err()
}

// readOnlyMappingOf parses one line of /proc/self/maps, as
// "START-END PERMS OFFSET DEV INODE PATH", and says whether it maps path
// without write permission.
func readOnlyMappingOf(line, path string) (start, end uintptr, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 || strings.Join(f[5:], " ") != path || strings.Contains(f[1], "w") {
		return 0, 0, false
	}
	from, to, found := strings.Cut(f[0], "-")
	s, err1 := strconv.ParseUint(from, 16, 64)
	e, err2 := strconv.ParseUint(to, 16, 64)
	if !found || err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
