package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

// The adaptive delay's matrix: a fixed delay against --quiet, with and
// without keep-alive eviction, by the load balancer's lag and by how the
// clients connect. Every cell is the two-container pod of section 1
// behind the kube-proxy-like pinning proxy, so that requests after the
// lag go to a new endpoint, and the load runs until the pod has exited
// and the lag is over.

// matrixLags are the load balancer's lags the matrix runs.
var matrixLags = []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 4 * time.Second, 8 * time.Second}

// matrixDrain is one way of draining: drainit's flags in both containers.
type matrixDrain struct {
	name string
	d    scenario.Drainit
}

// adaptive reports whether the delay may end before its bound.
func (m matrixDrain) adaptive() bool { return m.d.Quiet > 0 }

// matrixDrains: a fixed delay (5 s for nginx, php-fpm a second longer),
// and the adaptive drain with and without eviction.
func matrixDrains() []matrixDrain {
	fixed := scenario.Drainit{NginxDelay: 5 * time.Second, FPMDelay: 6 * time.Second, Timeout: 20 * time.Second}
	quiet := scenario.AdaptiveDrainit(false)
	return []matrixDrain{
		{fmt.Sprintf("fixed `--delay %v`", fixed.NginxDelay), fixed},
		{fmt.Sprintf("`--quiet %v --delay %v`", quiet.Quiet, quiet.NginxDelay), quiet},
		{"the same + `--evict-keepalive`", scenario.AdaptiveDrainit(true)},
	}
}

// matrixClient is how the load balancer's clients connect.
type matrixClient struct {
	name      string
	keepAlive bool
}

var matrixClients = []matrixClient{{"a new connection per request", false}, {"keep-alive clients", true}}

// goalMargin is the goal's "small margin": a reading interval for each of
// the two drainits (a fifth of the 1 s quiet window: 200 ms each, since
// php-fpm's ends only once it has seen nginx's refuse) and php-fpm's own
// exit after QUIT, which section 1 measures at under a second. 1.2 s,
// rounded up.
const goalMargin = 1500 * time.Millisecond

// matrixLoad is section 1's load behind the pinning proxy.
func matrixLoad(lag time.Duration, keepAlive bool) scenario.Load {
	l := scenario.DefaultLoad()
	l.Lag, l.KeepAlive, l.Pinning = lag, keepAlive, true
	return l
}

// matrixCell is one lag × drain × client over every run.
type matrixCell struct {
	lag    time.Duration
	drain  matrixDrain
	client matrixClient
	sent   []float64
	failed []float64
	stop   []float64 // seconds
	kinds  map[string]int
	// endedBy counts, over the runs, why each container's delay ended:
	// "nginx's reason / php-fpm's reason".
	endedBy map[string]int
}

// adaptiveGoal is the longest stop the issue allows the adaptive drain at
// lag: the lag, the quiet window, the longest request, and goalMargin.
func adaptiveGoal(lag time.Duration) time.Duration {
	return lag + scenario.AdaptiveDrainit(false).Quiet + time.Duration(scenario.DefaultLoad().SlowMS)*time.Millisecond + goalMargin
}

// goalApplies: the adaptive drain, except keep-alive clients without
// eviction, whose traffic never goes quiet and runs to the upper bound.
func (c *matrixCell) goalApplies() bool {
	return c.drain.adaptive() && (!c.client.keepAlive || c.drain.d.Evict)
}

// goalMet: nothing lost in any run, and the median stop within the goal.
func (c *matrixCell) goalMet() bool {
	return total(c.failed) == 0 && median(c.stop) <= adaptiveGoal(c.lag).Seconds()
}

