package catch

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/drainit/drainit/signals"
)

// viaRuntime are the signals the Go runtime must keep handling itself:
// raised by a fault in drainit's own code (a nil dereference is a SIGSEGV
// the runtime turns into a panic; SIGSYS is a seccomp filter's verdict),
// they cannot be handed to a pipe and returned from. os/signal still
// delivers them when another process sends them.
var viaRuntime = []syscall.Signal{unix.SIGILL, unix.SIGTRAP, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSYS}

// wakeFD is the pipe's write end, read by the assembly handler. It is set
// before the handler is installed and never changes after.
//
//lint:ignore U1000 read by the assembly handler
var wakeFD int32 = -1

// sigNumbers[n] is the byte n, so the handler can write(2) its signal's
// number without a stack.
var sigNumbers [65]byte

func init() {
	for i := range sigNumbers {
		sigNumbers[i] = byte(i)
	}
}

// rawHandler is the signal handler, in assembly per architecture
// (handler_linux_*.s). The kernel calls it as a C signal handler for every
// signal drainit catches but the six a fault raises (viaRuntime). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.
//
//lint:ignore U1000 called by the kernel, never by Go
func rawHandler()

// rawHandlerPC is rawHandler's entry point as the kernel must call it:
// the assembly symbol itself, not a Go ABI wrapper.
func rawHandlerPC() uintptr

// All starts delivering every signal in signals.Caught on c. Call it first
// thing: until it returns, some of them would end drainit.
//
// Most get the assembly handler: one rt_sigaction each, where os/signal
// would take a blocking round trip to the runtime's signal thread per
// signal.
func All(c chan<- os.Signal) error {
	var here []syscall.Signal
	var runtimeSigs []os.Signal
	for _, sig := range signals.Caught() {
		if slices.Contains(viaRuntime, sig) {
			runtimeSigs = append(runtimeSigs, sig)
		} else {
			here = append(here, sig)
		}
	}
	signal.Notify(c, runtimeSigs...)
	return handle(here, c)
}

// handle installs rawHandler for sigs and forwards what it writes to c.
// The relay's thread unblocks sigs, so that they arrive even when drainit
// was started with them blocked: the runtime's threads keep that mask for
// signals it does not know to be wanted.
func handle(sigs []syscall.Signal, c chan<- os.Signal) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("signal pipe: %w", err)
	}
	// Only the handler's end stays non-blocking: it must never wait.
	if err := unix.SetNonblock(p[0], false); err != nil {
		return fmt.Errorf("signal pipe: %w", err)
	}
	wakeFD = int32(p[1])

	// The runtime's own sigaction: flags, mask and restorer as it needs them.
	var act sigaction
	if err := rtSigaction(signals.SIGURG, nil, &act); err != nil {
		return fmt.Errorf("reading the runtime's sigaction: %w", err)
	}
	act.setHandler(rawHandlerPC())
	for _, sig := range sigs {
		if err := rtSigaction(sig, &act, nil); err != nil {
			return fmt.Errorf("installing a handler for %s: %w", signals.Name(sig), err)
		}
	}
	unblocked := make(chan error)
	go relay(p[0], c, sigs, unblocked)
	return <-unblocked
}

// relay turns each byte the handler wrote into a signal on c, from a
// thread of its own that has sigs unblocked. The thread is never given
// back: it lives as long as drainit.
func relay(fd int, c chan<- os.Signal, sigs []syscall.Signal, unblocked chan<- error) {
	runtime.LockOSThread()
	var set unix.Sigset_t
	for _, sig := range sigs {
		addSignal(&set, sig)
	}
	unblocked <- unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil)
	buf := make([]byte, 64)
	for {
		// A blocking read keeps this thread in the kernel, where a
		// signal can reach it.
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		for _, b := range buf[:max(n, 0)] {
			c <- syscall.Signal(b)
		}
		if err != nil || n == 0 {
			return
		}
	}
}

func addSignal(set *unix.Sigset_t, sig syscall.Signal) {
	const wordBits = 8 * uint(unsafe.Sizeof(set.Val[0])) // 32 or 64, by architecture
	bit := uint(sig) - 1
	set.Val[bit/wordBits] |= 1 << (bit % wordBits)
}

// sigaction is the kernel's struct sigaction, which differs between
// architectures in size (20 to 32 bytes) and in its later fields. Only the
// handler, a pointer at offset 0 on every architecture drainit builds for,
// is touched here; the rest is copied whole from the runtime's.
type sigaction [4]uint64

func (a *sigaction) setHandler(pc uintptr) { *(*uintptr)(unsafe.Pointer(&a[0])) = pc }

func rtSigaction(sig syscall.Signal, act, old *sigaction) error {
	const sigsetSize = 8 // the kernel's sigset_t: 64 signals
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), sigsetSize, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
