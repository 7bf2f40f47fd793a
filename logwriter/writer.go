package logwriter

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// QueueLines is how many lines may wait for a slow stderr before lines are
// dropped.
const QueueLines = 1024

// Writer is an io.Writer for log lines: each Write is one line, queued.
type Writer struct {
	dst     io.Writer
	dropped func(n int) []byte // the line that reports n dropped lines

	mu      sync.RWMutex // Close against Write's send
	closed  bool
	queue   chan []byte
	done    chan struct{}
	lost    atomic.Int64 // lines dropped and not yet reported
	started sync.Once
}

// New writes to dst. dropped formats the line that reports lines lost to a
// full queue, in the log's own format.
func New(dst io.Writer, dropped func(n int) []byte) *Writer {
	return &Writer{dst: dst, dropped: dropped, queue: make(chan []byte, QueueLines), done: make(chan struct{})}
}

// Write queues a copy of p and returns at once. It never fails: a line
// that does not fit, or comes after Close, is counted as dropped.
func (w *Writer) Write(p []byte) (int, error) {
	w.started.Do(func() { go w.run() })
	line := append([]byte(nil), p...)
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return len(p), nil
	}
	// Lines lost before this one are reported where they were lost.
	if n := w.lost.Load(); n > 0 {
		select {
		case w.queue <- w.dropped(int(n)):
			w.lost.Add(-n)
		default:
			w.lost.Add(1)
			return len(p), nil
		}
	}
	select {
	case w.queue <- line:
	default:
		w.lost.Add(1)
	}
	return len(p), nil
}

// Close stops taking lines and waits up to wait for the queued ones to be
// written. A stderr that is stuck for good is given up on.
func (w *Writer) Close(wait time.Duration) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	w.started.Do(func() { close(w.done) }) // nothing was ever written
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-w.done:
	case <-timer.C:
	}
}

// run writes the queue out from a thread that blocks the job-control
// signals. It never unlocks the thread: the thread ends with the process.
func (w *Writer) run() {
	runtime.LockOSThread()
	blockJobControlSignals()
	defer close(w.done)
	for line := range w.queue {
		_, _ = w.dst.Write(line)
	}
	if lost := w.lost.Swap(0); lost > 0 {
		_, _ = w.dst.Write(w.dropped(int(lost)))
	}
}
