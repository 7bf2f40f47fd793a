package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// graceMargin is what drainit's own start-up check demands.
const graceMargin = time.Second

// drainBudget is what one container's drainit needs before the kill:
// delay + timeout + linger, read from the same environment drainit reads.
// With DRAINIT_QUIET the delay usually ends early, but DRAINIT_DELAY, its
// upper bound, is what must fit.
type drainBudget struct {
	quiet, delay, timeout, linger, grace time.Duration
}

func budgetFromEnv(t *testing.T, who string, env map[string]string) drainBudget {
	t.Helper()
	parse := func(key string, required bool) time.Duration {
		v, ok := env[key]
		if !ok {
			if required {
				t.Errorf("%s: %s is not set", who, key)
			}
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Errorf("%s: %s=%q: %v", who, key, v, err)
		}
		return d
	}
	return drainBudget{parse("DRAINIT_QUIET", true), parse("DRAINIT_DELAY", true), parse("DRAINIT_TIMEOUT", true),
		parse("DRAINIT_METRICS_LINGER", false), parse("DRAINIT_GRACE_PERIOD", true)}
}

// check says whether the drain fits in the runtime's budget, and whether
// drainit's own --grace-period agrees with it.
func (b drainBudget) check(t *testing.T, who string, runtimeGrace time.Duration) {
	t.Helper()
	if need := b.delay + b.timeout + b.linger + graceMargin; need > runtimeGrace {
		t.Errorf("%s: delay %v + timeout %v + linger %v + %v margin = %v does not fit the %v grace period",
			who, b.delay, b.timeout, b.linger, graceMargin, need, runtimeGrace)
	}
	if b.grace != runtimeGrace {
		t.Errorf("%s: DRAINIT_GRACE_PERIOD %v differs from the runtime's %v", who, b.grace, runtimeGrace)
	}
	if b.quiet <= 0 || b.quiet >= b.delay {
		t.Errorf("%s: want an adaptive delay, a quiet window shorter than the upper bound; got DRAINIT_QUIET %v, DRAINIT_DELAY %v", who, b.quiet, b.delay)
	}
}

// wantPHPFPMWatchesNginx: php-fpm cannot see an upload nginx is still
// reading, so its drainit must read nginx's page too.
func wantPHPFPMWatchesNginx(t *testing.T, env map[string]string) {
	t.Helper()
	if !strings.Contains(env["DRAINIT_UPSTREAM"], "nginx=") || !strings.Contains(env["DRAINIT_UPSTREAM"], "php-fpm=") {
		t.Errorf("php-fpm: DRAINIT_UPSTREAM %q must hold php-fpm's page and nginx's", env["DRAINIT_UPSTREAM"])
	}
}

// startsWithoutWarnings runs the real drainit with a container's
// environment in front of `true`: its own flag parsing must take every
// setting (a usage error exits 2) and its start-up checks (the grace
// period, the quiet window) must find nothing to warn about. No metrics
// listener (so no linger either; the linger still counts in the grace
// check), and the eviction file moves to a place of this test's own.
func startsWithoutWarnings(t *testing.T, who string, env map[string]string) {
	t.Helper()
	if out, err := drainitWithEnv(t, env); err != nil || strings.Contains(out, "level=WARN") {
		t.Errorf("%s: drainit with this environment: %v\n%s", who, err, out)
	}
}

