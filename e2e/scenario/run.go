package scenario

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Defaults of Options.
const (
	DefaultProcessControlTimeout = 30 * time.Second // php-fpm's, above every request's length
	DefaultGracePeriod           = 30 * time.Second // Kubernetes' default terminationGracePeriodSeconds
)

// Options is one run of the scenario.
type Options struct {
	Bin     Binaries
	Load    Load
	Variant Variant
	Dir     string // an empty directory for the pod's files
	// ProcessControlTimeout is php-fpm's; it must exceed the slowest request.
	ProcessControlTimeout time.Duration
	// GracePeriod is when the "kubelet" SIGKILLs both containers after the
	// stop, as terminationGracePeriodSeconds does.
	GracePeriod time.Duration
	// Setup, if set, runs once the pod serves and before the load and the
	// stop clock start: a test's way to put the pod in a known state (a
	// request in flight) without racing the stop. An error ends the run.
	Setup func(p *Pod) error
	// During, if set, runs in its own goroutine at the stop: a test's way
	// to inject a failure or a request of its own.
	During func(p *Pod, stopAt time.Time)
	// Before, if set, runs in its own goroutine when the load starts.
	Before func(p *Pod)
}

// Request is one request the load balancer sent.
type Request struct {
	Sent    time.Time
	Latency time.Duration
	Code    int
	Err     string
	Slow    bool
	Upload  bool // a slow client upload
}

// OK reports whether the request got a 200.
func (r Request) OK() bool { return r.Code == http.StatusOK && r.Err == "" }

// Kind names how a request failed, for tables: "HTTP 502", "refused", ….
func (r Request) Kind() string {
	switch {
	case r.OK():
		return "ok"
	case r.Code != 0:
		return "HTTP " + strconv.Itoa(r.Code)
	case strings.Contains(r.Err, "refused"):
		return "refused"
	case strings.Contains(r.Err, "reset"):
		return "reset"
	case strings.Contains(r.Err, "EOF"):
		return "EOF"
	case strings.Contains(r.Err, "broken pipe"): // an upload's body, written to a closed connection
		return "broken pipe"
	case strings.Contains(r.Err, "timeout") || strings.Contains(r.Err, "deadline"):
		return "timeout"
	}
	return "other"
}

// Floor is the least time the stop could have taken: every accepted
// request must finish, and drainit's php-fpm must wait out its delay.
func (r *Result) Floor(minimum time.Duration) time.Duration {
	floor := minimum
	for _, q := range r.Requests {
		if end := q.Sent.Add(q.Latency).Sub(r.StopAt); q.OK() && end > floor {
			floor = end
		}
	}
	return floor
}

// Result is everything one run recorded.
type Result struct {
	Variant  string
	Start    time.Time // first request
	StopAt   time.Time // SIGTERM (or the preStop hook's start)
	LagEnd   time.Time // the load balancer's last new request
	Requests []Request
	// StopDuration is from the stop to the moment both containers had exited.
	StopDuration time.Duration
	// GraceKilled is set when the grace period ran out and both were SIGKILLed.
	GraceKilled bool
	Pod         *Pod
	Pinning     *Pinning // the proxy in front, with Load.Pinning
}

// Failed lists the requests that did not get a 200.
func (r *Result) Failed() []Request {
	var out []Request
	for _, q := range r.Requests {
		if !q.OK() {
			out = append(out, q)
		}
	}
	return out
}

// FailedByKind counts the failures per Kind.
func (r *Result) FailedByKind() map[string]int {
	out := map[string]int{}
	for _, q := range r.Failed() {
		out[q.Kind()]++
	}
	return out
}

// FailureSummary is FailedByKind as text: "refused 150, EOF 5", or "none".
func (r *Result) FailureSummary() string { return Tally(r.FailedByKind()) }

