package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
)

type reportData struct {
	started      time.Time
	took         time.Duration
	runs         int
	overheadRuns int
	scenarios    []*variantStats // two containers
	one          []*variantStats // one container
	matrix       []*matrixCell   // the adaptive delay
	overhead     []measurement
	size         int64
	static       string
	footprint    footprint
	machine      [][2]string
}

// target is one of issue 5's goals, judged on this run's numbers.
type target struct {
	text string
	met  func(m map[string]float64) bool
}

var targets = map[string]target{
	"start-up": {"within 2 ms of tini", func(m map[string]float64) bool { return m["drainit"]-m["tini"] <= 2 }},
	"signal":   {"median under 1 ms", func(m map[string]float64) bool { return m["drainit"] < 1 }},
	"exit":     {"under 100 ms", func(m map[string]float64) bool { return m["drainit"] < 100 }},
	"idle RSS": {"under 8 MiB", func(m map[string]float64) bool { return m["drainit"] < 8 }},
	"reaping":  {"no slower than tini", func(m map[string]float64) bool { return m["drainit"] <= m["tini"] }},
}

func (r reportData) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Benchmarks\n\nEvery figure below comes from one run of\n\n    make bench    # = cd bench && go run . -runs %d -out ../docs\n\n", r.runs)
	w("started %s, took %v. Rerun it to reproduce; these machines are noisy, so compare ratios and medians, not single numbers.\n\n",
		r.started.UTC().Format(time.RFC3339), r.took.Round(time.Second))
	w("## Machine\n\n| | |\n|---|---|\n")
	for _, kv := range r.machine {
		w("| %s | %s |\n", kv[0], kv[1])
	}
	load, d := scenario.DefaultLoad(), scenario.DefaultDrainit()
	w("\n## 1. A pod stopped under load\n\n")
	w("nginx (fastcgi_pass) in front of php-fpm on 127.0.0.1, each PID 1 of its own PID namespace behind the init under test. "+
		"vegeta sends %d requests/s: most take %d ms, every %dth takes %d ms. At the stop both containers' PID 1s get SIGTERM at once "+
		"(the preStop variant: a %v sleep, then SIGQUIT); the load balancer keeps sending new requests for %v more. "+
		"drainit: nginx `--delay %v`, php-fpm `--delay %v`, `--timeout %v`. php-fpm's process_control_timeout is %v in every variant. "+
		"Medians of %d runs per variant, interleaved.\n\n", load.Rate, load.FastMS, load.SlowEvery, load.SlowMS, d.NginxDelay, load.Lag,
		d.NginxDelay, d.FPMDelay, d.Timeout, scenario.DefaultProcessControlTimeout, r.runs)
	variantTable(w, r.scenarios, "php-fpm's delay", "`child_exit_after` in php-fpm's drain summary",
		"`duration` − `delay_waited` − `child_exit_after`")
	w("\n## 2. Timelines\n\nOne run per variant (the one with the median stop time). Green: 200. Red: failed. The solid line is the stop; the dashed line is where the load balancer stops sending.\n\n")
	for _, s := range r.scenarios {
		w("![%s](img/%s)\n\n", s.name, imageName(s.name))
	}
	one := scenario.OneContainerLoad()
	w("## 3. One container: nginx and php-fpm under one init\n\n")
	w("nginx in front of php-fpm in one PID namespace, behind the init under test as PID 1: supervisord (Debian's, with the popular images' "+
		"priorities: php-fpm 5, nginx 10, `autorestart=false`, `stopwaitsecs=20`) three ways, and drainit with php-fpm a `--backend`. "+
		"The load of section 1, plus a slow client upload every %v: %d KB whose body trickles in over %v, which nginx buffers whole "+
		"before it opens the FastCGI request, so php-fpm sees it only then. At the stop PID 1 gets SIGTERM (drainit: SIGQUIT, its image's STOPSIGNAL; "+
		"the preStop variant: a %v sleep first); the load balancer keeps sending for %v more. drainit: `--delay %v --timeout %v`. "+
		"Medians of %d runs per variant, interleaved.\n\n", one.UploadEvery, one.UploadBytes>>10, one.UploadFor, scenario.OneContainerSleep,
		one.Lag, d.NginxDelay, d.Timeout, r.runs)
	variantTable(w, r.one, "the delay", "`php-fpm8.2.exit_after` in the drain summary",
		"`duration` − `delay_waited` − `child_exit_after` − `php-fpm8.2.exit_after`: from nginx's exit through php-fpm's stop signal to drainit's own exit, less php-fpm's part")
	w("\n")
	for _, s := range r.one {
		w("![%s](img/%s)\n\n", s.name, imageName(s.name))
	}
	w("## 4. Init overhead\n\nMedians; start-up, signal and exit over %d samples per init, RSS over %d, reaping over %d. tini runs with `-s` (subreaper) when not PID 1, as drainit makes itself one.\n\n", r.overheadRuns, rssRuns, reapingRuns)
	w("| measurement | drainit | tini | dumb-init | drainit ÷ tini | target | met |\n|---|---:|---:|---:|---:|---|---|\n")
	var misses []measurement
	for _, m := range r.overhead {
		t := targetFor(m.what)
		met := t.met(m.median)
		if !met {
			misses = append(misses, m)
		}
		w("| %s | %.3f %s | %.3f %s | %.3f %s | %.2f | %s | %s |\n", m.what, m.median["drainit"], m.unit, m.median["tini"], m.unit,
			m.median["dumb-init"], m.unit, m.median["drainit"]/m.median["tini"], t.text, yesNo(met))
	}
	sizeMet := r.size < 9<<20 && strings.Contains(r.static, "statically linked")
	w("| binary size (`CGO_ENABLED=0 -trimpath -ldflags '-s -w'`) | %.2f MiB | | | | under 9 MiB, static | %s |\n", float64(r.size)/(1<<20), yesNo(sizeMet))
	w("\n`file` says: %s\n", strings.TrimSpace(r.static))
	if !sizeMet {
		misses = append(misses, measurement{what: "binary size"})
	}
	r.footprintSection(w)
	w("\n")
	matrixSection(w, r.matrix, r.runs, "6")
	w("## Misses\n\n")
	matrixMissed := matrixMisses(r.matrix)
	if len(misses) == 0 && len(matrixMissed) == 0 {
		w("None in this run.\n")
	}
	for _, m := range misses {
		w("- **%s** missed its target in this run. %s\n", m.what, r.fixFor(m))
	}
	for _, c := range matrixMissed {
		w("- **The adaptive drain at a %v lag, %s, %s** missed its goal in this run: %s\n", c.lag, strings.ReplaceAll(c.drain.name, "`", ""), c.client.name, c.miss())
	}
	return b.String()
}

