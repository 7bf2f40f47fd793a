//go:build !linux

package pages

// Release does nothing outside Linux.
func Release() (int, error) { return 0, nil }
