package process

import (
	"fmt"
	"syscall"
)

// Exit is one reaped process: either its exit code or the signal that
// killed it.
type Exit struct {
	PID    int
	Code   int            // the exit code, when Signal is 0
	Signal syscall.Signal // the signal that killed it, or 0
}

// Status is the conventional shell status: the exit code, or 128+N when
// signal N killed the process.
func (e Exit) Status() int {
	if e.Signal != 0 {
		return 128 + int(e.Signal)
	}
	return e.Code
}

func (e Exit) String() string {
	if e.Signal != 0 {
		return fmt.Sprintf("pid %d killed by signal %d", e.PID, e.Signal)
	}
	return fmt.Sprintf("pid %d exited %d", e.PID, e.Code)
}

// StartError is a failure to run the command at all. Code is 127 when the
// command does not exist and 126 when it exists but cannot be executed, as
// in POSIX shells and tini.
type StartError struct {
	Command string
	Code    int
	Err     error
}

func (e *StartError) Error() string {
	if e.Code == ExitNotFound {
		return fmt.Sprintf("%s: command not found", e.Command)
	}
	return fmt.Sprintf("%s: cannot execute: %v", e.Command, e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// Exit codes for a command that never started.
const (
	ExitCannotExecute = 126
	ExitNotFound      = 127
)
