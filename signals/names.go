package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// Linux signal numbers. They are spelled out here rather than taken from
// syscall so that the table, and its tests, are the same on every platform.
const (
	SIGHUP   = syscall.Signal(1)
	SIGINT   = syscall.Signal(2)
	SIGQUIT  = syscall.Signal(3)
	SIGKILL  = syscall.Signal(9)
	SIGUSR1  = syscall.Signal(10)
	SIGUSR2  = syscall.Signal(12)
	SIGPIPE  = syscall.Signal(13)
	SIGTERM  = syscall.Signal(15)
	SIGCHLD  = syscall.Signal(17)
	SIGCONT  = syscall.Signal(18)
	SIGSTOP  = syscall.Signal(19)
	SIGTTIN  = syscall.Signal(21)
	SIGTTOU  = syscall.Signal(22)
	SIGURG   = syscall.Signal(23)
	SIGPROF  = syscall.Signal(27)
	SIGWINCH = syscall.Signal(28)
	// SIGCANCEL and SIGSETXID are glibc's own (thread cancellation and
	// set*id across threads); glibc hides them from programs, which is why
	// its SIGRTMIN is 34. Go's runtime uses 33 the same way.
	SIGCANCEL = syscall.Signal(32)
	SIGSETXID = syscall.Signal(33)
	sigRTMin  = syscall.Signal(34) // as glibc and kill(1) count
	sigRTMax  = syscall.Signal(64)
	maxSignal = sigRTMax
)

// names holds the standard signals 1..31, indexed by number.
var names = [...]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE",
	9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM",
	16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU",
	23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO",
	30: "PWR", 31: "SYS",
}

// aliases are the other names Linux tools accept for the same numbers.
var aliases = map[string]syscall.Signal{"IOT": 6, "CLD": 17, "POLL": 29}

// Name returns the conventional name of sig, such as "SIGTERM" or
// "SIGRTMIN+2", or "signal N" for a number Linux does not name.
func Name(sig syscall.Signal) string {
	switch {
	case sig > 0 && int(sig) < len(names):
		return "SIG" + names[sig]
	case sig == sigRTMin:
		return "SIGRTMIN"
	case sig == sigRTMax:
		return "SIGRTMAX"
	case sig > sigRTMin && sig < sigRTMax:
		return "SIGRTMIN+" + strconv.Itoa(int(sig-sigRTMin))
	}
	return "signal " + strconv.Itoa(int(sig))
}

// Parse reads a signal given as a name, with or without the SIG prefix and
// in any case ("TERM", "sigterm", "SIGRTMIN+2"), or as a number from 1 to 64.
func Parse(s string) (syscall.Signal, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return 0, fmt.Errorf("empty signal")
	}
	if n, err := strconv.Atoi(text); err == nil {
		if n >= 1 && n <= int(maxSignal) {
			return syscall.Signal(n), nil
		}
		return 0, fmt.Errorf("signal number %d out of range 1-%d", n, maxSignal)
	}
	name := strings.TrimPrefix(strings.ToUpper(text), "SIG")
	for n, known := range names {
		if known != "" && known == name {
			return syscall.Signal(n), nil
		}
	}
	if sig, ok := aliases[name]; ok {
		return sig, nil
	}
	if sig, ok := parseRealtime(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// parseRealtime reads RTMIN, RTMAX, RTMIN+N and RTMAX-N.
func parseRealtime(name string) (syscall.Signal, bool) {
	base, sign, rest := syscall.Signal(0), 0, ""
	switch {
	case name == "RTMIN":
		return sigRTMin, true
	case name == "RTMAX":
		return sigRTMax, true
	case strings.HasPrefix(name, "RTMIN+"):
		base, sign, rest = sigRTMin, 1, name[len("RTMIN+"):]
	case strings.HasPrefix(name, "RTMAX-"):
		base, sign, rest = sigRTMax, -1, name[len("RTMAX-"):]
	default:
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > int(sigRTMax-sigRTMin) {
		return 0, false
	}
	return base + syscall.Signal(sign*n), true
}
