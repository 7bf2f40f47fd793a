//go:build !linux

package process

import (
	"errors"
	"syscall"
)

// drainit runs only on Linux. These stubs let the packages that use this
// one build, vet and test elsewhere: every call fails with
// errors.ErrUnsupported or finds nothing.

// Lookup is unsupported outside Linux.
func Lookup(name string) (string, error) { return "", errors.ErrUnsupported }

// Start is unsupported outside Linux.
func Start(path string, argv []string, group bool) (*Child, error) {
	return nil, errors.ErrUnsupported
}

// Signal is unsupported outside Linux.
func (c *Child) Signal(sig syscall.Signal) error { return errors.ErrUnsupported }

// SignalAll is unsupported outside Linux.
func SignalAll(sig syscall.Signal, groups []int) (int, error) { return 0, errors.ErrUnsupported }

// SignalGroup is unsupported outside Linux.
func SignalGroup(pgid int, sig syscall.Signal) (int, error) { return 0, errors.ErrUnsupported }

// GroupGone is true outside Linux: there is no group to wait for.
func GroupGone(pgid int) bool { return true }

// Reap closes exits at once: there is no child to wait for.
func Reap(exits chan<- []Exit) { close(exits) }

// Descendants finds nothing outside Linux.
func Descendants(root int) []int { return nil }

// IsPID1 is false outside Linux.
func IsPID1() bool { return false }

// BecomeSubreaper is unsupported outside Linux.
func BecomeSubreaper() error { return errors.ErrUnsupported }
