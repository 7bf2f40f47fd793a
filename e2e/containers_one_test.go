package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/drainit/drainit/internal/testkit"
)

// The one-container example image, built from examples/one-container and
// stopped under load the way a runtime does.

const (
	oneImage   = "localhost/drainit-one:test"
	onePort    = 18082 // the app, instead of the example's 80, on the host network
	oneMetrics = 19103
)

var buildOneImage = sync.OnceValue(func() error {
	return buildImage("../examples/one-container/Dockerfile", oneImage)
})

func TestOneContainerImageStopsUnderLoadWithoutFailures(t *testing.T) {
	needPodman(t)
	if err := buildOneImage(); err != nil {
		t.Fatal(err)
	}
	name := sanitize("drainit-test-" + t.Name())
	_, _ = podman("rm", "-f", "-t", "0", name)
	dir := t.TempDir()
	app := filepath.Join(dir, "index.php")
	conf, err := os.ReadFile("../examples/one-container/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	// The example's own config, on a port of the test's: the host network
	// is shared.
	nginxConf := filepath.Join(dir, "nginx.conf")
	for _, f := range []struct {
		path, content string
	}{{app, testkit.SlowApp}, {nginxConf, strings.Replace(string(conf), "listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", onePort), 1)}} {
		if err := os.WriteFile(f.path, []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := podman("run", "-d", "--network=host", "--name", name,
		"-e", fmt.Sprintf("DRAINIT_METRICS_ADDRESS=127.0.0.1:%d", oneMetrics),
		"-v", app+":/var/www/html/index.php:ro", "-v", nginxConf+":/etc/nginx/nginx.conf:ro", oneImage); err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = podman("rm", "-f", "-t", "0", name) })
	url := fmt.Sprintf("http://127.0.0.1:%d/", onePort)
	p := &pod{t: t, nginx: name, fpm: name, port: onePort}
	p.waitServing()

	const lag = time.Second
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(false), vegeta.Timeout(30*time.Second))
	i := 0
	targeter := func(tg *vegeta.Target) error {
		i++
		tg.Method, tg.URL = "GET", url+"?ms=10"
		if i%25 == 0 {
			tg.URL = url + "?ms=1500"
		}
		return nil
	}
	results := attacker.Attack(targeter, vegeta.ConstantPacer{Freq: 50, Per: time.Second}, 2*time.Second+lag, "one")
	stopped := make(chan time.Duration, 1)
	time.AfterFunc(2*time.Second, func() {
		start := time.Now()
		if out, err := podman("stop", "-t", "40", name); err != nil {
			t.Errorf("podman stop: %v\n%s", err, out)
		}
		stopped <- time.Since(start)
	})
	var sent, failed int
	var first string
	for r := range results {
		sent++
		if r.Code != 200 {
			if failed++; first == "" {
				first = fmt.Sprintf("%d %s", r.Code, r.Error)
			}
		}
	}
	took := <-stopped
	log := p.logs(name)
	t.Logf("sent %d, failed %d, stop took %v", sent, failed, took)
	if failed > 0 {
		t.Errorf("want no failed requests, got %d of %d (first: %s)\n%s", failed, sent, first, log)
	}
	if code := p.exitCode(name); code != "0" || !strings.Contains(log, "clean=true") {
		t.Fatalf("want exit 0 and a clean drain, got %s:\n%s", code, log)
	}
	nginxGone, fpmStop := strings.Index(log, `msg="process exited" process=nginx`), strings.Index(log, `msg="stop signal sent" process=php-fpm`)
	if nginxGone < 0 || fpmStop < nginxGone {
		t.Fatalf("want php-fpm's stop signal only after nginx exited:\n%s", log)
	}
}
