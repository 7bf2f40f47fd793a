// Package catch delivers every signal drainit can receive (signals.Caught)
// on one channel, before the child starts, so that none can kill drainit
// or be lost.
//
// All but six get a handler of this package's own, a few instructions of
// assembly per architecture: it writes the signal's number as one byte to
// a non-blocking pipe and returns, and a goroutine on a thread of its own
// turns each byte back into a signal on the channel. That thread unblocks
// those signals, so they arrive even when drainit was started with them
// blocked. Being a handler, not SIG_IGN, it is reset to the default by
// execve, so the child starts with every signal at SIG_DFL.
//
// Why not os/signal for all of them: the Go runtime installs no handler
// for 32 and 34 (glibc's SIGCANCEL and SIGRTMIN, musl's SIGSYNCCALL) and
// ignores signal.Notify for them, so their default action would end
// drainit whenever it is not a namespace's PID 1; and signal.Notify takes
// a blocking round trip to the runtime's signal thread for each signal,
// every one of them at every start (docs/BENCHMARKS.md, section 5,
// measures what leaving them out bought).
//
// The six that stay with os/signal are the ones a fault in drainit itself
// raises (SEGV, BUS, FPE, ILL, TRAP, and SYS from a seccomp filter): the
// runtime must see those to turn them into panics or crash reports.
//
// The handler borrows everything but its entry point (flags, mask and
// restorer) from the sigaction the Go runtime installed for SIGURG, so it
// runs on the thread's signal stack and returns the way the runtime's own
// handler does.
package catch
