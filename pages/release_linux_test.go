package pages

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFileKB is this process's resident file-backed memory.
func rssFileKB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "RssFile:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// TestReleaseShrinksTheResidentSetAndKeepsTheProcessWhole: the test binary
// has paged in much of itself by now; after Release its resident file
// pages drop, and its code and read-only data still work (the calls and
// the table lookups below fault them back in).
func TestReleaseShrinksTheResidentSetAndKeepsTheProcessWhole(t *testing.T) {
	before := rssFileKB(t)
	covered, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFileKB(t)
	if covered == 0 {
		t.Fatal("Release found no read-only mapping of the executable")
	}
	if after >= before {
		t.Fatalf("RssFile: %d kB before Release, %d kB after", before, after)
	}
	t.Logf("RssFile %d kB → %d kB; %d kB of mappings released", before, after, covered/1024)
	if got := strings.ToUpper(strconv.Quote("still here")); got != `"STILL HERE"` {
		t.Fatalf("after Release: %s", got)
	}
}

func TestReadOnlyMappingOf(t *testing.T) {
	const exe = "/usr/local/bin/drainit"
	for _, c := range []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-00818000 r-xp 00000000 08:01 123 /usr/local/bin/drainit", 0x400000, 0x818000, true},
		{"00818000-00c86000 r--p 00418000 08:01 123 /usr/local/bin/drainit", 0x818000, 0xc86000, true},
		{"00c86000-00cea000 rw-p 00886000 08:01 123 /usr/local/bin/drainit", 0, 0, false}, // .data: state
		{"7f0000000000-7f0000021000 r--p 00000000 08:01 9 /usr/lib/libc.so.6", 0, 0, false},
		{"c000000000-c000400000 rw-p 00000000 00:00 0", 0, 0, false},
		{"00400000-00818000 r-xp 00000000 08:01 123 /usr/local/bin/drainit (deleted)", 0, 0, false},
		{"garbage", 0, 0, false},
	} {
		start, end, ok := readOnlyMappingOf(c.line, exe)
		if start != c.start || end != c.end || ok != c.ok {
			t.Errorf("%q: got %#x-%#x %v, want %#x-%#x %v", c.line, start, end, ok, c.start, c.end, c.ok)
		}
	}
}
