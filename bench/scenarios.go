package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

// section is one comparison: variants of the same pod under the same load.
type section struct {
	load     scenario.Load
	floorMin time.Duration // the least stop time drainit could have: its last delay
	variants []scenario.Variant
}

// variantStats is one variant over every run.
type variantStats struct {
	name     string
	sent     []float64
	failed   []float64
	stop     []float64 // seconds
	overhead []float64 // seconds past the physical floor (drainit only)
	fpmExit  []float64 // php-fpm's master: its stop signal → its exit (drainit only)
	tail     []float64 // drainit's own part: php-fpm's exit → drainit's (drainit only)
	kinds    map[string]int
	sample   *scenario.Result // the run with the median stop time, for the plot
}

// runScenarios runs every variant of sec `runs` times, interleaved.
func runScenarios(bin scenario.Binaries, sec section, runs int, work string) ([]*variantStats, error) {
	stats := make([]*variantStats, len(sec.variants))
	all := make([][]*scenario.Result, len(sec.variants))
	for i, v := range sec.variants {
		stats[i] = &variantStats{name: v.Name, kinds: map[string]int{}}
	}
	for r := range runs {
		for i, v := range sec.variants {
			dir, err := os.MkdirTemp(work, "pod")
			if err != nil {
				return nil, err
			}
			res, err := scenario.Run(scenario.Options{Bin: bin, Load: sec.load, Variant: v, Dir: dir})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
			fmt.Fprintf(os.Stderr, "run %d/%d %-46s sent %d failed %d (%s) stop %v\n", r+1, runs, v.Name,
				len(res.Requests), len(res.Failed()), res.FailureSummary(), res.StopDuration.Round(time.Millisecond))
			s := stats[i]
			s.sent = append(s.sent, float64(len(res.Requests)))
			s.failed = append(s.failed, float64(len(res.Failed())))
			s.stop = append(s.stop, res.StopDuration.Seconds())
			if strings.HasPrefix(v.Name, "drainit") {
				if err := s.addBreakdown(res, sec.floorMin, bin); err != nil {
					return nil, fmt.Errorf("%s: %w", v.Name, err)
				}
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

// addBreakdown splits drainit's stop time past the floor into php-fpm's
// own shutdown and drainit's part, from the drain summary of the container
// that runs php-fpm. With php-fpm a backend there, its exit_after is
// php-fpm's part; alone in its container, it is the main child.
func (s *variantStats) addBreakdown(res *scenario.Result, floorMin time.Duration, bin scenario.Binaries) error {
	s.overhead = append(s.overhead, (res.StopDuration - res.Floor(floorMin)).Seconds())
	f, err := summaryFields(res.Pod.FPM.Log())
	if err != nil {
		return err
	}
	fpmExit, ok := f[baseName(bin.PHPFPM)+".exit_after"]
	if !ok {
		fpmExit = f["child_exit_after"]
	}
	tail := f["duration"] - f["delay_waited"] - f["child_exit_after"]
	if ok { // one container: nginx's exit came first, then php-fpm's stop
		tail -= fpmExit
	}
	s.fpmExit, s.tail = append(s.fpmExit, fpmExit.Seconds()), append(s.tail, tail.Seconds())
	return nil
}

var durationField = regexp.MustCompile(`\b([A-Za-z0-9_.+-]+)=((?:[0-9.]+(?:ns|us|µs|ms|s|m|h))+)(?:\s|$)`)

// summaryFields reads the durations of a drainit drain summary line.
func summaryFields(log string) (map[string]time.Duration, error) {
	line := summaryLine(log)
	f := map[string]time.Duration{}
	for _, m := range durationField.FindAllStringSubmatch(line, -1) {
		d, err := time.ParseDuration(m[2])
		if err != nil {
			return nil, err
		}
		f[m[1]] = d
	}
	for _, want := range []string{"delay_waited", "child_exit_after", "duration"} {
		if _, ok := f[want]; !ok {
			return nil, fmt.Errorf("no %s in the drain summary %q", want, line)
		}
	}
	return f, nil
}

func baseName(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// summaryLine is the last drain summary line in a drainit log.
func summaryLine(log string) string {
	var line string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `msg="drain summary"`) {
			line = l
		}
	}
	return line
}

// summaryValue is one key's value in a drainit log's drain summary, or
// "" if it has none.
func summaryValue(log, key string) string {
	for _, field := range strings.Fields(summaryLine(log)) {
		if k, v, ok := strings.Cut(field, "="); ok && k == key {
			return v
		}
	}
	return ""
}
