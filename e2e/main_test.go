package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
	"github.com/drainit/drainit/internal/testkit"
)

var bin scenario.Binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "drainit-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// DRAINIT_TEST_BINARY runs the suite against a binary built elsewhere.
	drainit := os.Getenv("DRAINIT_TEST_BINARY")
	if drainit == "" {
		drainit = filepath.Join(dir, "drainit")
		if err := testkit.BuildDrainit("..", drainit); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	bin = scenario.DefaultBinaries(drainit)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// scaled stretches the waits for things that must eventually happen, on
// slow machines: DRAINIT_TEST_SCALE=3 triples them. They are not timed
// assertions: each one fails only when the awaited step never comes.
func scaled(d time.Duration) time.Duration {
	if f, err := strconv.ParseFloat(os.Getenv("DRAINIT_TEST_SCALE"), 64); err == nil && f > 0 {
		return time.Duration(float64(d) * f)
	}
	return d
}

// eventually bounds a wait for a step the scenario is sure to reach.
var eventually = scaled(20 * time.Second)

func need(t *testing.T) {
	t.Helper()
	for _, p := range []string{bin.Nginx, bin.PHPFPM} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s is not installed (make test installs it)", p)
		}
	}
	if exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() != nil {
		t.Skip("unshare --pid --fork --mount-proc does not work here (needs root)")
	}
}

// run runs the scenario and fails the test on a harness error.
func run(t *testing.T, o scenario.Options) *scenario.Result {
	t.Helper()
	need(t)
	o.Bin = bin
	o.Dir = t.TempDir()
	res, err := scenario.Run(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: sent %d, failed %d %v, stop took %v", res.Variant, len(res.Requests), len(res.Failed()),
		res.FailedByKind(), res.StopDuration.Round(time.Millisecond))
	return res
}

func wantNoFailures(t *testing.T, res *scenario.Result) {
	t.Helper()
	if failed := res.Failed(); len(failed) > 0 {
		t.Errorf("want no failed requests, got %d %v; first: %+v\nnginx:\n%s\nphp-fpm:\n%s",
			len(failed), res.FailedByKind(), failed[0], res.Pod.Nginx.Log(), res.Pod.FPM.Log())
	}
	if res.GraceKilled {
		t.Error("the grace period ran out")
	}
}

// get fetches path from the pod and reports the status and body.
func get(p *scenario.Pod, path string) (int, string, error) {
	resp, err := http.Get(p.URL(path))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf)
	return resp.StatusCode, string(buf[:n]), nil
}

var killedField = regexp.MustCompile(`killed=(\d+)`)

// summaryKilled reads killed=N from a container's drain summary.
func summaryKilled(t *testing.T, log string) int {
	t.Helper()
	m := killedField.FindAllStringSubmatch(log, -1)
	if m == nil {
		t.Fatalf("no killed= in:\n%s", log)
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}
