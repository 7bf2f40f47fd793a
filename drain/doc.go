// Package drain is drainit's lifecycle as one state machine over its
// members: the backends, in start order, and the main command, last.
//
//	starting ──every backend ready, main started──▶ running ──trigger──▶ delaying
//	   │                                              │                    │
//	   │ trigger, a member exits, not ready in time    │ a member exits     │ delay over, or a 2nd trigger
//	   └──────────────────────────────────────────────┴────────────────────┴──▶ stopping
//
//	stopping ──every descendant gone──▶ done
//	stopping ──timeout──▶ killing ──every descendant gone, or KillWait over──▶ done
//
// Stopping goes through the members in reverse start order: the main
// command gets its stop signal, and the last backend gets its own only once
// the main command's process group is empty, and so on. A member that
// exited by itself still has its group stopped: the workers it left. Each
// stop signal is followed by SIGCONT, so that a stopped process acts on it
// at once. One timeout, from the start of stopping, bounds it all.
//
// Machine holds the state and decides; it never sleeps, reads a clock or
// touches the OS itself. Each Handle method takes the event and the
// current time, and side effects go through the Process and Observer
// interfaces, so tests drive it synchronously with a fake clock and fake
// processes. Run is the thin loop that feeds it real signals, real exits
// and a real timer.
package drain
