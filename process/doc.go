// Package process owns drainit's children as operating-system processes:
// it starts the main child in a clean state and in its own process group,
// runs the one and only reaper, makes drainit a child subreaper when it is
// not PID 1, and sends signals to the child, its group, or every
// descendant.
//
// Exactly one goroutine ever waits for children (Reap). os/exec is not
// used to start the child because exec.Cmd.Wait would race that reaper
// for the child's exit status; the status comes from the reaper instead.
//
// The Linux implementation sits behind a build tag; on other platforms the
// package compiles, but Start and Reap report errors.ErrUnsupported.
package process
