package catch

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/drainit/drainit/signals"
)

// handledHere are the signals the Go runtime will not deliver to os/signal.
var handledHere = []syscall.Signal{signals.SIGCANCEL, 34}

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

// rawHandler is the signal handler in assembly (handler_linux_*.s).
//
//lint:ignore U1000 called by the kernel, never by Go
func rawHandler()

// rawHandlerPC is rawHandler's entry point as the kernel must call it:
// the assembly symbol itself, not a Go ABI wrapper.
func rawHandlerPC() uintptr

// All starts delivering every signal in signals.Caught on c. Call it first
// thing: until it returns, some of them would end drainit.
func All(c chan<- os.Signal) error {
	var viaRuntime []os.Signal
	for _, sig := range signals.Caught() {
		if !isHandledHere(sig) {
			viaRuntime = append(viaRuntime, sig)
		}
	}
	signal.Notify(c, viaRuntime...)
	return handle(handledHere, c)
}

func isHandledHere(sig syscall.Signal) bool {
	for _, s := range handledHere {
		if s == sig {
			return true
		}
	}
	return false
}

// handle installs rawHandler for sigs and forwards what it writes to c.
func handle(sigs []syscall.Signal, c chan<- os.Signal) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("signal pipe: %w", err)
	}
	wakeFD = int32(p[1])
	r := os.NewFile(uintptr(p[0]), "signal pipe")
	go relay(r, c)

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
	return nil
}

// relay turns each byte the handler wrote into a signal on c.
func relay(r *os.File, c chan<- os.Signal) {
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			c <- syscall.Signal(b)
		}
		if err != nil {
			return
		}
	}
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
