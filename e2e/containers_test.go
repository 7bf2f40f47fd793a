package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The container tests build the repository's Dockerfiles with podman and
// run the images on host networking, the two of a pod together.
//
// Base images: on these machines, the local stand-ins for the official
// golang, nginx and php:fpm images that ../shared/container/setup-images.sh
// builds (`make test` runs it). Elsewhere, whatever podman can pull: the
// build pulls an image only when it is missing, and DRAINIT_GO_IMAGE,
// DRAINIT_NGINX_IMAGE and DRAINIT_PHP_IMAGE point at other ones (a mirror,
// a pinned tag).

const (
	nginxImage = "localhost/drainit-nginx:test"
	fpmImage   = "localhost/drainit-phpfpm:test"
	// Ports on the host network; the images' own defaults stay unused so a
	// developer's services do not collide with the test.
	appPort      = 18080
	nginxMetrics = 19101
	fpmMetrics   = 19102
)

// baseImages are the build arguments that name the base images.
func baseImages() []string {
	var args []string
	for _, b := range []struct{ arg, env, image string }{
		{"GO_IMAGE", "DRAINIT_GO_IMAGE", "docker.io/library/golang:1.26"},
		{"NGINX_IMAGE", "DRAINIT_NGINX_IMAGE", "docker.io/library/nginx:latest"},
		{"PHP_IMAGE", "DRAINIT_PHP_IMAGE", "docker.io/library/php:fpm"},
	} {
		image := os.Getenv(b.env)
		if image == "" {
			image = b.image
		}
		args = append(args, "--build-arg", b.arg+"="+image)
	}
	return args
}

// buildImage builds the Dockerfile at dockerfile, with the repository as
// the context, into tag. The Go stage runs on this machine's platform
// (podman 4 does not set BUILDPLATFORM itself), whatever the target's.
func buildImage(dockerfile, tag string, extra ...string) error {
	args := []string{"build", "--pull=missing", "--network=host", "-f", dockerfile, "-t", tag,
		"--build-arg", "BUILDPLATFORM=linux/" + runtime.GOARCH}
	args = append(append(append(args, baseImages()...), extra...), "..")
	if out, err := podman(args...); err != nil {
		return fmt.Errorf("podman %v: %v\n%s", args, err, out)
	}
	return nil
}

var buildImages = sync.OnceValue(func() error {
	if err := buildImage("../Dockerfile.nginx", nginxImage); err != nil {
		return err
	}
	if err := buildImage("../Dockerfile.phpfpm", fpmImage); err != nil {
		return err
	}
	// The README's copy example names the image drainit-nginx.
	if out, err := podman("tag", nginxImage, "localhost/drainit-nginx:latest"); err != nil {
		return fmt.Errorf("podman tag: %v\n%s", err, out)
	}
	return nil
})

// needPodman skips outside CI when podman is missing; in CI (CI=true) its
// absence is a failure. It uses the stand-ins' podman settings when
// setup-images.sh has written them.
func needPodman(t *testing.T) {
	t.Helper()
	if os.Getenv("CONTAINERS_CONF") == "" {
		if conf := "/var/tmp/drainit-containers/containers.conf"; fileExists(conf) {
			os.Setenv("CONTAINERS_CONF", conf)
		}
	}
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("podman is missing (make test installs it with ../shared/container/setup-images.sh)")
		}
		t.Skip("podman is missing: install it, and run ../shared/container/setup-images.sh where it exists")
	}
	if err := buildImages(); err != nil {
		t.Fatal(err)
	}
}

