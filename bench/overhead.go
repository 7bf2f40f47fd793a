package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// inits are the peers measured against drainit, each as a function that
// puts it in front of a command.
type initCmd struct {
	name string
	wrap func(cmd ...string) []string
}

func peers(drainit string) []initCmd {
	return []initCmd{
		{"drainit", func(c ...string) []string { return append([]string{drainit, "--delay", "0", "--"}, c...) }},
		{"tini", func(c ...string) []string { return append([]string{"/usr/bin/tini", "-s", "--"}, c...) }},
		{"dumb-init", func(c ...string) []string { return append([]string{"/usr/bin/dumb-init"}, c...) }},
	}
}

// measurement is one row of a table: a median per init.
type measurement struct {
	what   string
	unit   string
	median map[string]float64
	spread map[string]float64 // (max - min) / median of the samples
}

// startup: `INIT -- /bin/true`, the whole process, interleaved so that
// machine noise falls on every init alike.
func startup(inits []initCmd, runs int) (measurement, error) {
	samples := map[string][]float64{}
	for range runs {
		for _, in := range inits {
			argv := in.wrap("/bin/true")
			start := time.Now()
			if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
				return measurement{}, fmt.Errorf("%s: %w", in.name, err)
			}
			samples[in.name] = append(samples[in.name], msSince(start))
		}
	}
	return medians("start-up, `INIT -- /bin/true`", "ms", samples), nil
}

// signalLatency: SIGHUP sent to the init → received by the child.
func signalLatency(inits []initCmd, sigchild string, runs int) (measurement, error) {
	samples := map[string][]float64{}
	for _, in := range inits {
		argv := in.wrap(sigchild, "hup")
		cmd := exec.Command(argv[0], argv[1:]...)
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			return measurement{}, err
		}
		lines := bufio.NewScanner(out)
		lines.Scan() // ready
		for range runs {
			sent := time.Now()
			_ = cmd.Process.Signal(syscall.SIGHUP)
			if !lines.Scan() {
				return measurement{}, fmt.Errorf("%s: the child stopped answering", in.name)
			}
			ns, _ := strconv.ParseInt(lines.Text(), 10, 64)
			samples[in.name] = append(samples[in.name], float64(ns-sent.UnixNano())/1e6)
			time.Sleep(2 * time.Millisecond) // signals of one kind coalesce
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	return medians("signal forwarding, SIGHUP to the init → child", "ms", samples), nil
}

// exitLatency: the child's last moment → the init's exit seen by its parent.
func exitLatency(inits []initCmd, sigchild string, runs int) (measurement, error) {
	samples := map[string][]float64{}
	for range runs {
		for _, in := range inits {
			argv := in.wrap(sigchild, "exit")
			out, err := exec.Command(argv[0], argv[1:]...).Output()
			done := time.Now()
			if err != nil {
				return measurement{}, fmt.Errorf("%s: %w", in.name, err)
			}
			ns, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
			samples[in.name] = append(samples[in.name], float64(done.UnixNano()-ns)/1e6)
		}
	}
	return medians("exit, the child's exit → the init's exit", "ms", samples), nil
}

// idleRSS: resident memory of the init after a second of idling; drainit
// with its metrics endpoint on and scraped once. The second measurement is
// the anonymous part alone (heap, stacks): RSS also counts the pages of the
// binary's own file, which grow with its size.
func idleRSS(inits []initCmd, drainit string, port int, runs int) (measurement, measurement, error) {
	samples, anon := map[string][]float64{}, map[string][]float64{}
	for range runs {
		for _, in := range inits {
			// sleep 3 outlives the measurement at 1 s but not by much: the
			// init is SIGKILLed after it, and its orphan soon ends.
			argv := in.wrap("sleep", "3")
			if in.name == "drainit" {
				argv = []string{drainit, "--metrics-address", fmt.Sprintf("127.0.0.1:%d", port), "--", "sleep", "3"}
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			if err := cmd.Start(); err != nil {
				return measurement{}, measurement{}, err
			}
			time.Sleep(500 * time.Millisecond)
			if in.name == "drainit" {
				if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port)); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
			time.Sleep(500 * time.Millisecond)
			rss, errRSS := statusKB(cmd.Process.Pid, "VmRSS:")
			rssAnon, errAnon := statusKB(cmd.Process.Pid, "RssAnon:")
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if errRSS != nil || errAnon != nil {
				return measurement{}, measurement{}, fmt.Errorf("%s: %v %v", in.name, errRSS, errAnon)
			}
			samples[in.name] = append(samples[in.name], rss/1024)
			anon[in.name] = append(anon[in.name], rssAnon/1024)
		}
	}
	return medians("idle RSS (drainit: metrics on, scraped once)", "MiB", samples),
		medians("idle RssAnon: RSS less the binary's file pages", "MiB", anon), nil
}

// statusKB reads one "Key: N kB" line of /proc/PID/status.
func statusKB(pid int, key string) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == key {
			return strconv.ParseFloat(f[1], 64)
		}
	}
	return 0, fmt.Errorf("no %s for %d", key, pid)
}

// reaping: each init as PID 1 of a fresh PID namespace reaps n orphaned
// zombies; the time from the first fork until the last is gone.
func reaping(inits []initCmd, orphans string, n, runs int) (measurement, error) {
	samples := map[string][]float64{}
	for range runs {
		for _, in := range inits {
			argv := append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, in.wrap(orphans, strconv.Itoa(n))...)
			out, err := exec.Command(argv[0], argv[1:]...).Output()
			f := strings.Fields(string(out))
			if err != nil || len(f) != 2 || f[0] != strconv.Itoa(n) {
				return measurement{}, fmt.Errorf("%s: reaping %d orphans: %v %q", in.name, n, err, out)
			}
			ns, _ := strconv.ParseFloat(f[1], 64)
			samples[in.name] = append(samples[in.name], ns/1e6)
		}
	}
	return medians(fmt.Sprintf("reaping %d orphaned zombies at once, as PID 1 (forking not counted)", n), "ms", samples), nil
}

func medians(what, unit string, samples map[string][]float64) measurement {
	m := measurement{what: what, unit: unit, median: map[string]float64{}, spread: map[string]float64{}}
	for name, s := range samples {
		m.median[name] = median(s)
		if m.median[name] > 0 {
			m.spread[name] = (slices.Max(s) - slices.Min(s)) / m.median[name]
		}
	}
	return m
}

func median(s []float64) float64 {
	s = slices.Clone(s)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Nanoseconds()) / 1e6 }
