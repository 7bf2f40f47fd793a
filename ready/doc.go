// Package ready tells when a backend is ready to serve, where drainit can
// tell: its status page answers (an --upstream of its kind), or its listen
// address accepts connections. drainit starts the next member only once
// the backend before it is ready, within --start-timeout.
//
// A probe is tried every PollInterval until it succeeds or its context
// ends: a backend's start takes tens or hundreds of milliseconds, and this
// polling stops for good once the main command has started.
package ready
