//go:build !linux

package process

import (
	"errors"
	"syscall"
)

// Child is the main child. Outside Linux it cannot be started.
type Child struct {
	PID   int
	Group bool
}

// Start is unsupported outside Linux.
func Start(argv []string, group bool) (*Child, error) { return nil, errors.ErrUnsupported }

// Signal is unsupported outside Linux.
func (c *Child) Signal(sig syscall.Signal) error { return errors.ErrUnsupported }

// KillAll is unsupported outside Linux.
func (c *Child) KillAll() (int, error) { return 0, errors.ErrUnsupported }

// Reap closes exits at once: there is nothing it can wait for.
func Reap(exits chan<- []Exit) { close(exits) }

// Descendants finds nothing outside Linux.
func Descendants(root int) []int { return nil }

// IsPID1 is false outside Linux.
func IsPID1() bool { return false }

// BecomeSubreaper is unsupported outside Linux.
func BecomeSubreaper() error { return errors.ErrUnsupported }
