package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// pod is the containers of one test: nginx's and php-fpm's, or one for
// both, serving on port.
type pod struct {
	t          *testing.T
	nginx, fpm string
	port       int
}

// startPod runs php-fpm and nginx on the host network. env adds drainit
// settings to both.
func startPod(t *testing.T, env ...string) *pod {
	t.Helper()
	dir := t.TempDir()
	p := &pod{t: t, nginx: "drainit-test-nginx-" + t.Name(), fpm: "drainit-test-fpm-" + t.Name(), port: appPort}
	p.nginx, p.fpm = sanitize(p.nginx), sanitize(p.fpm)
	for _, name := range []string{p.nginx, p.fpm} {
		_, _ = podman("rm", "-f", "-t", "0", name)
	}
	write := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	app := write("index.php", testkit.SlowApp, 0o644)
	templates := filepath.Join(dir, "templates")
	if err := os.MkdirAll(templates, 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile("../examples/nginx/app.conf.template")
	if err != nil {
		t.Fatal(err)
	}
	// The image renders the template with its own
	// 20-envsubst-on-templates.sh: serving it proves that drainit's wrapped
	// /docker-entrypoint.sh still runs the entrypoint.d scripts. The stock
	// default.conf is emptied: on the host network it would take port 80.
	write("templates/app.conf.template", string(tmpl), 0o644)
	empty := write("empty.conf", "", 0o644)
	common := []string{"run", "-d", "--network=host"}
	for _, e := range env {
		common = append(common, "-e", e)
	}
	fpmArgs := append(append([]string{}, common...), "--name", p.fpm,
		"-e", fmt.Sprintf("DRAINIT_METRICS_ADDRESS=127.0.0.1:%d", fpmMetrics),
		"-v", app+":/var/www/html/index.php:ro", fpmImage)
	if out, err := podman(fpmArgs...); err != nil {
		t.Fatalf("php-fpm: %v\n%s", err, out)
	}
	nginxArgs := append(append([]string{}, common...), "--name", p.nginx,
		"-e", fmt.Sprintf("DRAINIT_METRICS_ADDRESS=127.0.0.1:%d", nginxMetrics),
		"-e", fmt.Sprintf("NGINX_PORT=%d", appPort), "-e", "PHP_FPM_ADDRESS=127.0.0.1:9000",
		"-v", templates+":/etc/nginx/templates:ro",
		"-v", empty+":/etc/nginx/conf.d/default.conf:ro",
		nginxImage)
	if out, err := podman(nginxArgs...); err != nil {
		p.remove()
		t.Fatalf("nginx: %v\n%s", err, out)
	}
	t.Cleanup(p.remove)
	p.waitServing()
	return p
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

func (p *pod) remove() {
	_, _ = podman("rm", "-f", "-t", "0", p.nginx, p.fpm)
}

func (p *pod) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path) }

func (p *pod) waitServing() {
	p.t.Helper()
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(p.url("/?ms=0"))
		if err == nil {
			buf := make([]byte, 64)
			n, _ := resp.Body.Read(buf)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(buf[:n]) == "ok\n" { // the PHP ran: not its source, not a default page
				return
			}
			last = fmt.Sprintf("%d %q", resp.StatusCode, buf[:n])
		} else {
			last = err.Error()
		}
	}
	p.t.Fatalf("the pod never served a PHP page: %s\nnginx:\n%s\nphp-fpm:\n%s", last, p.logs(p.nginx), p.logs(p.fpm))
}

func (p *pod) logs(name string) string {
	out, _ := podman("logs", name)
	return out
}

func (p *pod) exitCode(name string) string {
	out, _ := podman("inspect", "--format", "{{.State.ExitCode}}", name)
	return strings.TrimSpace(out)
}

// stop stops both containers at once, as the kubelet does, and says how
// long each took.
func (p *pod) stop(timeout int) map[string]time.Duration {
	var mu sync.Mutex
	took := map[string]time.Duration{}
	var wg sync.WaitGroup
	for _, name := range []string{p.nginx, p.fpm} {
		wg.Go(func() {
			start := time.Now()
			if out, err := podman("stop", "-t", fmt.Sprint(timeout), name); err != nil {
				p.t.Errorf("podman stop %s: %v\n%s", name, err, out)
			}
			mu.Lock()
			took[name] = time.Since(start)
			mu.Unlock()
		})
	}
	wg.Wait()
	return took
}