// miss says how a cell missed its goal, in this run's figures.
func (c *matrixCell) miss() string {
	var parts []string
	if lost := total(c.failed); lost > 0 {
		parts = append(parts, fmt.Sprintf("%.0f requests failed over %d runs (%s)", lost, len(c.failed), scenario.Tally(c.kinds)))
	}
	if stop, goal := median(c.stop), adaptiveGoal(c.lag).Seconds(); stop > goal {
		parts = append(parts, fmt.Sprintf("the median stop took %.3f s, past %.1f s", stop, goal))
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(". The delays ended by (nginx / php-fpm): %s.", scenario.Tally(c.endedBy))
}

func total(s []float64) float64 {
	var t float64
	for _, v := range s {
		t += v
	}
	return t
}

// matrixCells lists every cell, in the report's order.
func matrixCells() []*matrixCell {
	var cells []*matrixCell
	for _, client := range matrixClients {
		for _, lag := range matrixLags {
			for _, d := range matrixDrains() {
				cells = append(cells, &matrixCell{lag: lag, drain: d, client: client, kinds: map[string]int{}, endedBy: map[string]int{}})
			}
		}
	}
	return cells
}

// runMatrix runs every cell `runs` times, interleaved, so that machine
// noise falls on every cell alike.
func runMatrix(bin scenario.Binaries, runs int, work string, progress io.Writer) ([]*matrixCell, error) {
	cells := matrixCells()
	for r := range runs {
		for _, c := range cells {
			dir, err := os.MkdirTemp(work, "matrix")
			if err != nil {
				return nil, err
			}
			res, err := scenario.Run(scenario.Options{Bin: bin, Load: matrixLoad(c.lag, c.client.keepAlive),
				Variant: scenario.DrainitVariant(bin.Drainit, c.drain.d), Dir: dir, GracePeriod: time.Minute})
			if err == nil {
				err = c.add(res)
			}
			if err != nil {
				return nil, fmt.Errorf("lag %v, %s, %s: %w", c.lag, c.drain.name, c.client.name, err)
			}
			fmt.Fprintf(progress, "run %d/%d lag %-5v %-40s %-30s sent %d failed %d (%s) stop %v ended by %s\n", r+1, runs, c.lag,
				c.drain.name, c.client.name, len(res.Requests), len(res.Failed()), res.FailureSummary(),
				res.StopDuration.Round(time.Millisecond), endedBy(res))
			os.RemoveAll(dir)
		}
	}
	return cells, nil
}

func (c *matrixCell) add(res *scenario.Result) error {
	if res.GraceKilled {
		return fmt.Errorf("the grace period ran out")
	}
	c.sent = append(c.sent, float64(len(res.Requests)))
	c.failed = append(c.failed, float64(len(res.Failed())))
	c.stop = append(c.stop, res.StopDuration.Seconds())
	for k, n := range res.FailedByKind() {
		c.kinds[k] += n
	}
	c.endedBy[endedBy(res)]++
	return nil
}

// endedBy is why each container's delay ended, from its drain summary:
// "nginx's / php-fpm's".
func endedBy(res *scenario.Result) string {
	var reasons []string
	for _, ct := range res.Pod.Containers() {
		reason := summaryValue(ct.Log(), "delay_ended_by")
		if reason == "" {
			reason = "?"
		}
		reasons = append(reasons, strings.ReplaceAll(reason, "_", " "))
	}
	return strings.Join(reasons, " / ")
}

// fixedStop is the fixed delay's median stop time at the cell's lag, for
// the same clients.
func fixedStop(cells []*matrixCell, c *matrixCell) float64 {
	for _, f := range cells {
		if f.lag == c.lag && f.client == c.client && !f.drain.adaptive() {
			return median(f.stop)
		}
	}
	return 0
}

// matrixSection writes the matrix's section of the report.
func matrixSection(w func(string, ...any), cells []*matrixCell, runs int, number string) {
	load, d := scenario.DefaultLoad(), scenario.AdaptiveDrainit(false)
	fixed := matrixDrains()[0].d
	w("## %s. The delay that ends when traffic does\n\n", number)
	w("The pod of section 1 (%d requests/s, every %dth taking %d ms) behind a kube-proxy-like load balancer: a TCP proxy "+
		"that picks a backend once per connection and keeps it there. New connections go to the stopping pod until the lag "+
		"after the stop, then to a new endpoint; a connection opened before that stays pinned to the old pod while both ends "+
		"keep it open. The load runs until the pod has exited and the lag is over. Three drains: a fixed delay (nginx `--delay %v`, php-fpm %v); "+
		"an adaptive delay (`--quiet %v` as the images have it, with upper bounds of %v for nginx and %v for php-fpm, "+
		"php-fpm's drainit reading nginx's page too); and the same with nginx's drainit evicting keep-alive clients at the trigger. Clients open a new "+
		"connection per request, or keep their connections alive. Medians of %d runs per cell, interleaved.\n\n",
		load.Rate, load.SlowEvery, load.SlowMS, fixed.NginxDelay, fixed.FPMDelay, d.Quiet, d.NginxDelay, d.FPMDelay, runs)
	w("The goal: at every lag, the adaptive drain loses nothing (in any run) and its median stop is within lag + quiet "+
		"window (%v) + longest request (%d ms) + %v, the margin being one reading interval for each drainit (%v) and php-fpm's "+
		"own exit after QUIT. With keep-alive clients it applies with eviction; without it, their traffic never goes quiet. "+
		"The last column is the median stop time over the fixed delay's at the same lag: above 1 where the lag nears or passes "+
		"the fixed delay, which then stops sooner by refusing what the load balancer still sends (its failed column).\n\n",
		d.Quiet, load.SlowMS, goalMargin, d.Quiet/5)
	met, applies := 0, 0
	for _, c := range cells {
		if c.goalApplies() {
			applies++
			if c.goalMet() {
				met++
			}
		}
	}
	w("The adaptive drain met its goal in %d of %d cells in this run.\n\n", met, applies)
	for _, client := range matrixClients {
		w("### %s\n\n", strings.ToUpper(client.name[:1])+client.name[1:])
		w("| lag | drain | sent | failed | failures, all runs, by kind | delay ended by (nginx / php-fpm), runs | stop time | goal | ÷ fixed |\n")
		w("|---:|---|---:|---:|---|---|---:|---|---:|\n")
		for _, c := range cells {
			if c.client != client {
				continue
			}
			goal, ratio := "", ""
			if c.drain.adaptive() {
				ratio = fmt.Sprintf("%.2f", median(c.stop)/fixedStop(cells, c))
			}
			if c.goalApplies() {
				goal = fmt.Sprintf("≤ %.1f s: %s", adaptiveGoal(c.lag).Seconds(), yesNo(c.goalMet()))
			}
			w("| %v | %s | %.0f | **%.0f** | %s | %s | %.3f s | %s | %s |\n", c.lag, c.drain.name, median(c.sent), median(c.failed),
				scenario.Tally(c.kinds), scenario.Tally(c.endedBy), median(c.stop), goal, ratio)
		}
		w("\n![stop time by lag, %s](img/%s)\n\n", client.name, matrixImage(client))
	}
}

// matrixMisses are the cells whose goal was not met.
func matrixMisses(cells []*matrixCell) []*matrixCell {
	var out []*matrixCell
	for _, c := range cells {
		if c.goalApplies() && !c.goalMet() {
			out = append(out, c)
		}
	}
	return out
}

func matrixImage(c matrixClient) string {
	if c.keepAlive {
		return "matrix-keep-alive.svg"
	}
	return "matrix-new-connections.svg"
}