// Tally is a count per name as text, the largest first: "refused 150,
// EOF 5", or "none".
func Tally(counts map[string]int) string {
	names := slices.Sorted(maps.Keys(counts))
	slices.SortStableFunc(names, func(a, b string) int { return counts[b] - counts[a] })
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Run starts the pod, loads it, stops it the way the variant says and
// waits until both containers are gone.
func Run(o Options) (*Result, error) {
	if o.ProcessControlTimeout == 0 {
		o.ProcessControlTimeout = DefaultProcessControlTimeout
	}
	if o.GracePeriod == 0 {
		o.GracePeriod = DefaultGracePeriod
	}
	pod, err := startPod(o.Dir, o.Bin, o.Variant, o.ProcessControlTimeout)
	if err != nil {
		return nil, err
	}
	if o.Setup != nil {
		if err := o.Setup(pod); err != nil {
			pod.Kill()
			return nil, err
		}
	}
	res := &Result{Variant: o.Variant.Name, Pod: pod}
	target, length := pod.URL, o.Load.Before+o.Load.Lag
	if o.Load.Pinning {
		if res.Pinning, err = startPinning(fmt.Sprintf("127.0.0.1:%d", pod.NginxPort)); err != nil {
			pod.Kill()
			return nil, err
		}
		defer res.Pinning.Close()
		target = func(path string) string { return "http://" + res.Pinning.Addr() + path }
		length = o.Load.Before + o.GracePeriod
	}
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(o.Load.KeepAlive), vegeta.Timeout(60*time.Second))
	results, ups := attack(attacker, target, o.Load, length), uploads(pod, o.Load)
	gone, stopped := make(chan struct{}), make(chan struct{})
	defer close(gone)
	if o.Load.Pinning {
		// The load runs until the pod has exited and the lag is over, and
		// a moment longer, so that the requests that leave it for the new
		// endpoint are seen, and so are those a pod that quit too early
		// refused.
		go func() {
			for _, c := range pod.Containers() {
				select {
				case <-c.Done():
				case <-gone:
					return
				}
			}
			<-stopped
			time.Sleep(time.Until(res.StopAt.Add(o.Load.Lag)) + 200*time.Millisecond)
			attacker.Stop()
		}()
	}
	res.Start = time.Now()
	if o.Before != nil {
		go o.Before(pod)
	}
	stopTimer := time.AfterFunc(o.Load.Before, func() { stop(pod, o, res, stopped) })
	defer stopTimer.Stop()
	for r := range results {
		res.Requests = append(res.Requests, Request{
			Sent: r.Timestamp, Latency: r.Latency, Code: int(r.Code), Err: r.Error,
			Slow: strings.HasSuffix(r.URL, "ms="+strconv.Itoa(o.Load.SlowMS)),
		})
	}
	for r := range ups {
		res.Requests = append(res.Requests, r)
	}
	slices.SortFunc(res.Requests, func(a, b Request) int { return a.Sent.Compare(b.Sent) })
	<-stopped
	res.LagEnd = res.StopAt.Add(o.Load.Lag)
	graceEnd := time.NewTimer(time.Until(res.StopAt.Add(o.GracePeriod)))
	defer graceEnd.Stop()
	var last time.Time
	for _, c := range pod.Containers() {
		select {
		case <-c.Done():
		case <-graceEnd.C:
			res.GraceKilled = true
			pod.Kill()
		}
		if c.ExitedAt.After(last) {
			last = c.ExitedAt
		}
	}
	res.StopDuration = last.Sub(res.StopAt)
	return res, nil
}

// stop does what the kubelet does at pod deletion.
func stop(pod *Pod, o Options, res *Result, stopped chan<- struct{}) {
	res.StopAt = time.Now()
	defer close(stopped)
	if res.Pinning != nil {
		res.Pinning.SwitchAt(res.StopAt.Add(o.Load.Lag))
	}
	if o.During != nil {
		go o.During(pod, res.StopAt)
	}
	time.Sleep(o.Variant.PreStop)
	sig := o.Variant.StopSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	for _, c := range pod.Containers() {
		_ = c.Signal(sig)
	}
}

// attack sends Rate requests a second for length to target's URLs: the
// load balancer that keeps routing to the pod until its endpoint is gone.
func attack(attacker *vegeta.Attacker, target func(path string) string, l Load, length time.Duration) <-chan *vegeta.Result {
	var seq int
	targeter := func(t *vegeta.Target) error {
		seq++
		ms := l.FastMS
		if l.SlowEvery > 0 && seq%l.SlowEvery == 0 {
			ms = l.SlowMS
		}
		t.Method = http.MethodGet
		t.URL = target(fmt.Sprintf("/?ms=%d", ms))
		return nil
	}
	pacer := vegeta.ConstantPacer{Freq: l.Rate, Per: time.Second}
	return attacker.Attack(vegeta.Targeter(targeter), pacer, length, "pod")
}
