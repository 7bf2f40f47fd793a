package e2e

import (
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

// TestDrainitLosesNoRequestsWhereNoInitDoes runs the same stop twice. The
// no-init run is the control: it shows the load and the lag are real, so a
// zero for drainit means something.
func TestDrainitLosesNoRequestsWhereNoInitDoes(t *testing.T) {
	d := scenario.DefaultDrainit()
	control := run(t, scenario.Options{Load: scenario.DefaultLoad(), Variant: scenario.NoInit()})
	if len(control.Failed()) == 0 {
		t.Fatal("the no-init control lost nothing: the scenario does not exercise the stop")
	}
	res := run(t, scenario.Options{Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, d)})
	wantNoFailures(t, res)
	if res.StopDuration < d.FPMDelay {
		t.Errorf("the pod stopped after %v, before php-fpm's %v delay", res.StopDuration, d.FPMDelay)
	}
	for _, c := range []*scenario.Container{res.Pod.Nginx, res.Pod.FPM} {
		if c.ExitCode != 0 || !strings.Contains(c.Log(), "clean=true") {
			t.Errorf("%s: want exit 0 and a clean drain summary, got %d:\n%s", c.Name, c.ExitCode, c.Log())
		}
	}
}

func TestKeepAliveClientsLoseNothing(t *testing.T) {
	load := scenario.DefaultLoad()
	load.KeepAlive = true
	res := run(t, scenario.Options{Load: load, Variant: scenario.DrainitVariant(bin.Drainit, scenario.DefaultDrainit())})
	wantNoFailures(t, res)
}

// TestSlowRequestInFlightWhenQuitArrives starts a 3 s request just before
// nginx's stop signal; php-fpm's comes while it still runs.
func TestSlowRequestInFlightWhenQuitArrives(t *testing.T) {
	d := scenario.DefaultDrainit()
	type reply struct {
		code int
		body string
		err  error
		end  time.Time
	}
	got := make(chan reply, 1)
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, d),
		During: func(p *scenario.Pod, stopAt time.Time) {
			time.Sleep(time.Until(stopAt.Add(d.NginxDelay - 300*time.Millisecond)))
			code, body, err := get(p, "/?ms=3000")
			got <- reply{code, body, err, time.Now()}
		},
	})
	r := <-got
	if r.err != nil || r.code != 200 || r.body != "ok\n" {
		t.Fatalf("the slow request: want 200 ok, got %d %q (%v)", r.code, r.body, r.err)
	}
	wantNoFailures(t, res)
	if end := r.end.Sub(res.StopAt); res.StopDuration < end {
		t.Fatalf("the pod stopped %v after the stop, before the slow request ended at %v", res.StopDuration, end)
	}
}

// TestOrphanedPHPFPMWorkersAreWaitedFor SIGKILLs php-fpm's master during
// its drain, while a worker still serves a slow request: the worker is
// re-parented to drainit, finishes, and drainit waits for it.
func TestOrphanedPHPFPMWorkersAreWaitedFor(t *testing.T) {
	d := scenario.DefaultDrainit()
	var slowEnd time.Time
	var slowCode int
	done := make(chan struct{})
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, d),
		During: func(p *scenario.Pod, stopAt time.Time) {
			defer close(done)
			time.Sleep(time.Until(stopAt.Add(d.NginxDelay - 300*time.Millisecond)))
			slow := make(chan int)
			go func() { code, _, _ := get(p, "/?ms=3000"); slowEnd = time.Now(); slow <- code }()
			time.Sleep(time.Until(stopAt.Add(d.FPMDelay + 300*time.Millisecond))) // php-fpm is draining
			masters := scenario.Children(p.FPM.PID1())
			if len(masters) != 1 {
				t.Errorf("want one php-fpm master under drainit, got %v", masters)
				return
			}
			_ = syscall.Kill(masters[0], syscall.SIGKILL)
			slowCode = <-slow
		},
	})
	<-done
	if slowCode != 200 {
		t.Fatalf("the request served by the orphaned worker: want 200, got %d", slowCode)
	}
	fpm := res.Pod.FPM
	if fpm.ExitedAt.Before(slowEnd) {
		t.Fatalf("drainit exited %v before the orphaned worker finished", slowEnd.Sub(fpm.ExitedAt))
	}
	if fpm.ExitCode != 137 || !strings.Contains(fpm.Log(), "orphans_waited=1") || summaryKilled(t, fpm.Log()) != 0 {
		t.Fatalf("want exit 137 (the master's status), one orphan waited for, none killed:\n%s", fpm.Log())
	}
}

