//go:build linux

package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// delayFigures reads delay_waited and delay_requests from the summary.
func delayFigures(t *testing.T, r *drainitRun) (waited time.Duration, requests int) {
	t.Helper()
	log := r.stderr.String()
	m := regexp.MustCompile(`delay_waited=(\S+)`).FindStringSubmatch(log)
	n := regexp.MustCompile(`delay_requests=(\d+)`).FindStringSubmatch(log)
	if m == nil || n == nil {
		t.Fatalf("no delay_waited or delay_requests in the summary:\n%s", log)
	}
	waited, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	requests, _ = strconv.Atoi(n[1])
	return waited, requests
}

// TestQuietEndsTheDelayWhenTrafficStops: real nginx as PID 1, a client
// sending through the first part of the delay and then stopping, and
// /metrics scraped all along (a scrape reads the status page too, which
// must not count). The stop signal comes no sooner than the quiet window
// after the last request was sent, and long before --delay, the upper
// bound. Every request is served.
func TestQuietEndsTheDelayWhenTrafficStops(t *testing.T) {
	t.Parallel()
	const quiet, traffic = 500 * time.Millisecond, 1500 * time.Millisecond
	n := testkit.NewNginx(t)
	flag, base := metricsFlag(t)
	r := start(t, pid1, spec{
		flags: []string{flag, "--delay", "60s", "--quiet", quiet.String(), "--min-delay", "200ms",
			"--timeout", "20s", "--upstream", "nginx=" + n.URL("/stub_status")},
		command: n.Argv,
	})
	testkit.WaitListening(t, n.Port)
	waitMetric(t, base, `drainit_upstream_up{upstream="nginx"}`, 1)

	scraping := make(chan struct{})
	go func() { // scrapes until drainit exits, traffic or not
		for {
			select {
			case <-scraping:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if resp, err := http.Get(base + "/metrics"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	defer close(scraping)

	triggered := r.signal(syscall.SIGTERM)
	var sent int
	var lastSent, lastDone time.Time
	for time.Since(triggered) < traffic {
		lastSent = time.Now()
		resp, err := http.Get(n.URL("/"))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d during the delay: %v %v", sent+1, err, resp)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lastDone = time.Now()
		sent++
		time.Sleep(20 * time.Millisecond)
	}
	r.wantExit(0)
	r.wantLog("delay_ended_by=quiet")
	waited, counted := delayFigures(t, r)

	// Lower bound: nginx counted the last request after it was sent, and
	// the delay lasts the quiet window past that.
	if low := lastSent.Sub(triggered) + quiet; waited < low {
		t.Errorf("the delay ended after %v, before the last request (sent at +%v) plus the %v window", waited, lastSent.Sub(triggered), quiet)
	}
	// Upper bound: the window after the last response, a poll, and a
	// scaled margin for a busy machine; nowhere near the 60 s bound.
	if high := lastDone.Sub(triggered) + quiet + trafficEvery(quiet) + scale(3*time.Second); waited > high {
		t.Errorf("the delay ended after %v, later than %v (traffic stopped at +%v)", waited, high, lastDone.Sub(triggered))
	}
	// The requests sent before the first reading after the trigger are
	// not counted; the scrapes' own reads never are.
	if counted > sent || counted < sent-5 {
		t.Errorf("delay_requests=%d, want the %d requests sent (a few fewer at most)", counted, sent)
	}
}

// TestQuietWithAnUnreadableUpstreamWaitsTheFullDelay: a status page that
// never answers can never show the traffic stopped.
func TestQuietWithAnUnreadableUpstreamWaitsTheFullDelay(t *testing.T) {
	t.Parallel()
	const delay = 1500 * time.Millisecond
	dead := testkit.FreePort(t) // nothing listens there
	r := start(t, subreaper, spec{
		flags:   []string{"--delay", delay.String(), "--quiet", "200ms", "--min-delay", "100ms", "--upstream", fmt.Sprintf("nginx=http://127.0.0.1:%d/stub_status", dead)},
		command: helper("record"),
	})
	r.waitEvent("ready")
	r.signal(syscall.SIGTERM)
	r.wantExit(0)
	r.wantLog("cannot read the upstream's status page: the delay runs its full length", "delay_ended_by=upper_bound")
	if waited, _ := delayFigures(t, r); waited < delay {
		t.Fatalf("the delay ended after %v, before its %v", waited, delay)
	}
}

// TestQuietInOneContainer: php-fpm a backend of nginx, both watched, a
// request in flight at the trigger and nothing new after it. The request
// in flight holds the delay open (nginx may still be reading what it will
// pass on to php-fpm); once it is answered the delay ends by quiet long
// before its hour, and the stop goes in order, nginx, then php-fpm.
func TestQuietInOneContainer(t *testing.T) {
	t.Parallel()
	p := newPod(t)
	r := start(t, pid1, p.spec("--delay", "1h", "--quiet", "300ms", "--min-delay", "200ms",
		"--upstream", "nginx="+p.nginx.URL("/stub_status")))
	testkit.WaitListening(t, p.nginx.Port)
	h := p.hold(t, "slow")
	r.signal(syscall.SIGTERM)
	r.waitLog("waiting for traffic to stop")
	// Five windows and the minimum, with a request in flight all along:
	// the delay must still be running.
	time.Sleep(5*300*time.Millisecond + 200*time.Millisecond)
	if strings.Contains(r.stderr.String(), "stop signal sent") {
		t.Fatalf("the delay ended with a request in flight:\n%s", r.stderr.String())
	}
	h.release()
	if got := <-h.done; got != "200 OK ok\n" {
		t.Fatalf("the request held through the trigger: want 200 ok, got %q", got)
	}
	r.wantExit(0)
	r.wantLog("delay_ended_by=quiet", "clean=true")
	nginxGone, fpmStop := r.logIndex(`msg="process exited" process=nginx`), r.logIndex(`msg="stop signal sent" process=`+p.fpmName())
	if nginxGone < 0 || fpmStop < nginxGone {
		t.Fatalf("want php-fpm's stop signal after nginx exited:\n%s", r.stderr.String())
	}
}
