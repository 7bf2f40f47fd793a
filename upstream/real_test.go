package upstream

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/drainit/drainit/internal/testkit"
)

func startNginx(t *testing.T) (*testkit.Nginx, *Source) {
	n := testkit.NewNginx(t)
	testkit.Start(t, n.Argv)
	testkit.WaitListening(t, n.Port)
	src, err := Parse("nginx=" + n.URL("/stub_status"))
	if err != nil {
		t.Fatal(err)
	}
	return n, src
}

func startPHPFPM(t *testing.T) (*testkit.PHPFPM, *Source) {
	p := testkit.NewPHPFPM(t, "10s")
	testkit.Start(t, p.Argv)
	testkit.WaitListening(t, p.Port)
	src, err := Parse("php-fpm=" + p.Address() + "/status")
	if err != nil {
		t.Fatal(err)
	}
	return p, src
}

// waitInFlight reads src until it reports want requests in flight.
func waitInFlight(t *testing.T, src *Source, want int) Status {
	t.Helper()
	var st Status
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err = src.Read(ctx)
		cancel()
		if err == nil && st.InFlight == want {
			return st
		}
	}
	t.Fatalf("%s: want %d in flight, got %+v (err %v)", src.Kind, want, st, err)
	return st
}

func TestNginxStubStatusCountsARequestInFlight(t *testing.T) {
	t.Parallel()
	n, src := startNginx(t)
	waitInFlight(t, src, 0)
	done := make(chan error, 1)
	go func() { // 300 KB at 100 KB/s: about three seconds in flight
		resp, err := http.Get(n.URL("/slow/big"))
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	st := waitInFlight(t, src, 1)
	if st.Active < 2 || st.Accepted < 2 {
		t.Fatalf("want at least 2 active and 2 accepted connections, got %+v", st)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestPHPFPMStatusOverFastCGICountsARequestInFlight(t *testing.T) {
	t.Parallel()
	p, src := startPHPFPM(t)
	waitInFlight(t, src, 0)
	done := make(chan string, 1)
	go func() {
		body, err := fastcgiGet(context.Background(), "tcp", p.Address(), p.Dir+"/slow.php", "ms=1500")
		if err != nil {
			done <- err.Error()
			return
		}
		done <- string(body)
	}()
	st := waitInFlight(t, src, 1)
	if st.Active != 2 || st.Accepted < 2 {
		t.Fatalf("want 2 active processes (the slow request and this reading), got %+v", st)
	}
	if got := <-done; got != "ok\n" {
		t.Fatalf("slow.php: want %q, got %q", "ok\n", got)
	}
}

func TestFastCGIReportsAMissingStatusPath(t *testing.T) {
	t.Parallel()
	p, _ := startPHPFPM(t)
	src, _ := Parse("php-fpm=" + p.Address() + "/no-such-status")
	_, err := src.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("want a 404 error, got %v", err)
	}
}

func TestCollectorExportsBothUpstreamsAndLintsClean(t *testing.T) {
	t.Parallel()
	_, nginx := startNginx(t)
	_, fpm := startPHPFPM(t)
	down, _ := Parse("php-fpm=127.0.0.1:1/status")
	c := NewCollector([]*Source{nginx, fpm})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	want := `
# HELP drainit_upstream_up 1 if the upstream's status page answered at this scrape, 0 if not.
# TYPE drainit_upstream_up gauge
drainit_upstream_up{upstream="nginx"} 1
drainit_upstream_up{upstream="php-fpm"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "drainit_upstream_up"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c, "drainit_upstream_listen_queue"); n != 1 {
		t.Fatalf("want one listen-queue series (php-fpm only), got %d", n)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := promlint.NewWithMetricFamilies(families).Lint(); err != nil || len(problems) > 0 {
		t.Fatalf("promlint: want no problems, got %v (err %v)", problems, err)
	}

	downOnly := NewCollector([]*Source{down})
	if n := testutil.CollectAndCount(downOnly); n != 1 {
		t.Fatalf("an unreachable upstream: want only its up series, got %d series", n)
	}

	// Nothing else is in flight. php-fpm marks a worker idle only after it
	// has sent its response, so the worker of the reading just before
	// this one may still show as active on a busy machine: at most 1.
	inFlight, errs := c.InFlight(time.Second)
	if len(errs) != 0 || inFlight["nginx"] != 0 || inFlight["php-fpm"] > 1 || len(inFlight) != 2 {
		t.Fatalf("InFlight: want 0 for nginx and at most php-fpm's previous reading, got %v (errs %v)", inFlight, errs)
	}
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("after InFlight the collector is stopped: want no series, got %d", n)
	}
}

// TestRequestsLeaveOutDrainitsOwnReadings: with no traffic, any number of
// readings, concurrent ones included, leave Requests where it was; each
// request from elsewhere adds one. Against real nginx and php-fpm.
func TestRequestsLeaveOutDrainitsOwnReadings(t *testing.T) {
	t.Parallel()
	n, nginx := startNginx(t)
	p, fpm := startPHPFPM(t)
	for _, c := range []struct {
		src  *Source
		send func() error
	}{
		{nginx, func() error {
			resp, err := http.Get(n.URL("/"))
			if err == nil {
				resp.Body.Close()
			}
			return err
		}},
		{fpm, func() error {
			_, err := fastcgiGet(context.Background(), "tcp", p.Address(), p.Dir+"/slow.php", "ms=1")
			return err
		}},
	} {
		read := func() float64 {
			st, err := c.src.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return st.Requests
		}
		before := read()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { read() })
		}
		wg.Wait()
		if got := read(); got != before {
			t.Fatalf("%s: Requests went from %v to %v with nothing but readings", c.src.Kind, before, got)
		}
		for range 3 {
			if err := c.send(); err != nil {
				t.Fatal(err)
			}
		}
		if got := read(); got != before+3 {
			t.Fatalf("%s: Requests went from %v to %v after 3 requests", c.src.Kind, before, got)
		}
	}
}

func TestRefusedTellsAServerThatQuitFromASlowOne(t *testing.T) {
	t.Parallel()
	src, _ := Parse("nginx=http://127.0.0.1:" + strconv.Itoa(testkit.FreePort(t)) + "/stub_status")
	_, err := src.Read(context.Background())
	if !Refused(err) {
		t.Fatalf("nothing listening: want Refused, got %v", err)
	}
	if Refused(context.DeadlineExceeded) {
		t.Fatal("a timeout is not a refusal")
	}
}
