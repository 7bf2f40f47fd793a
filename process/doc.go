// Package process owns drainit's children as operating-system processes:
// it starts the main child in a clean state (default dispositions, an
// empty signal mask) and in its own process group, runs the one and only
// reaper, makes drainit a child subreaper when it is not PID 1, and sends
// signals to the child, its group, or every descendant.
//
// Exactly one goroutine ever waits for children (Reap). os/exec is not
// used to start the child because exec.Cmd.Wait would race that reaper
// for the child's exit status; the status comes from the reaper instead.
//
// The Linux implementation sits behind a build tag. Elsewhere the package
// compiles so that its users vet and test, but nothing runs: Start and the
// signalling methods return errors.ErrUnsupported, and Reap closes its
// channel at once.
package process
