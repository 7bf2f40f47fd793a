//go:build !linux

package process

import (
	"errors"
	"syscall"
)

// drainit runs only on Linux. These stubs let the packages that use this
// one build, vet and test elsewhere: every call fails with
// errors.ErrUnsupported or finds nothing.

// Start is unsupported outside Linux.
func Start(argv []string, group bool) (*Child, error) { return nil, errors.ErrUnsupported }

// Signal is unsupported outside Linux.
func (c *Child) Signal(sig syscall.Signal) error { return errors.ErrUnsupported }

// SignalAll is unsupported outside Linux.
func (c *Child) SignalAll(sig syscall.Signal) (int, error) { return 0, errors.ErrUnsupported }

// Reap closes exits at once: there is no child to wait for.
func Reap(exits chan<- []Exit) { close(exits) }

// Descendants finds nothing outside Linux.
func Descendants(root int) []int { return nil }

// IsPID1 is false outside Linux.
func IsPID1() bool { return false }

// BecomeSubreaper is unsupported outside Linux.
func BecomeSubreaper() error { return errors.ErrUnsupported }