// TestStuckWorkerIsKilledAtTheDeadline sends a request longer than
// drainit's timeout.
func TestStuckWorkerIsKilledAtTheDeadline(t *testing.T) {
	d := scenario.DefaultDrainit()
	d.Timeout = 2 * time.Second
	load := scenario.DefaultLoad()
	load.SlowEvery = 0
	res := run(t, scenario.Options{
		Load: load, Variant: scenario.DrainitVariant(bin.Drainit, d),
		During: func(p *scenario.Pod, _ time.Time) { _, _, _ = get(p, "/?ms=60000") },
	})
	if res.GraceKilled {
		t.Fatal("drainit's deadline did not end the pod before the grace period")
	}
	fpm := res.Pod.FPM
	if fpm.ExitCode != 137 || !strings.Contains(fpm.Log(), "deadline hit") || !strings.Contains(fpm.Log(), "clean=false") {
		t.Fatalf("php-fpm: want exit 137 after a deadline kill and an unclean summary, got %d:\n%s", fpm.ExitCode, fpm.Log())
	}
	if n := summaryKilled(t, fpm.Log()); n < 2 {
		t.Fatalf("php-fpm: want the master and the stuck worker killed, got killed=%d", n)
	}
	if max := d.FPMDelay + d.Timeout + 2*time.Second; res.StopDuration > max {
		t.Fatalf("the pod took %v to stop: want the deadline to end it by %v", res.StopDuration, max)
	}
}

// TestNginxReloadThroughDrainitWhileServing sends HUP to the nginx
// container's drainit under load: nginx must start new workers and drop
// nothing.
func TestNginxReloadThroughDrainitWhileServing(t *testing.T) {
	var before, fresh []int
	oldGone := false
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, scenario.DefaultDrainit()),
		Before: func(p *scenario.Pod) {
			time.Sleep(300 * time.Millisecond)
			master := scenario.Children(p.Nginx.PID1())[0]
			before = scenario.Children(master)
			_ = p.Nginx.Signal(syscall.SIGHUP)
			// Old workers finish their requests (up to 1.5 s) and leave.
			for deadline := time.Now().Add(1600 * time.Millisecond); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				now := scenario.Children(master)
				fresh = slices.DeleteFunc(slices.Clone(now), func(pid int) bool { return slices.Contains(before, pid) })
				if oldGone = !slices.ContainsFunc(now, func(pid int) bool { return slices.Contains(before, pid) }); oldGone {
					return
				}
			}
		},
	})
	wantNoFailures(t, res)
	if len(before) == 0 || len(fresh) == 0 || !oldGone {
		t.Fatalf("want new workers and the old ones gone after HUP: before %v, new %v, old gone %v", before, fresh, oldGone)
	}
}

// TestChildCrashDuringTheDelayEndsTheContainerAtOnce kills nginx's master
// during drainit's delay.
func TestChildCrashDuringTheDelayEndsTheContainerAtOnce(t *testing.T) {
	d := scenario.DefaultDrainit()
	d.NginxDelay = 10 * time.Second
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, d),
		During: func(p *scenario.Pod, _ time.Time) {
			time.Sleep(500 * time.Millisecond)
			_ = syscall.Kill(scenario.Children(p.Nginx.PID1())[0], syscall.SIGKILL)
		},
	})
	nginx := res.Pod.Nginx
	if took := nginx.ExitedAt.Sub(res.StopAt); took > 5*time.Second {
		t.Fatalf("nginx's container took %v to exit after its master crashed: want at once, not after the 10 s delay", took)
	}
	if nginx.ExitCode != 137 || !strings.Contains(nginx.Log(), "stop_sent=\"never") {
		t.Fatalf("want exit 137 and no stop signal, got %d:\n%s", nginx.ExitCode, nginx.Log())
	}
}
