//go:build linux

package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// evictingNginx is testkit's nginx with FILE included in its http block,
// as the shipped nginx.conf includes drainit's, plus extra there.
func evictingNginx(t *testing.T, extra string) (*testkit.Nginx, string) {
	t.Helper()
	n := testkit.NewNginx(t)
	file := filepath.Join(n.Dir, "run", "drainit", "keepalive.conf")
	conf := filepath.Join(n.Dir, "nginx.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	withInclude := strings.Replace(string(data), "access_log off;", "access_log off;\n  keepalive_timeout 30s;\n  "+extra+"\n  include "+file+";", 1)
	if err := os.WriteFile(conf, []byte(withInclude), 0o644); err != nil {
		t.Fatal(err)
	}
	return n, file
}

func get(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return resp
}

// TestEvictionTellsKeepAliveClientsToReconnect: real nginx as PID 1 and a
// keep-alive client. At the trigger drainit writes the include and reloads
// nginx; from then on responses close their connection, while nginx goes
// on serving through the delay.
func TestEvictionTellsKeepAliveClientsToReconnect(t *testing.T) {
	t.Parallel()
	n, file := evictingNginx(t, "")
	r := start(t, pid1, spec{
		flags:   []string{"--delay", "1h", "--timeout", "20s", "--evict-keepalive", file},
		command: n.Argv,
	})
	testkit.WaitListening(t, n.Port)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	if resp := get(t, client, n.URL("/")); resp.Close {
		t.Fatal("before the trigger: want a keep-alive response, got Connection: close")
	}
	r.signal(syscall.SIGTERM)
	r.waitLog("reloaded: every response now closes its keep-alive connection")
	closed := false
	for deadline := time.Now().Add(scale(5 * time.Second)); !closed && time.Now().Before(deadline); {
		closed = get(t, client, n.URL("/")).Close
	}
	if !closed {
		t.Fatal("after the eviction: responses still keep the connection open")
	}
	got, _ := os.ReadFile(file)
	if string(got) != "keepalive_requests 1;\n" {
		t.Fatalf("the include: %q", got)
	}
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
}

// TestAFailedReloadIsLoggedAndTheDrainGoesOn: an nginx.conf that already
// sets keepalive_requests makes the include a duplicate, so the reload
// fails and nginx keeps its old configuration; drainit says so and drains
// as it would have without eviction.
func TestAFailedReloadIsLoggedAndTheDrainGoesOn(t *testing.T) {
	t.Parallel()
	n, file := evictingNginx(t, "keepalive_requests 100;")
	r := start(t, pid1, spec{
		flags:   []string{"--delay", "1h", "--timeout", "20s", "--evict-keepalive", file},
		command: n.Argv,
	})
	testkit.WaitListening(t, n.Port)
	r.signal(syscall.SIGTERM)
	r.waitLog("the reload failed")
	client := &http.Client{}
	get(t, client, n.URL("/")) // still serving, through the delay
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	r.wantLog("delay_ended_by=second_trigger", "clean=true")
}

func TestAnUnwritableEvictionFileIsAUsageError(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(drainitBin, "--evict-keepalive", "/proc/drainit/keepalive.conf", "true")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 || !strings.Contains(string(out), "--evict-keepalive") {
		t.Fatalf("want exit 2 and one line naming --evict-keepalive, got %v: %s", err, out)
	}
}
