package drain

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/signals"
)

// newQuietHarness is one main command behind nginx and php-fpm upstreams,
// with --delay 20s as the upper bound, --quiet 1s and a 2 s minimum.
func newQuietHarness(t *testing.T) (*harness, *int) {
	t.Helper()
	h := newHarness(t, 20*time.Second, 30*time.Second)
	watching := new(int)
	h.cfg.Quiet, h.cfg.MinDelay, h.cfg.Upstreams = time.Second, 2*time.Second, []string{"nginx", "php-fpm"}
	h.cfg.WatchTraffic = func() func() {
		*watching++
		return func() { *watching-- }
	}
	return h, watching
}

func sample(upstream string, requests float64) TrafficSample {
	return TrafficSample{Upstream: upstream, Requests: requests, OK: true}
}

// readEvery100ms feeds h the samples readings(ms) gives, at 100 ms, 200 ms
// and so on up to upTo ms, and returns when the delay ended: the reading's
// ms, or 0 if it did not end.
func readEvery100ms(h *harness, upTo int, readings func(ms int) []TrafficSample) int {
	for ms := 100; ms <= upTo; ms += 100 {
		now := at(time.Duration(ms) * time.Millisecond)
		for _, s := range readings(ms) {
			h.HandleTraffic(s, now)
		}
		if h.Phase() != Delaying {
			return ms
		}
	}
	return 0
}

func TestDelayEndsOnceEveryUpstreamIsQuiet(t *testing.T) {
	t.Parallel()
	h, watching := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	if *watching != 1 {
		t.Fatal("the trigger did not start the traffic readings")
	}
	h.wantWake(t, at(20*time.Second)) // nothing read yet: the upper bound
	// Requests keep coming to nginx until 3.5 s; php-fpm goes quiet at 1 s.
	ended := readEvery100ms(h, 5000, func(ms int) []TrafficSample {
		return []TrafficSample{sample("nginx", float64(min(ms, 3500)/100)), sample("php-fpm", float64(min(ms, 1000)/100))}
	})
	if ended != 4500 {
		t.Fatalf("the delay ended at %d ms, want 4500 ms (the last request at 3.5 s + 1 s quiet)", ended)
	}
	h.wantPhase(t, Stopping)
	h.wantSent(t, signals.SIGQUIT, signals.SIGCONT)
	s := h.Summary()
	if s.DelayEndedBy != EndedByQuiet || s.DelayWaited != 4500*time.Millisecond {
		t.Fatalf("want the delay ended by quiet after 4.5s, got %q after %v", s.DelayEndedBy, s.DelayWaited)
	}
	// 34 to nginx and 9 to php-fpm after their first readings.
	if s.DelayRequests != 34+9 {
		t.Fatalf("requests during the delay: want 43, got %d", s.DelayRequests)
	}
	if *watching != 0 {
		t.Fatal("the readings were not stopped with the delay")
	}
}

func TestQuietNeverEndsTheDelayBeforeTheMinimum(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleTraffic(sample("nginx", 7), at(10*time.Millisecond))
	h.HandleTraffic(sample("php-fpm", 3), at(10*time.Millisecond))
	h.wantWake(t, at(2*time.Second)) // idle since the first reading: the minimum
	h.HandleWake(at(1999 * time.Millisecond))
	h.wantPhase(t, Delaying)
	h.HandleWake(at(2 * time.Second))
	h.wantPhase(t, Stopping)
	if got := h.Summary().DelayEndedBy; got != EndedByQuiet {
		t.Fatalf("ended by %q", got)
	}
}

func TestAnUnreadableUpstreamFallsBackToTheFullDelay(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	for ms := 100; ms <= 10000; ms += 100 {
		now := at(time.Duration(ms) * time.Millisecond)
		h.HandleTraffic(sample("nginx", 1), now)
		h.HandleTraffic(TrafficSample{Upstream: "php-fpm"}, now) // never answers
	}
	h.wantPhase(t, Delaying)
	h.wantWake(t, at(20*time.Second))
	h.HandleWake(at(20 * time.Second))
	if got := h.Summary().DelayEndedBy; got != EndedByUpperBound {
		t.Fatalf("ended by %q, want %q", got, EndedByUpperBound)
	}
}

// A status page that answered and then refuses connections belongs to a
// server that has quit serving: quiet, not unreadable. One that times out
// may only be busy: its window starts over.
func TestAServerThatQuitIsQuietAndOneThatTimesOutIsNot(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleTraffic(sample("nginx", 5), at(100*time.Millisecond))
	h.HandleTraffic(sample("php-fpm", 5), at(100*time.Millisecond))
	h.HandleTraffic(TrafficSample{Upstream: "php-fpm"}, at(1500*time.Millisecond)) // a timeout
	h.wantWake(t, at(2500*time.Millisecond))
	h.HandleTraffic(TrafficSample{Upstream: "php-fpm", Refused: true}, at(1600*time.Millisecond))
	h.wantWake(t, at(2*time.Second)) // nginx quiet since 0.1 s; php-fpm gone: the minimum
	h.HandleWake(at(2 * time.Second))
	h.wantPhase(t, Stopping)
}

