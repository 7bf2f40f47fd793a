// Package signals owns everything drainit knows about signals as values:
// their Linux names and numbers, parsing them from flags ("TERM", "sigterm",
// "15" and "SIGRTMIN+2" are all accepted), and the routing table that
// decides, for each signal drainit receives, whether it starts the drain,
// is forwarded (possibly rewritten), is dropped, or is never touched.
//
// The package does no I/O and makes no system calls, so it builds and is
// tested on every platform; the numbers are Linux's, because drainit's
// children are always Linux processes.
package signals
