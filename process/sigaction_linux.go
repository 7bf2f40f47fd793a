//go:build linux

package process

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernelSigaction is the kernel's struct sigaction on amd64 and arm64.
// Only the handler field is read or written here, and it comes first on
// every architecture.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const sigIgn = 1 // SIG_IGN

// withInheritedIgnoresReset runs fork with every signal that drainit still
// ignores set back to SIG_DFL, then restores them. The Go runtime resets
// the signals it handles in the child, and drainit handles every catchable
// one, but Go never touches signal 32, which it leaves to libc: a parent
// (make, for one) that ignores it would otherwise pass SIG_IGN through to
// the child. Dispositions are per process, hence the brief swap around the
// fork; a signal 32 that lands in that window would end drainit, and
// nothing sends one.
func withInheritedIgnoresReset(fork func() error) error {
	var ignored []int
	for sig := 1; sig <= 64; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var old kernelSigaction
		if rtSigaction(sig, nil, &old) == nil && old.handler == sigIgn {
			ignored = append(ignored, sig)
		}
	}
	dfl := kernelSigaction{}
	for _, sig := range ignored {
		_ = rtSigaction(sig, &dfl, nil)
	}
	err := fork()
	ign := kernelSigaction{handler: sigIgn}
	for _, sig := range ignored {
		_ = rtSigaction(sig, &ign, nil)
	}
	return err
}

func rtSigaction(sig int, act, old *kernelSigaction) error {
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