// variantTable writes one section's table and drainit's breakdown: the
// floor is named by floor, php-fpm's part comes from fpmField, and
// drainit's own part is tailHow.
func variantTable(w func(string, ...any), stats []*variantStats, floor, fpmField, tailHow string) {
	w("| variant | sent | failed | failures, all runs, by kind | stop time |\n|---|---:|---:|---|---:|\n")
	for _, s := range stats {
		w("| %s | %.0f | **%.0f** | %s | %.3f s |\n", s.name, median(s.sent), median(s.failed), scenario.Tally(s.kinds), median(s.stop))
	}
	for _, s := range stats {
		if len(s.overhead) > 0 {
			w("\ndrainit's stop time past the physical floor (%s, or the end of the last request if later): median %.0f ms, worst %.0f ms. "+
				"Of that, php-fpm's master took a median %.0f ms from its QUIT to its own exit (%s), and drainit a median %.1f ms (%s).\n",
				floor, median(s.overhead)*1000, slices.Max(s.overhead)*1000, median(s.fpmExit)*1000, fpmField, median(s.tail)*1000, tailHow)
		}
	}
}

func targetFor(what string) target {
	for key, t := range targets {
		if strings.Contains(what, key) {
			return t
		}
	}
	return target{"", func(map[string]float64) bool { return true }}
}

// fixFor says what is known of a miss's cause. Every figure in it comes
// from this run's measurements; the rest names causes and levers only.
func (r reportData) fixFor(m measurement) string {
	fp := r.footprint
	switch {
	case strings.Contains(m.what, "start-up"):
		return fmt.Sprintf("A Go program that only forks, execs and waits (bench/cmd/forkwait) takes %.1f ms here, %.1f ms more than tini in the same samples: "+
			"on this machine the Go runtime alone is past the target, before drainit's own start-up. Section 5 shows what each lever bought and what is left; "+
			"most of what is left is package init of the linked libraries (client_golang, protobuf, procfs, net/http), whose page faults cost tens of microseconds each on this virtual machine "+
			"and which run whether or not --metrics-address is given.", fp.forkwaitMS, fp.forkwaitMS-fp.tiniMS)
	case strings.Contains(m.what, "RSS"):
		anon := r.row("RssAnon")
		return fmt.Sprintf("Of drainit's %.1f MiB, %.1f MiB are file pages of its own %.1f MiB binary (RSS less the RssAnon row); section 5 shows the levers.",
			m.median["drainit"], m.median["drainit"]-anon.median["drainit"], float64(r.size)/(1<<20))
	case strings.Contains(m.what, "reaping"):
		return fmt.Sprintf("Per zombie drainit makes one wait4 call, as tini does, and hands exits to its drain loop in batches. In this run the samples of one init spread by %.0f%% (drainit) and %.0f%% (tini) of their medians, against a gap of %.0f%%: rerun before concluding.",
			100*m.spread["drainit"], 100*m.spread["tini"], 100*(m.median["drainit"]/m.median["tini"]-1))
	case strings.Contains(m.what, "binary"):
		return "The lever to try first: client_golang's protobuf exposition format."
	}
	return ""
}

