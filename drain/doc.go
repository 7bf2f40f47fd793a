// Package drain is drainit's lifecycle as one state machine:
//
//	running ──trigger──▶ delaying ──delay over, or a 2nd trigger──▶ stopping
//	   │                    │                                          ▲
//	   └── child exits ─────┴── what it left gets the stop signal ─────┘
//
//	stopping ──every descendant gone──▶ done
//	stopping ──timeout──▶ killing ──every descendant gone, or KillWait over──▶ done
//
// In stopping, the stop signal has gone to the main child (or, when the
// child exited by itself, to the processes it left behind), followed by
// SIGCONT so that a stopped process acts on it at once.
//
// Machine holds the state and decides; it never sleeps, reads a clock or
// touches the OS itself. Each Handle method takes the event and the
// current time, and side effects go through the Process and Observer
// interfaces, so tests drive it synchronously with a fake clock and fake
// processes. Run is the thin loop that feeds it real signals, real exits
// and a real timer.
package drain
