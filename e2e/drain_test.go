package e2e

import (
	"fmt"
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

// TestSlowRequestInFlightWhenQuitArrives holds a request open in a
// php-fpm worker from before the stop until both nginx and php-fpm have
// their stop signals: both must finish it, and the pod must wait for it.
func TestSlowRequestInFlightWhenQuitArrives(t *testing.T) {
	var held *scenario.Held
	var released time.Time
	steps := make(chan error, 1)
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, scenario.DefaultDrainit()),
		Setup: func(p *scenario.Pod) error {
			held = p.Hold("slow")
			return held.WaitStarted(eventually)
		},
		During: func(p *scenario.Pod, _ time.Time) {
			steps <- func() error {
				for _, c := range []*scenario.Container{p.Nginx, p.FPM} {
					if err := c.WaitLog("stop signal sent", eventually); err != nil {
						return err
					}
				}
				released = time.Now()
				return held.Release()
			}()
		},
	})
	if err := <-steps; err != nil {
		t.Fatal(err)
	}
	if err := held.Wait(eventually); err != nil || !held.OK() {
		t.Fatalf("the request in flight at both stop signals: want 200 ok, got %v (%v)", held, err)
	}
	wantNoFailures(t, res)
	// Neither could finish the request before it was released.
	if res.Pod.Nginx.ExitedAt.Before(released) || res.Pod.FPM.ExitedAt.Before(released) {
		t.Fatalf("a container exited before the request it was serving was released")
	}
}

// TestOrphanedPHPFPMWorkersAreWaitedFor SIGKILLs php-fpm's master during
// its drain while a worker still serves a request: the worker is
// re-parented to drainit, finishes, and drainit waits for it. Each step
// waits for the one before, so the scenario is the same on any machine:
// the request is in a worker before the stop; the master is killed only
// once it has passed QUIT on to its workers and reaped the idle ones; the
// request is released only once drainit has seen the master die.
func TestOrphanedPHPFPMWorkersAreWaitedFor(t *testing.T) {
	var held *scenario.Held
	var released time.Time
	steps := make(chan error, 1)
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, scenario.DefaultDrainit()),
		Setup: func(p *scenario.Pod) error {
			held = p.Hold("orphan")
			return held.WaitStarted(eventually)
		},
		During: func(p *scenario.Pod, _ time.Time) {
			err := killFPMMasterMidDrain(p)
			released = time.Now()
			if err == nil {
				err = held.Release()
			}
			steps <- err
		},
	})
	if err := <-steps; err != nil {
		t.Fatal(err)
	}
	if err := held.Wait(eventually); err != nil || !held.OK() {
		t.Fatalf("the request served by the orphaned worker: want 200 ok, got %v (%v)", held, err)
	}
	fpm := res.Pod.FPM
	if fpm.ExitedAt.Before(released) { // the worker could not finish before
		t.Fatalf("drainit exited %v before the orphaned worker's request was released", released.Sub(fpm.ExitedAt))
	}
	if fpm.ExitCode != 137 || !strings.Contains(fpm.Log(), "orphans_waited=1") || summaryKilled(t, fpm.Log()) != 0 {
		t.Fatalf("want exit 137 (the master's status), one orphan waited for, none killed:\n%s", fpm.Log())
	}
	wantNoFailures(t, res)
}

// killFPMMasterMidDrain SIGKILLs php-fpm's master once it has passed
// drainit's QUIT on, and returns once drainit has seen it die.
func killFPMMasterMidDrain(p *scenario.Pod) error {
	if err := p.FPM.WaitLog("stop signal sent", eventually); err != nil {
		return err
	}
	masters := scenario.Children(p.FPM.PID1())
	if len(masters) != 1 {
		return fmt.Errorf("want one php-fpm master under drainit, got %v", masters)
	}
	master := masters[0]
	// Idle workers quit on the master's QUIT and the master reaps them:
	// one child left is the worker holding the request.
	err := waitUntil(eventually, func() bool { return len(scenario.Children(master)) == 1 })
	if err != nil {
		return fmt.Errorf("php-fpm's idle workers never left: %v", scenario.Children(master))
	}
	if err := syscall.Kill(master, syscall.SIGKILL); err != nil {
		return err
	}
	return p.FPM.WaitLog("status=137", eventually)
}

func waitUntil(within time.Duration, cond func() bool) error {
	for deadline := time.Now().Add(within); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v", within)
		}
	}
	return nil
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
	// The deadline, not the grace period, ended it (GraceKilled above).
	if min := d.FPMDelay + d.Timeout; res.StopDuration < min {
		t.Fatalf("the pod stopped after %v, before php-fpm's delay and timeout (%v)", res.StopDuration, min)
	}
}

// TestNginxReloadThroughDrainitWhileServing sends HUP to the nginx
// container's drainit under load: nginx must start new workers, the old
// ones must leave once their requests are done, and nothing is dropped.
func TestNginxReloadThroughDrainitWhileServing(t *testing.T) {
	load := scenario.DefaultLoad()
	// The old workers may be serving a slow request when HUP comes: they
	// leave within its length, plus a margin for a busy machine. The load
	// runs until then, so that the stop does not end them instead.
	const hupAt = 300 * time.Millisecond
	oldGoneWithin := time.Duration(load.SlowMS)*time.Millisecond + scaled(2*time.Second)
	load.Before = hupAt + oldGoneWithin + time.Second
	var before, fresh []int
	oldGone := false
	res := run(t, scenario.Options{
		Load: load, Variant: scenario.DrainitVariant(bin.Drainit, scenario.DefaultDrainit()),
		Before: func(p *scenario.Pod) {
			time.Sleep(hupAt)
			master := scenario.Children(p.Nginx.PID1())[0]
			before = scenario.Children(master)
			_ = p.Nginx.Signal(syscall.SIGHUP)
			for deadline := time.Now().Add(oldGoneWithin); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
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
		t.Fatalf("want new workers and the old ones gone within %v of HUP: before %v, new %v, old gone %v", oldGoneWithin, before, fresh, oldGone)
	}
}

// TestChildCrashDuringTheDelayEndsTheContainerWithoutTheDelay kills
// nginx's master during drainit's delay. Its workers, orphaned, still
// serve: drainit stops them gracefully and exits with the master's status,
// without waiting out the rest of the delay.
func TestChildCrashDuringTheDelayEndsTheContainerWithoutTheDelay(t *testing.T) {
	d := scenario.DefaultDrainit()
	d.NginxDelay = 10 * time.Second
	res := run(t, scenario.Options{
		Load: scenario.DefaultLoad(), Variant: scenario.DrainitVariant(bin.Drainit, d),
		During: func(p *scenario.Pod, _ time.Time) {
			time.Sleep(500 * time.Millisecond) // any moment of the 10 s delay will do
			_ = syscall.Kill(scenario.Children(p.Nginx.PID1())[0], syscall.SIGKILL)
		},
	})
	nginx := res.Pod.Nginx
	if took := nginx.ExitedAt.Sub(res.StopAt); took >= d.NginxDelay {
		t.Fatalf("nginx's container took %v to exit after its master crashed: want less than the %v delay", took, d.NginxDelay)
	}
	for _, want := range []string{`stop_sent="never: the child exited first" left=2`, `msg="stopping the processes it left" process=nginx left=2`, "killed=0"} {
		if !strings.Contains(nginx.Log(), want) {
			t.Errorf("nginx's drainit: want %q in:\n%s", want, nginx.Log())
		}
	}
	if nginx.ExitCode != 137 {
		t.Fatalf("want exit 137, the master's status, got %d", nginx.ExitCode)
	}
}
