package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
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
type drainBudget struct {
	delay, timeout, linger, grace time.Duration
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
	return drainBudget{parse("DRAINIT_DELAY", true), parse("DRAINIT_TIMEOUT", true),
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
		delays[c.Name] = b.delay
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
		env := map[string]string{}
		for k, v := range svc.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		b := budgetFromEnv(t, name, env)
		b.check(t, name, time.Duration(*svc.StopGracePeriod))
		delays[name] = b.delay
	}
	if delays["php-fpm"] <= delays["nginx"] {
		t.Errorf("php-fpm's delay %v must outlast nginx's %v", delays["php-fpm"], delays["nginx"])
	}
	if nginx, ok := project.Services["nginx"]; !ok || !strings.HasPrefix(nginx.NetworkMode, "service:php-fpm") {
		t.Errorf("nginx must share php-fpm's network namespace, as in a pod")
	}
}
