package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

// variantStats is one variant over every run.
type variantStats struct {
	name     string
	sent     []float64
	failed   []float64
	stop     []float64 // seconds
	overhead []float64 // seconds past the physical floor (drainit only)
	fpmExit  []float64 // php-fpm's master: its stop signal → its exit (drainit only)
	fpmTail  []float64 // php-fpm's drainit: the master's exit → its own (drainit only)
	kinds    map[string]int
	sample   *scenario.Result // the run with the median stop time, for the plot
}

// runScenarios runs every variant `runs` times, interleaved.
func runScenarios(bin scenario.Binaries, runs int, work string) ([]*variantStats, error) {
	d := scenario.DefaultDrainit()
	variants := scenario.AllVariants(bin, d)
	stats := make([]*variantStats, len(variants))
	all := make([][]*scenario.Result, len(variants))
	for i, v := range variants {
		stats[i] = &variantStats{name: v.Name, kinds: map[string]int{}}
	}
	for r := range runs {
		for i, v := range variants {
			dir, err := os.MkdirTemp(work, "pod")
			if err != nil {
				return nil, err
			}
			res, err := scenario.Run(scenario.Options{Bin: bin, Load: scenario.DefaultLoad(), Variant: v, Dir: dir})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
			fmt.Fprintf(os.Stderr, "run %d/%d %-26s sent %d failed %d (%s) stop %v\n", r+1, runs, v.Name,
				len(res.Requests), len(res.Failed()), res.FailureSummary(), res.StopDuration.Round(time.Millisecond))
			s := stats[i]
			s.sent = append(s.sent, float64(len(res.Requests)))
			s.failed = append(s.failed, float64(len(res.Failed())))
			s.stop = append(s.stop, res.StopDuration.Seconds())
			if v.Name == "drainit" {
				s.overhead = append(s.overhead, (res.StopDuration - res.Floor(d.FPMDelay)).Seconds())
				exit, tail, err := summarySplit(res.Pod.FPM.Log())
				if err != nil {
					return nil, fmt.Errorf("php-fpm's drain summary: %w", err)
				}
				s.fpmExit, s.fpmTail = append(s.fpmExit, exit), append(s.fpmTail, tail)
			}
			for k, n := range res.FailedByKind() {
				s.kinds[k] += n
			}
			all[i] = append(all[i], res)
		}
	}
	for i, s := range stats {
		byStop := slices.Clone(all[i])
		slices.SortFunc(byStop, func(a, b *scenario.Result) int { return int(a.StopDuration - b.StopDuration) })
		s.sample = byStop[len(byStop)/2]
	}
	return stats, nil
}

var summaryField = regexp.MustCompile(`\b(delay_waited|child_exit_after|duration)=([0-9.]+[a-zµ]+)`)

// summarySplit reads a drainit drain summary: how long its main child took
// from the stop signal to its exit, and how long drainit itself took after
// that (duration − delay_waited − child_exit_after), in seconds.
func summarySplit(log string) (childExit, tail float64, err error) {
	f := map[string]time.Duration{}
	for _, m := range summaryField.FindAllStringSubmatch(log, -1) {
		d, perr := time.ParseDuration(m[2])
		if perr != nil {
			return 0, 0, perr
		}
		f[m[1]] = d
	}
	if len(f) != 3 {
		return 0, 0, fmt.Errorf("want delay_waited, child_exit_after and duration, got %v", f)
	}
	return f["child_exit_after"].Seconds(), (f["duration"] - f["delay_waited"] - f["child_exit_after"]).Seconds(), nil
}
