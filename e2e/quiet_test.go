package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

// wantEndedBy checks why each container's delay ended, from its summary.
func wantEndedBy(t *testing.T, res *scenario.Result, reason string) {
	t.Helper()
	for _, c := range res.Pod.Containers() {
		if !strings.Contains(c.Log(), "delay_ended_by="+reason) {
			t.Errorf("%s: want delay_ended_by=%s:\n%s", c.Name, reason, c.Log())
		}
	}
}

// TestAdaptiveDrainEndsAfterTheLagAndLosesNothing: the adaptive drain
// (--quiet 1s, upper bounds 20 s and 25 s) behind the kube-proxy-like
// proxy, a new connection per request, at the default 1.5 s lag and at
// 8 s, past the fixed 5 s delay the bench compares it with. Each delay
// ends by quiet, not at its bound, and nothing is lost: php-fpm's drainit
// waits for nginx's page as well as its own.
func TestAdaptiveDrainEndsAfterTheLagAndLosesNothing(t *testing.T) {
	for _, lag := range []time.Duration{1500 * time.Millisecond, 8 * time.Second} {
		load := scenario.DefaultLoad()
		load.Pinning, load.Lag = true, lag
		d := scenario.AdaptiveDrainit(false)
		res := run(t, scenario.Options{Load: load, Variant: scenario.DrainitVariant(bin.Drainit, d), GracePeriod: time.Minute})
		wantNoFailures(t, res)
		wantEndedBy(t, res, "quiet")
		// Ended by quiet means before the bound; this says it in time too.
		if res.StopDuration >= d.NginxDelay {
			t.Errorf("lag %v: the stop took %v, not less than nginx's upper bound %v", lag, res.StopDuration, d.NginxDelay)
		}
	}
}

// TestKeepAliveClientsGoQuietOnlyWithEviction: keep-alive clients stay
// pinned to the terminating pod, so without eviction its traffic never
// goes quiet and the delay runs to its bound; with --evict-keepalive
// they reconnect, the proxy sends them to the new endpoint once the lag
// is over, and the delay ends by quiet with nothing lost.
func TestKeepAliveClientsGoQuietOnlyWithEviction(t *testing.T) {
	load := scenario.DefaultLoad()
	load.Pinning, load.KeepAlive, load.Lag = true, true, time.Second
	for _, evict := range []bool{false, true} {
		d := scenario.Drainit{NginxDelay: 6 * time.Second, FPMDelay: 8 * time.Second, Timeout: 20 * time.Second,
			Quiet: time.Second, Evict: evict}
		res := run(t, scenario.Options{Load: load, Variant: scenario.DrainitVariant(bin.Drainit, d), GracePeriod: time.Minute})
		if !evict {
			if !strings.Contains(res.Pod.Nginx.Log(), "delay_ended_by=upper_bound") {
				t.Errorf("without eviction: want nginx's delay at its bound:\n%s", res.Pod.Nginx.Log())
			}
			continue
		}
		wantNoFailures(t, res)
		wantEndedBy(t, res, "quiet")
	}
}
