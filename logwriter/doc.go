// Package logwriter carries drainit's log lines to stderr so that writing
// them can never stop, spin or hold up drainit.
//
// Three things could otherwise. Under job control, once drainit has handed
// the terminal to its child it sits in a background process group: with
// `stty tostop`, each write raises SIGTTOU, which drainit catches, so the
// kernel restarts the write and raises it again, forever. A terminal
// paused with Ctrl-S, or a log pipe whose reader is stuck, blocks the
// write, and with it the drain loop that logged. And a burst of lines
// (every reaped process under -v) must not delay a drain step.
//
// So the lines go through a bounded queue to one goroutine, locked to an
// OS thread that blocks SIGTTOU and SIGTTIN: the kernel lets a background
// write through when the writing thread blocks SIGTTOU, and sends nothing.
// Write never blocks; a line that finds the queue full is dropped and
// counted, and the count is written before the next line that gets
// through, or at the end. Close waits a bounded time for the queue to empty.
package logwriter
