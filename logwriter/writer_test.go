package logwriter

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

func droppedLine(n int) []byte { return fmt.Appendf(nil, "dropped %d\n", n) }

func TestLinesArriveInOrderByClose(t *testing.T) {
	t.Parallel()
	var out testkit.SyncBuffer
	w := New(&out, droppedLine)
	buf := []byte("line 0\n")
	for i := range 10 {
		buf = fmt.Appendf(buf[:0], "line %d\n", i)
		_, _ = w.Write(buf) // the caller reuses its buffer, as slog does
	}
	w.Close(10 * time.Second)
	var want strings.Builder
	for i := range 10 {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if got := out.String(); got != want.String() {
		t.Fatalf("want every line in order, got %q", got)
	}
}

// stuck is a stderr whose reader never reads: every write blocks until
// the test lets go.
type stuck struct {
	testkit.SyncBuffer
	release chan struct{}
}

func (s *stuck) Write(p []byte) (int, error) {
	<-s.release
	return s.SyncBuffer.Write(p)
}

func TestAStuckStderrNeitherBlocksWritesNorClose(t *testing.T) {
	t.Parallel()
	dst := &stuck{release: make(chan struct{})}
	w := New(dst, droppedLine)
	done := make(chan struct{})
	go func() {
		for range QueueLines + 10 { // more than the queue holds
			_, _ = w.Write([]byte("x\n"))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Write blocked behind a stuck stderr")
	}
	close(dst.release) // the reader wakes up
	w.Close(10 * time.Second)
	out := dst.String()
	// The writer may hold one line while it blocks, so one more fits.
	n := strings.Count(out, "x\n")
	if n < QueueLines || n > QueueLines+1 || !strings.HasSuffix(out, fmt.Sprintf("dropped %d\n", QueueLines+10-n)) {
		t.Fatalf("want the queued lines, then the count of those dropped; got %d lines ending %q", n, out[max(0, len(out)-40):])
	}
}

func TestCloseGivesUpOnAStderrStuckForGood(t *testing.T) {
	t.Parallel()
	dst := &stuck{release: make(chan struct{})}
	w := New(dst, droppedLine)
	_, _ = w.Write([]byte("never written\n"))
	returned := make(chan struct{})
	go func() { w.Close(50 * time.Millisecond); close(returned) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a stuck stderr")
	}
	_, _ = w.Write([]byte("after close\n")) // no panic, no block
}

func TestLostLinesAreReportedWhereTheyWereLost(t *testing.T) {
	t.Parallel()
	dst := &stuck{release: make(chan struct{})}
	w := New(dst, droppedLine)
	for range QueueLines + 10 {
		_, _ = w.Write([]byte("x\n"))
	}
	close(dst.release)
	for len(w.queue) > 0 { // the writer catches up
		time.Sleep(time.Millisecond)
	}
	_, _ = w.Write([]byte("after\n"))
	w.Close(10 * time.Second)
	if out := dst.String(); !strings.Contains(out, "x\ndropped ") || !strings.HasSuffix(out, "\nafter\n") {
		t.Fatalf("want the count between the queued lines and the next one, got ...%q", out[max(0, len(out)-40):])
	}
}

func TestCloseWithoutWrites(t *testing.T) {
	t.Parallel()
	New(&testkit.SyncBuffer{}, droppedLine).Close(time.Second)
}