func podman(args ...string) (string, error) {
	out, err := exec.Command("podman", args...).CombinedOutput()
	return string(out), err
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestImagesBuildAndCarryAStaticDrainit(t *testing.T) {
	needPodman(t)
	for _, image := range []string{nginxImage, fpmImage} {
		out, err := podman("run", "--rm", "--network=host", "--entrypoint", "/usr/local/bin/drainit", image, "--version")
		if err != nil || !strings.HasPrefix(out, "drainit ") {
			t.Fatalf("%s: drainit --version: %v %q", image, err, out)
		}
		id, err := podman("create", image)
		if err != nil {
			t.Fatal(err)
		}
		id = strings.TrimSpace(id)
		dst := filepath.Join(t.TempDir(), "drainit")
		_, cpErr := podman("cp", id+":/usr/local/bin/drainit", dst)
		_, _ = podman("rm", id)
		if cpErr != nil {
			t.Fatal(cpErr)
		}
		desc, err := exec.Command("file", "-b", dst).Output()
		if err != nil || !strings.Contains(string(desc), "statically linked") {
			t.Fatalf("%s: want a static drainit, file says %q (%v)", image, desc, err)
		}
		if out, _ := podman("run", "--rm", "--network=host", "--entrypoint", "sh", image, "-c", "command -v go || echo none"); strings.TrimSpace(out) != "none" {
			t.Fatalf("%s: the final image carries a Go toolchain at %q", image, out)
		}
	}
}

// TestCopyFromExampleBuildsAndRuns builds the README's five-line example of
// copying drainit into an image of one's own.
func TestCopyFromExampleBuildsAndRuns(t *testing.T) {
	needPodman(t)
	const image = "localhost/drainit-copy-example:test"
	if out, err := podman("build", "--pull=missing", "--network=host", "-t", image, "../examples/copy-from"); err != nil {
		t.Fatalf("podman build: %v\n%s", err, out)
	}
	out, err := podman("run", "--rm", "--network=host", "--entrypoint", "/usr/local/bin/drainit", image, "--version")
	if err != nil || !strings.HasPrefix(out, "drainit ") {
		t.Fatalf("drainit --version in the copied image: %v %q", err, out)
	}
	entrypoint, _ := podman("image", "inspect", "--format", "{{json .Config.Entrypoint}}", image)
	if !strings.Contains(entrypoint, "/docker-entrypoint.sh") || !strings.Contains(entrypoint, "drainit") {
		t.Fatalf("want drainit wrapping /docker-entrypoint.sh, got %s", entrypoint)
	}
}

func TestPodServesAndStopsUnderLoadWithoutFailures(t *testing.T) {
	needPodman(t)
	p := startPod(t) // the images' own delays: nginx 5 s, php-fpm 8 s
	const lag = time.Second
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(false), vegeta.Timeout(30*time.Second))
	i := 0
	targeter := func(tg *vegeta.Target) error {
		i++
		tg.Method, tg.URL = "GET", p.url("/?ms=10")
		if i%25 == 0 {
			tg.URL = p.url("/?ms=1500")
		}
		return nil
	}
	results := attacker.Attack(targeter, vegeta.ConstantPacer{Freq: 50, Per: time.Second}, 2*time.Second+lag, "pod")
	stopped := make(chan map[string]time.Duration, 1)
	time.AfterFunc(2*time.Second, func() { stopped <- p.stop(40) })
	var sent, failed int
	var firstFailure string
	for r := range results {
		sent++
		if r.Code != 200 {
			failed++
			if firstFailure == "" {
				firstFailure = fmt.Sprintf("%d %s", r.Code, r.Error)
			}
		}
	}
	took := <-stopped
	t.Logf("sent %d, failed %d, stop took %v", sent, failed, took)
	if failed > 0 {
		t.Errorf("want no failed requests, got %d of %d (first: %s)", failed, sent, firstFailure)
	}
	for _, name := range []string{p.nginx, p.fpm} {
		log := p.logs(name)
		if code := p.exitCode(name); code != "0" {
			t.Errorf("%s: want exit 0, got %s\n%s", name, code, log)
		}
		for _, want := range []string{"drain triggered", "stop signal sent", "drain summary", "clean=true"} {
			if !strings.Contains(log, want) {
				t.Errorf("%s: podman logs lack %q:\n%s", name, want, log)
			}
		}
	}
}

func TestRequestOutlastingTheTimeoutTakesTheDeadlinePath(t *testing.T) {
	needPodman(t)
	p := startPod(t, "DRAINIT_TIMEOUT=3s")
	go func() { _, _ = http.Get(p.url("/?ms=60000")) }()
	time.Sleep(500 * time.Millisecond) // the request is with a worker now
	const podmanTimeout = 40
	took := p.stop(podmanTimeout)
	log := p.logs(p.fpm)
	for _, want := range []string{"deadline hit", "clean=false", "drain summary"} {
		if !strings.Contains(log, want) {
			t.Errorf("php-fpm: podman logs lack %q:\n%s", want, log)
		}
	}
	if n := summaryKilled(t, log); n < 1 {
		t.Errorf("php-fpm: want processes killed at the deadline, got killed=%d", n)
	}
	// drainit's exit: the summary names the status it exits with, so the
	// runtime did not have to kill it; and it came well before podman's own
	// timeout: the image's delay (the request in flight holds the quiet
	// window open, so its upper bound) plus the 3 s timeout, plus 5 s.
	if !strings.Contains(log, "exit_status=137") || p.exitCode(p.fpm) != "137" {
		t.Errorf("php-fpm: want drainit to exit 137 itself after the kill, got %s", p.exitCode(p.fpm))
	}
	upper, err := time.ParseDuration(dockerfileEnv(t, "../Dockerfile.phpfpm")["DRAINIT_DELAY"])
	if err != nil {
		t.Fatal(err)
	}
	if max := upper + 3*time.Second + 5*time.Second; took[p.fpm] > max {
		t.Errorf("php-fpm: podman stop took %v, want under %v (its own timeout is %ds)", took[p.fpm], max, podmanTimeout)
	}
}
