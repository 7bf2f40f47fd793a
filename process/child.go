package process

// Child is the main child: the command drainit was asked to run.
type Child struct {
	PID int
	// Group makes Signal address the child's whole process group.
	Group bool
}
