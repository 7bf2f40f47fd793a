package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drainit/drainit/e2e/scenario"
)

// One container, nginx in front of php-fpm, stopped under load with a
// lagging load balancer, slow requests and slow uploads in flight.

func needSupervisord(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(bin.Supervisord); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (make test installs supervisor)", bin.Supervisord)
		}
		t.Skipf("%s is not installed (make test installs supervisor)", bin.Supervisord)
	}
}

// TestOneContainerDrainitLosesNothingWhereSupervisordDoes: the control is
// supervisord with stopsignal=QUIT and priorities, its best setting without
// a preStop hook; it must lose requests, or the scenario proves nothing.
func TestOneContainerDrainitLosesNothingWhereSupervisordDoes(t *testing.T) {
	needSupervisord(t)
	load := scenario.OneContainerLoad()
	control := run(t, scenario.Options{Load: load, Variant: scenario.SupervisordQUIT(bin.Supervisord)})
	if len(control.Failed()) == 0 {
		t.Fatal("supervisord lost nothing: the scenario does not exercise the stop")
	}
	d := scenario.DefaultDrainit()
	res := run(t, scenario.Options{Load: load, Variant: scenario.DrainitOne(bin.Drainit, d)})
	wantNoFailures(t, res)
	uploadsInLag := 0
	for _, r := range res.Requests {
		if r.Upload && r.Sent.After(res.StopAt) && r.OK() {
			uploadsInLag++
		}
	}
	if uploadsInLag == 0 {
		t.Fatal("no upload started after the stop: the scenario does not exercise php-fpm's order")
	}
	log, fpm := res.Pod.Nginx.Log(), filepath.Base(bin.PHPFPM)
	nginxGone := strings.Index(log, `msg="process exited" process=nginx`)
	fpmStop := strings.Index(log, `msg="stop signal sent" process=`+fpm)
	if nginxGone < 0 || fpmStop < nginxGone {
		t.Fatalf("want php-fpm's stop signal only after nginx exited:\n%s", log)
	}
	if c := res.Pod.Nginx; c.ExitCode != 0 || !strings.Contains(log, "clean=true") {
		t.Fatalf("want exit 0 and a clean drain, got %d:\n%s", c.ExitCode, log)
	}
	if res.StopDuration < d.NginxDelay {
		t.Fatalf("the container stopped after %v, before the %v delay", res.StopDuration, d.NginxDelay)
	}
}
