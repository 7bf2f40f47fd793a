package drain

// Phase is where the drain stands.
type Phase int

const (
	// Running: no trigger yet; signals are forwarded.
	Running Phase = iota
	// Delaying: triggered; the child keeps serving while endpoints propagate.
	Delaying
	// Stopping: the stop signal went out; waiting for every descendant.
	Stopping
	// Killing: the timeout hit; everything left got SIGKILL.
	Killing
	// Done: drainit is about to exit.
	Done
)

// Phases lists the phases in order, for metrics that enumerate them.
var Phases = []Phase{Running, Delaying, Stopping, Killing, Done}

func (p Phase) String() string {
	switch p {
	case Running:
		return "running"
	case Delaying:
		return "delaying"
	case Stopping:
		return "stopping"
	case Killing:
		return "killing"
	case Done:
		return "done"
	}
	return "unknown"
}
