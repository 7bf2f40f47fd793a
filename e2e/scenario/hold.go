package scenario

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Held is one request that the app holds open until the test releases it
// (testkit.SlowApp's ?hold=NAME): a request in flight for exactly as long
// as the scenario needs, with no guess at how long that is.
type Held struct {
	pod  *Pod
	name string
	done chan struct{}
	// Set once done is closed.
	Code int
	Body string
	Err  error
	End  time.Time
}

// Hold sends GET /?hold=name to the pod and returns at once.
func (p *Pod) Hold(name string) *Held {
	h := &Held{pod: p, name: name, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		client := &http.Client{Timeout: 2 * time.Minute}
		resp, err := client.Get(p.URL("/?hold=" + name))
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			h.Code, h.Body = resp.StatusCode, string(b)
		}
		h.Err, h.End = err, time.Now()
	}()
	return h
}

// WaitStarted waits until a php-fpm worker runs the request.
func (h *Held) WaitStarted(within time.Duration) error {
	return waitFor(within, func() bool { return fileExists(h.mark("started")) },
		"the held request %q never reached a php-fpm worker", h.name)
}

// Release lets the app answer.
func (h *Held) Release() error { return os.WriteFile(h.mark("release"), nil, 0o644) }

// Wait waits for the answer.
func (h *Held) Wait(within time.Duration) error {
	select {
	case <-h.done:
		return nil
	case <-time.After(within):
		return fmt.Errorf("the held request %q got no answer within %v", h.name, within)
	}
}

// OK reports whether the request got the app's 200.
func (h *Held) OK() bool { return h.Err == nil && h.Code == http.StatusOK && h.Body == "ok\n" }

func (h *Held) String() string {
	return fmt.Sprintf("held request %q: %d %q (err %v)", h.name, h.Code, h.Body, h.Err)
}

func (h *Held) mark(what string) string { return filepath.Join(h.pod.Dir, h.name+"."+what) }

// WaitLog waits until the container has written text.
func (c *Container) WaitLog(text string, within time.Duration) error {
	return waitFor(within, func() bool { return strings.Contains(c.Log(), text) },
		"%s never logged %q:\n%s", c.Name, text, logTail{c})
}

// logTail defers reading the log until the message is formatted.
type logTail struct{ c *Container }

func (l logTail) String() string { return l.c.Log() }

// waitFor polls cond every few milliseconds until it holds or within has
// passed; then the error says what did not happen.
func waitFor(within time.Duration, cond func() bool, format string, args ...any) error {
	for deadline := time.Now().Add(within); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf(format, args...)
		}
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