// drainitWithEnv runs drainit in front of `true` with env and what it
// needs of this process's own (PATH).
func drainitWithEnv(t *testing.T, env map[string]string) (string, error) {
	cmd := exec.Command(bin.Drainit, "--", "true")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		switch k {
		case "DRAINIT_METRICS_ADDRESS":
			v = ""
		case "DRAINIT_EVICT_KEEPALIVE":
			v = filepath.Join(t.TempDir(), filepath.Base(v))
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// documents splits a multi-document YAML file.
func documents(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for _, d := range bytes.Split(data, []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

// decodeStrict decodes one document into the type its kind names, failing
// on any field the API does not know.
func decodeStrict(t *testing.T, doc []byte) any {
	t.Helper()
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatal(err)
	}
	var obj any
	switch meta.APIVersion + " " + meta.Kind {
	case "apps/v1 Deployment":
		obj = &appsv1.Deployment{}
	case "v1 Service":
		obj = &corev1.Service{}
	case "v1 ConfigMap":
		obj = &corev1.ConfigMap{}
	case "policy/v1 PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "monitoring.coreos.com/v1 PodMonitor":
		obj = &monitoringv1.PodMonitor{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		obj = &monitoringv1.PrometheusRule{}
	default:
		t.Fatalf("unexpected kind %s %s", meta.APIVersion, meta.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		t.Fatalf("%s: %v", meta.Kind, err)
	}
	return obj
}

func TestKubernetesExamplesDecodeStrictlyAndFitTheGracePeriod(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../examples/kubernetes/*.yaml")
	if len(files) < 3 {
		t.Fatalf("want the deployment, service and monitoring manifests, got %v", files)
	}
	kinds := map[string]int{}
	for _, f := range files {
		for _, doc := range documents(t, f) {
			obj := decodeStrict(t, doc)
			kinds[fmt.Sprintf("%T", obj)]++
			if d, ok := obj.(*appsv1.Deployment); ok {
				checkDeployment(t, d)
			}
		}
	}
	for _, want := range []string{"*v1.Deployment", "*v1.Service", "*v1.ConfigMap", "*v1.PodDisruptionBudget", "*v1.PodMonitor", "*v1.PrometheusRule"} {
		if kinds[want] == 0 {
			t.Errorf("no %s in examples/kubernetes (have %v)", want, kinds)
		}
	}
}

func checkDeployment(t *testing.T, d *appsv1.Deployment) {
	spec := d.Spec.Template.Spec
	if spec.TerminationGracePeriodSeconds == nil {
		t.Fatal("terminationGracePeriodSeconds is not set")
	}
	grace := time.Duration(*spec.TerminationGracePeriodSeconds) * time.Second
	delays := map[string]time.Duration{}
	for _, c := range spec.Containers {
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		b := budgetFromEnv(t, c.Name, env)
		b.check(t, c.Name, grace)
		startsWithoutWarnings(t, c.Name, env)
		delays[c.Name] = b.delay
		if c.Name == "php-fpm" {
			wantPHPFPMWatchesNginx(t, env)
		}
		if f := env["DRAINIT_EVICT_KEEPALIVE"]; f != "" && !mounted(c, filepath.Dir(f)) {
			t.Errorf("%s: DRAINIT_EVICT_KEEPALIVE %s is not on a mounted volume: a read-only root filesystem would refuse it", c.Name, f)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("%s: want a readiness probe on drainit's /readyz", c.Name)
		}
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
			t.Errorf("%s: a preStop hook would add to the delay and eat the grace period", c.Name)
		}
	}
	if delays["php-fpm"] <= delays["nginx"] {
		t.Errorf("php-fpm's delay %v must outlast nginx's %v", delays["php-fpm"], delays["nginx"])
	}
}

func mounted(c corev1.Container, dir string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == dir && !m.ReadOnly {
			return true
		}
	}
	return false
}

func TestComposeExampleLoadsAndFitsTheStopGracePeriod(t *testing.T) {
	t.Parallel()
	path, _ := filepath.Abs("../examples/compose/compose.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("shop", true) })
	if err != nil {
		t.Fatalf("compose-go rejects the file: %v", err)
	}
	delays := map[string]time.Duration{}
	for name, svc := range project.Services {
		if svc.StopGracePeriod == nil {
			t.Errorf("%s: stop_grace_period is not set", name)
			continue
		}
		env := dockerfileEnv(t, filepath.Join(svc.Build.Context, svc.Build.Dockerfile))
		for k, v := range svc.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		b := budgetFromEnv(t, name, env)
		b.check(t, name, time.Duration(*svc.StopGracePeriod))
		startsWithoutWarnings(t, name, env)
		delays[name] = b.delay
		if name == "php-fpm" {
			wantPHPFPMWatchesNginx(t, env)
		}
	}
	if delays["php-fpm"] <= delays["nginx"] {
		t.Errorf("php-fpm's delay %v must outlast nginx's %v", delays["php-fpm"], delays["nginx"])
	}
	if nginx, ok := project.Services["nginx"]; !ok || !strings.HasPrefix(nginx.NetworkMode, "service:php-fpm") {
		t.Errorf("nginx must share php-fpm's network namespace, as in a pod")
	}
}

// dockerfileEnv reads the ENV instructions of a Dockerfile: the defaults a
// container of that image starts with.
func dockerfileEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	joined := strings.ReplaceAll(string(data), "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "ENV ")
		if !ok {
			continue
		}
		for _, word := range strings.Fields(rest) {
			k, v, ok := strings.Cut(word, "=")
			if !ok {
				t.Fatalf("%s: ENV %q: want KEY=VALUE words", path, rest)
			}
			env[k] = v
		}
	}
	return env
}

// TestImageDefaultsAreAdaptiveAndFitTheGracePeriodTheREADMEGives: each
// image's own ENV is an adaptive delay that drainit takes without a usage
// error, and fits exactly the least terminationGracePeriodSeconds the
// README names for it: with one second less, drainit warns at start-up.
func TestImageDefaultsAreAdaptiveAndFitTheGracePeriodTheREADMEGives(t *testing.T) {
	t.Parallel()
	delays := map[string]time.Duration{}
	for _, c := range []struct {
		dockerfile string
		leastGrace time.Duration // as the README's Images section says
	}{
		{"../Dockerfile.nginx", 36 * time.Second},
		{"../Dockerfile.phpfpm", 41 * time.Second},
		{"../examples/one-container/Dockerfile", 36 * time.Second},
	} {
		env := dockerfileEnv(t, c.dockerfile)
		env["DRAINIT_GRACE_PERIOD"] = c.leastGrace.String()
		b := budgetFromEnv(t, c.dockerfile, env)
		b.check(t, c.dockerfile, c.leastGrace)
		startsWithoutWarnings(t, c.dockerfile, env)
		delays[c.dockerfile] = b.delay

		env["DRAINIT_GRACE_PERIOD"] = (c.leastGrace - time.Second).String()
		if out, _ := drainitWithEnv(t, env); !strings.Contains(out, "does not fit in the") {
			t.Errorf("%s: with a grace period of %v drainit should warn:\n%s", c.dockerfile, c.leastGrace-time.Second, out)
		}
	}
	if delays["../Dockerfile.phpfpm"] <= delays["../Dockerfile.nginx"] {
		t.Errorf("php-fpm's upper bound %v must outlast nginx's %v", delays["../Dockerfile.phpfpm"], delays["../Dockerfile.nginx"])
	}
}
