//go:build !linux

package logwriter

// blockJobControlSignals does nothing outside Linux, where drainit does not run.
func blockJobControlSignals() {}
