package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// levers are the commits that each took one footprint lever, oldest
// first, measured side by side in one run. The last row is the drainit
// under test. A checkout without this history (a shallow clone) skips
// the rows it cannot build, and the report says so.
var levers = []struct{ label, rev string }{
	{"before (issue 9)", "3320dda"},
	{"+ signals through drainit's handler, not os/signal", "e08b8d1"},
	{"+ no gzip on /metrics", "679daed"},
	{"+ the binary's pages given back a second after start-up and after each scrape", "04410f9"},
	{"+ a scrape's garbage returned: drainit as built for this run", ""},
}

// scrapesForSteadyState is how many scrapes the steady-state RSS follows:
// enough for an idle drainit's heap to reach what it keeps between
// collections.
const scrapesForSteadyState = 20

// leverRow is one commit's footprint.
type leverRow struct {
	label, rev   string
	bin          string // as built; empty if it could not be
	missing      string // why it was not measured
	startupMS    float64
	rssOnceMiB   float64 // idle, scraped once, as section 4 measures it
	rssSteadyMiB float64 // idle, after scrapesForSteadyState scrapes
	scrapeMS     float64 // one scrape, as the client sees it
	sizeMiB      float64
}

// footprint is the section's table, with tini's start-up and the Go
// runtime's floor from the same interleaved samples.
type footprint struct {
	rows               []leverRow
	tiniMS, forkwaitMS float64
}

// measureFootprint builds each lever's commit from repo's history and
// measures start-up (interleaved with tini and the Go floor), RSS and
// scrape time.
func measureFootprint(repo, work, drainit, forkwait string, port, runs int) (footprint, error) {
	var fp footprint
	for _, l := range levers {
		row := leverRow{label: l.label, rev: l.rev}
		bin := drainit
		if l.rev != "" {
			bin = filepath.Join(work, "drainit-"+l.rev)
			if err := buildRevision(repo, l.rev, filepath.Join(work, "src-"+l.rev), bin); err != nil {
				row.missing = err.Error()
				fp.rows = append(fp.rows, row)
				continue
			}
		}
		if info, err := os.Stat(bin); err == nil {
			row.sizeMiB = float64(info.Size()) / (1 << 20)
		}
		row.bin = bin
		fp.rows = append(fp.rows, row)
	}

	// Start-up, interleaved so that machine noise falls on every binary alike.
	var inits []initCmd
	for _, row := range fp.rows {
		if row.bin != "" {
			inits = append(inits, initCmd{row.bin, func(c ...string) []string { return append([]string{row.bin, "--delay", "0", "--"}, c...) }})
		}
	}
	inits = append(inits,
		initCmd{"tini", func(c ...string) []string { return append([]string{"/usr/bin/tini", "-s", "--"}, c...) }},
		initCmd{"forkwait", func(c ...string) []string { return append([]string{forkwait}, c...) }})
	up, err := startup(inits, runs)
	if err != nil {
		return fp, err
	}
	fp.tiniMS, fp.forkwaitMS = up.median["tini"], up.median["forkwait"]

	for i := range fp.rows {
		r := &fp.rows[i]
		if r.bin == "" {
			continue
		}
		r.startupMS = up.median[r.bin]
		if r.rssOnceMiB, r.rssSteadyMiB, r.scrapeMS, err = scrapedRSS(r.bin, port, rssRuns); err != nil {
			return fp, fmt.Errorf("%s: %w", r.label, err)
		}
		fmt.Fprintf(os.Stderr, "footprint %-62s start-up %.2f ms, RSS %.2f MiB once, %.2f MiB after %d scrapes, scrape %.2f ms\n",
			r.label, r.startupMS, r.rssOnceMiB, r.rssSteadyMiB, scrapesForSteadyState, r.scrapeMS)
	}
	return fp, nil
}

// buildRevision builds drainit as it was at rev, from git archive's copy
// of that commit, the way the run builds the current one.
func buildRevision(repo, rev, src, out string) error {
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", repo, rev, src)
	if b, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("commit %s is not in this checkout: %s", rev, b)
	}
	return testkit.BuildDrainit(src, out)
}

// scrapedRSS runs bin with its metrics endpoint (its child outlives the
// measurement, about 3.5 s, but not by much) and, runs times: waits
// half a second, scrapes once, waits half a second and reads RSS (as
// section 4 does); then scrapes scrapesForSteadyState−1 more times, 100 ms
// apart, waits half a second, and reads RSS again. Medians, and the
// median scrape as the client timed it.
func scrapedRSS(bin string, port, runs int) (once, steady, scrapeMS float64, err error) {
	var onceS, steadyS, scrapes []float64
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	scrape := func() error {
		start := time.Now()
		resp, err := http.Get(url) // asks for gzip, as Prometheus does
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		scrapes = append(scrapes, msSince(start))
		return nil
	}
	for range runs {
		cmd := exec.Command(bin, "--metrics-address", fmt.Sprintf("127.0.0.1:%d", port), "--", "sleep", "5")
		if err := cmd.Start(); err != nil {
			return 0, 0, 0, err
		}
		measure := func() error {
			time.Sleep(500 * time.Millisecond)
			if err := scrape(); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond)
			rss, err := statusKB(cmd.Process.Pid, "VmRSS:")
			if err != nil {
				return err
			}
			onceS = append(onceS, rss/1024)
			for range scrapesForSteadyState - 1 {
				time.Sleep(100 * time.Millisecond)
				if err := scrape(); err != nil {
					return err
				}
			}
			time.Sleep(500 * time.Millisecond)
			if rss, err = statusKB(cmd.Process.Pid, "VmRSS:"); err != nil {
				return err
			}
			steadyS = append(steadyS, rss/1024)
			return nil
		}
		err := measure()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err != nil {
			return 0, 0, 0, err
		}
	}
	return median(onceS), median(steadyS), median(scrapes), nil
}
