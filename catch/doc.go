// Package catch delivers every signal drainit can receive (signals.Caught)
// on one channel, before the child starts, so that none can kill drainit
// or be lost.
//
// Most arrive through os/signal. Two do not: the Go runtime installs no
// handler for 32 and 34 (glibc's SIGCANCEL and SIGRTMIN, musl's
// SIGSYNCCALL), and ignores signal.Notify for them, so their default action
// would end drainit whenever it is not a namespace's PID 1. For those two
// this package installs a handler of its own, a few instructions of
// assembly per architecture: it writes the signal's number as one byte to
// a non-blocking pipe and returns, and a goroutine turns each byte back
// into a signal on the channel. Being a handler, not SIG_IGN, it is reset
// to the default by execve, so the child starts with both at SIG_DFL.
//
// The handler borrows everything but its entry point (flags, mask and
// restorer) from the sigaction the Go runtime installed for SIGURG, so it
// runs on the thread's signal stack and returns the way the runtime's own
// handler does.
package catch