func TestSteadyTrafficRunsToTheUpperBound(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	for ms := 100; ms < 20000; ms += 500 {
		now := at(time.Duration(ms) * time.Millisecond)
		h.HandleTraffic(sample("nginx", float64(ms)), now)
		h.HandleTraffic(sample("php-fpm", float64(ms)), now)
	}
	h.wantPhase(t, Delaying)
	h.HandleWake(at(20 * time.Second))
	if s := h.Summary(); s.DelayEndedBy != EndedByUpperBound || s.DelayWaited != 20*time.Second {
		t.Fatalf("want the upper bound after 20s, got %q after %v", s.DelayEndedBy, s.DelayWaited)
	}
}

func TestSecondTriggerAndExitNameWhyTheDelayEnded(t *testing.T) {
	t.Parallel()
	h, watching := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleSignal(signals.SIGTERM, at(time.Second))
	if got := h.Summary().DelayEndedBy; got != EndedBySecondTrigger || *watching != 0 {
		t.Fatalf("ended by %q, readings running: %d", got, *watching)
	}
	h, watching = newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.exit(0, 3, at(time.Second))
	if got := h.Summary().DelayEndedBy; got != EndedByExit || *watching != 0 {
		t.Fatalf("ended by %q, readings running: %d", got, *watching)
	}
}

func TestWithoutQuietTheFixedDelayIsUnchanged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 5*time.Second, 20*time.Second)
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleTraffic(sample("nginx", 1), at(100*time.Millisecond)) // ignored
	h.wantWake(t, at(5*time.Second))
	h.HandleWake(at(5 * time.Second))
	if s := h.Summary(); s.DelayEndedBy != EndedByUpperBound || s.QuietWatched {
		t.Fatalf("got %q, quiet watched %v", s.DelayEndedBy, s.QuietWatched)
	}
}

// A request in flight holds the window open: nginx may still be reading
// an upload that it will pass on to php-fpm only once it has all of it.
func TestARequestInFlightHoldsTheWindowOpen(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	ended := readEvery100ms(h, 6000, func(ms int) []TrafficSample {
		busy := TrafficSample{Upstream: "nginx", Requests: 3, OK: true}
		if ms <= 4000 {
			busy.InFlight = 1 // one upload, no new request, until 4 s
		}
		return []TrafficSample{busy, sample("php-fpm", 2)}
	})
	if ended != 5000 {
		t.Fatalf("the delay ended at %d ms, want 5000 ms (the upload in flight until 4 s + 1 s quiet)", ended)
	}
	h.wantPhase(t, Stopping)
	if s := h.Summary(); s.DelayRequests != 0 {
		t.Fatalf("a request in flight is no new request: want 0 counted, got %d", s.DelayRequests)
	}
}

// nginx's QUIT closes its listeners at once while it still serves what it
// has. A page that refuses right after it showed requests in flight hides
// what the server may still pass on, so it never counts as quiet again.
func TestAServerThatQuitWhileBusyIsNeverQuiet(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	var logs strings.Builder
	h.log = slog.New(slog.NewTextHandler(&logs, nil))
	h.HandleSignal(signals.SIGTERM, at(0))
	h.HandleTraffic(TrafficSample{Upstream: "nginx", Requests: 5, InFlight: 2, OK: true}, at(100*time.Millisecond))
	h.HandleTraffic(sample("php-fpm", 5), at(100*time.Millisecond))
	for ms := 200; ms <= 10000; ms += 100 {
		now := at(time.Duration(ms) * time.Millisecond)
		h.HandleTraffic(TrafficSample{Upstream: "nginx", Refused: true}, now)
		h.HandleTraffic(sample("php-fpm", 5), now)
	}
	h.wantPhase(t, Delaying)
	h.wantWake(t, at(20*time.Second))
	if n := strings.Count(logs.String(), "quit while it still served"); n != 1 {
		t.Fatalf("want the fallback logged once, got %d times:\n%s", n, logs.String())
	}
}

// A peer (the nginx of another container) is only probed: while it
// accepts connections it may still send, so the window starts over; once
// it refuses it has quit, and is quiet.
func TestAPeerHoldsTheWindowOpenUntilItRefuses(t *testing.T) {
	t.Parallel()
	h, _ := newQuietHarness(t)
	h.HandleSignal(signals.SIGTERM, at(0))
	ended := readEvery100ms(h, 5000, func(ms int) []TrafficSample {
		return []TrafficSample{{Upstream: "nginx", Peer: true, OK: ms <= 3000, Refused: ms > 3000}, sample("php-fpm", 1)}
	})
	// php-fpm quiet since 0.1 s; nginx accepted until 3 s, then refused:
	// gone, so the minimum and php-fpm's window decide.
	if ended != 3100 {
		t.Fatalf("the delay ended at %d ms, want 3100 ms (the first refusal; 0: never)", ended)
	}
}
