// Command drainit is a container init (PID 1) for nginx and php-fpm that
// turns a stop signal into a lossless drain. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/drainit/drainit/catch"
	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/evict"
	"github.com/drainit/drainit/logwriter"
	"github.com/drainit/drainit/preflight"
	"github.com/drainit/drainit/process"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// logFlushWait bounds the wait for queued log lines at exit: a stderr
// stuck for good must not keep drainit, and with it the container, alive.
const logFlushWait = 2 * time.Second

func main() {
	// Handlers first: until they are in place, a SIGTERM makes the Go
	// runtime exit 2 without draining, signal 34 ends drainit, and a
	// namespace's PID 1 loses any signal it has no handler for.
	sigs := make(chan os.Signal, 128)
	catchErr := catch.All(sigs)
	os.Exit(run(os.Args[1:], sigs, catchErr, os.Stdout, os.Stderr))
}

func run(args []string, sigs <-chan os.Signal, catchErr error, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, os.Getenv)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "drainit: %v (see drainit --help)\n", err)
		return 2
	case opts.help:
		printHelp(stdout)
		return 0
	case opts.showVersion:
		fmt.Fprintf(stdout, "drainit %s\n", version)
		return 0
	}
	logOut := logwriter.New(stderr, droppedLinesLine(opts.logFormat))
	defer logOut.Close(logFlushWait)
	log := newLogger(logOut, opts.logFormat, opts.verbose)
	if catchErr != nil {
		log.Warn("signals 32 and 34 are not caught and would end drainit", "err", catchErr)
	}
	ms, err := members(opts)
	if err != nil { // a command not found (127) or not executable (126)
		fmt.Fprintf(stderr, "drainit: %v\n", err)
		var startErr *process.StartError
		if errors.As(err, &startErr) {
			return startErr.Code
		}
		return process.ExitCannotExecute
	}
	for _, w := range []string{
		preflight.GracePeriod(opts.delay, opts.timeout, opts.linger, opts.gracePeriod, opts.quiet > 0),
		preflight.QuietWindow(opts.quiet, opts.delay),
	} {
		if w != "" {
			log.Warn(w)
		}
	}
	markPeers(ms, opts.upstreams)
	assignProbes(ms, opts, checkPHPFPM(log, ms, opts.timeout))
	w := newWorld(ms, opts.startTimeout)

	// Bind before anything starts, so a busy port is a usage error and
	// not a surprise; serve at once, so /readyz says "starting".
	tel, err := newTelemetry(opts, w.config())
	if err != nil {
		fmt.Fprintf(stderr, "drainit: %v\n", err)
		return 2
	}
	if !process.IsPID1() {
		if err := process.BecomeSubreaper(); err != nil {
			log.Warn("not PID 1 and cannot become a child subreaper: orphans will not be reaped or waited for", "err", err)
		}
	}
	tel.serve(log)
	traffic := make(chan drain.TrafficSample, 16)
	cfg := drainConfig(opts, w.config(), log, tel, traffic)
	if opts.evictFile != "" {
		f := evict.File{Path: opts.evictFile}
		if err := f.Prepare(); err != nil {
			fmt.Fprintf(stderr, "drainit: %v\n", err)
			return 2
		}
		cfg.Evict = w.evictAndWatchReload(f, log)
	}
	machine := drain.New(cfg, w)
	summary := drain.Run(machine, drain.Inputs{Signals: sigs, Exits: w.exits, Ready: w.ready, Traffic: traffic})
	if summary.NothingStarted() { // one line, as for a command not found
		fmt.Fprintf(stderr, "drainit: %v\n", summary.StartErr)
		return summary.ExitCode
	}
	log.LogAttrs(context.Background(), summary.Level(), summary.Message(), summary.Attrs()...)
	tel.lingerAndShutdown(log, opts.linger, sigs)
	return summary.ExitCode
}

func drainConfig(opts *options, ms []drain.Member, log *slog.Logger, tel *telemetry, traffic chan<- drain.TrafficSample) drain.Config {
	var upstreams []string
	for _, u := range opts.upstreams {
		upstreams = append(upstreams, string(u.Kind))
	}
	return drain.Config{
		Quiet:        opts.quiet,
		MinDelay:     opts.minDelay,
		Upstreams:    upstreams,
		WatchTraffic: tel.watchTraffic(opts.quiet, traffic),
		Members:      ms,
		Delay:        opts.delay,
		Timeout:      opts.timeout,
		StartTimeout: opts.startTimeout,
		Routes:       opts.routes,
		Log:          log,
		Observer:     tel.observer(),
		InFlight:     tel.inFlight(log),
	}
}