// footprintSection is section 5: each lever's commit, built and measured
// in this run.
func (r reportData) footprintSection(w func(string, ...any)) {
	fp := r.footprint
	w("\n## 5. Footprint, lever by lever\n\n")
	w("Each row is drainit built from the commit that took one more lever, measured in this run: start-up (`INIT -- /bin/true`, %d samples each, "+
		"interleaved with tini and with bench/cmd/forkwait, a Go program that only forks, execs and waits: the floor under any Go init); "+
		"idle RSS with metrics on, scraped once as in section 4, and again after %d scrapes 100 ms apart (the heap's steady state); "+
		"and the median scrape as the client timed it (Go's client, which asks for gzip as Prometheus does). Medians; RSS over %d runs.\n\n",
		r.overheadRuns, scrapesForSteadyState, rssRuns)
	w("| drainit | commit | start-up | idle RSS, scraped once | idle RSS, after %d scrapes | a scrape | binary |\n|---|---|---:|---:|---:|---:|---:|\n", scrapesForSteadyState)
	for _, row := range fp.rows {
		rev := row.rev
		if rev == "" {
			rev = "this run's"
		}
		if row.missing != "" {
			w("| %s | %s | not measured: %s | | | | |\n", row.label, rev, strings.TrimSpace(row.missing))
			continue
		}
		w("| %s | %s | %.2f ms | %.2f MiB | %.2f MiB | %.2f ms | %.2f MiB |\n", row.label, rev, row.startupMS, row.rssOnceMiB, row.rssSteadyMiB, row.scrapeMS, row.sizeMiB)
	}
	w("| tini, same samples | | %.2f ms | | | | |\n", fp.tiniMS)
	w("| Go floor (forkwait), same samples | | %.2f ms | | | | |\n", fp.forkwaitMS)
	if first, last := fp.rows[0], fp.rows[len(fp.rows)-1]; first.missing == "" && last.missing == "" {
		w("\nFrom the first row to the last: start-up %.2f → %.2f ms (drainit less the Go floor: %.2f → %.2f ms), idle RSS %.2f → %.2f MiB once and %.2f → %.2f MiB after %d scrapes; "+
			"a scrape %.2f → %.2f ms, the price of faulting back in what the previous one gave back.\n",
			first.startupMS, last.startupMS, first.startupMS-fp.forkwaitMS, last.startupMS-fp.forkwaitMS,
			first.rssOnceMiB, last.rssOnceMiB, first.rssSteadyMiB, last.rssSteadyMiB, scrapesForSteadyState, first.scrapeMS, last.scrapeMS)
	}
}

// row is the overhead measurement whose name contains what.
func (r reportData) row(what string) measurement {
	for _, m := range r.overhead {
		if strings.Contains(m.what, what) {
			return m
		}
	}
	return measurement{median: map[string]float64{}}
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func imageName(variant string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(variant))
	return "timeline-" + strings.Trim(name, "-") + ".svg"
}

func describeMachine() [][2]string {
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	first := func(argv ...string) string {
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return "not found"
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	return [][2]string{
		{"CPU", fmt.Sprintf("%s, %d cores", cpu, runtime.NumCPU())},
		{"memory", first("sh", "-c", "awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")},
		{"kernel", first("uname", "-sr")},
		{"OS", first("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME")},
		{"Go", runtime.Version()},
		{"nginx", first("/usr/sbin/nginx", "-v")},
		{"php-fpm", first("/usr/sbin/php-fpm8.2", "-v")},
		{"tini", first("/usr/bin/tini", "--version")},
		{"dumb-init", first("/usr/bin/dumb-init", "--version")},
	}
}
