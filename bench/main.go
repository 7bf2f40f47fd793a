// Command bench measures drainit against its peers and writes
// docs/BENCHMARKS.md with the tables and the timeline pictures:
//
//	make bench        (or: cd bench && go run . -runs 5 -out ../docs)
//
// It needs root (PID namespaces), nginx-light, php8.2-fpm, tini and
// dumb-init (make deps installs them). Every figure in the report comes
// from the run that wrote it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
	"github.com/drainit/drainit/internal/testkit"
)

// Samples per init of the slower overhead measurements.
const (
	rssRuns     = 5
	reapingRuns = 7
)

func main() {
	runs := flag.Int("runs", 5, "runs of each pod variant and of each matrix cell; medians are reported")
	overheadRuns := flag.Int("overhead-runs", 200, "samples per init for start-up, signal and exit latency")
	zombies := flag.Int("zombies", 10000, "orphaned zombies each init reaps")
	out := flag.String("out", "../docs", "where BENCHMARKS.md and img/ go")
	repo := flag.String("repo", "..", "the drainit repository")
	matrixOnly := flag.Bool("matrix-only", false, "run only the adaptive delay's matrix: its section to stdout, its pictures into -out/img, no BENCHMARKS.md")
	flag.Parse()
	if err := run(*repo, *out, *matrixOnly, *runs, *overheadRuns, *zombies); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run builds drainit as it ships into a scratch directory, then measures.
func run(repo, out string, matrixOnly bool, runs, overheadRuns, zombies int) error {
	work, err := os.MkdirTemp("", "drainit-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	drainit := filepath.Join(work, "drainit")
	if err := testkit.BuildDrainit(repo, drainit); err != nil {
		return err
	}
	if matrixOnly {
		return matrixAlone(drainit, work, out, runs)
	}
	return bench(drainit, work, repo, out, runs, overheadRuns, zombies)
}

func bench(drainit, work, repo, out string, runs, overheadRuns, zombies int) error {
	sigchild, orphans, forkwait := filepath.Join(work, "sigchild"), filepath.Join(work, "orphans"), filepath.Join(work, "forkwait")
	for dst, pkg := range map[string]string{sigchild: "./cmd/sigchild", orphans: "./cmd/orphans", forkwait: "./cmd/forkwait"} {
		if err := goBuild(".", pkg, dst); err != nil {
			return err
		}
	}
	bin := scenario.DefaultBinaries(drainit)
	started := time.Now()

	d := scenario.DefaultDrainit()
	two, err := runScenarios(bin, section{load: scenario.DefaultLoad(), floorMin: d.FPMDelay, variants: scenario.AllVariants(bin, d)}, runs, work)
	if err != nil {
		return err
	}
	one, err := runScenarios(bin, section{load: scenario.OneContainerLoad(), floorMin: d.NginxDelay, variants: scenario.OneContainerVariants(bin, d)}, runs, work)
	if err != nil {
		return err
	}
	matrix, err := runMatrix(bin, runs, work, os.Stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "img"), 0o755); err != nil {
		return err
	}
	for _, s := range append(slices.Clone(two), one...) {
		if err := timeline(s.sample, filepath.Join(out, "img", imageName(s.name))); err != nil {
			return err
		}
	}
	if err := matrixPlots(matrix, out); err != nil {
		return err
	}

	inits := peers(drainit)
	port, err := scenario.FreePort()
	if err != nil {
		return err
	}
	var rows []measurement
	rss, rssAnon, err := idleRSS(inits, drainit, port, rssRuns)
	if err != nil {
		return err
	}
	for _, m := range []func() (measurement, error){
		func() (measurement, error) { return startup(inits, overheadRuns) },
		func() (measurement, error) { return signalLatency(inits, sigchild, overheadRuns) },
		func() (measurement, error) { return exitLatency(inits, sigchild, overheadRuns) },
		func() (measurement, error) { return rss, nil },
		func() (measurement, error) { return rssAnon, nil },
		func() (measurement, error) { return reaping(inits, orphans, zombies, reapingRuns) },
	} {
		row, err := m()
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", row.what, row.median)
		rows = append(rows, row)
	}
	size, static, err := binarySize(drainit)
	if err != nil {
		return err
	}
	fp, err := measureFootprint(repo, work, drainit, forkwait, port, overheadRuns)
	if err != nil {
		return err
	}
	report := reportData{
		started: started, took: time.Since(started), runs: runs, overheadRuns: overheadRuns,
		scenarios: two, one: one, matrix: matrix, overhead: rows, size: size, static: static, footprint: fp, machine: describeMachine(),
	}
	return os.WriteFile(filepath.Join(out, "BENCHMARKS.md"), []byte(report.markdown()), 0o644)
}

// matrixAlone runs the adaptive delay's matrix by itself, for whoever
// works on the delay: minutes instead of the whole report's half hour.
func matrixAlone(drainit, work, out string, runs int) error {
	matrix, err := runMatrix(scenario.DefaultBinaries(drainit), runs, work, os.Stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "img"), 0o755); err != nil {
		return err
	}
	matrixSection(func(format string, args ...any) { fmt.Printf(format, args...) }, matrix, runs, "6")
	return matrixPlots(matrix, out)
}

func goBuild(dir, pkg, dst string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", dst, pkg)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// binarySize measures drainit as built for the run, the way it ships,
// and says whether `file` calls it static.
func binarySize(dst string) (int64, string, error) {
	info, err := os.Stat(dst)
	if err != nil {
		return 0, "", err
	}
	desc, _ := exec.Command("file", "-b", dst).Output()
	return info.Size(), string(desc), nil
}
