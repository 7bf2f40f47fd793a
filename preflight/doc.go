// Package preflight finds, at start-up, settings that will make a drain
// lose requests, and says so in one line each. Its checks never stop
// drainit: a warning is advice, and the child starts either way.
package preflight
