package logwriter

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// blockJobControlSignals blocks SIGTTOU and SIGTTIN on the calling thread
// only. With SIGTTOU blocked, a write to the terminal from a background
// process group goes through instead of raising it (tty_check_change in
// the kernel); nothing else in drainit reads or writes the terminal.
func blockJobControlSignals() {
	var set unix.Sigset_t
	const wordBits = 8 * uint(unsafe.Sizeof(set.Val[0])) // 32 or 64, by architecture
	for _, sig := range []unix.Signal{unix.SIGTTOU, unix.SIGTTIN} {
		bit := uint(sig) - 1
		set.Val[bit/wordBits] |= 1 << (bit % wordBits)
	}
	_ = unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil)
}
