package drain

// Phase is where the drain stands.
type Phase int

const (
	// Starting: backends are starting; the main command has not started.
	Starting Phase = iota
	// Running: everything started; signals are forwarded.
	Running
	// Delaying: triggered; everything keeps serving while endpoints propagate.
	Delaying
	// Stopping: stop signals are going out, one member at a time.
	Stopping
	// Killing: the timeout hit; everything left got SIGKILL.
	Killing
	// Done: drainit is about to exit.
	Done
)

// Phases lists the phases in order, for metrics that enumerate them.
var Phases = []Phase{Starting, Running, Delaying, Stopping, Killing, Done}

func (p Phase) String() string {
	switch p {
	case Starting:
		return "starting"
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
