// Package drain is drainit's lifecycle as one state machine:
//
//	running ──trigger──▶ delaying ──delay over or 2nd trigger──▶ stopping ──timeout──▶ killing
//	   │                    │                                      │                     │
//	   └── child exits ─────┴──▶ done       every descendant gone ─┴─────────────────────┴──▶ done
//
// Machine holds the state and decides; it never sleeps, reads a clock or
// touches the OS itself. Each Handle method takes the event and the
// current time, and side effects go through the Process and Observer
// interfaces, so tests drive it synchronously with a fake clock and fake
// processes. Run is the thin loop that feeds it real signals, real exits
// and a real timer.
package drain
