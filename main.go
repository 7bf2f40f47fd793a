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
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/metrics"
	"github.com/drainit/drainit/preflight"
	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
	"github.com/drainit/drainit/upstream"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Bounds on work that must not hold up the drain or the exit.
const (
	inFlightTimeout = 300 * time.Millisecond // reading status pages before the stop signal
	shutdownWait    = 2 * time.Second        // letting a scrape in progress finish
)

func main() {
	// Handlers first: until Notify, a SIGTERM makes the Go runtime exit 2
	// without draining, and a namespace's PID 1 loses any signal it has no
	// handler for.
	sigs := make(chan os.Signal, 128)
	signal.Notify(sigs, signalValues(signals.Caught())...)
	os.Exit(run(os.Args[1:], sigs, os.Stdout, os.Stderr))
}

func run(args []string, sigs <-chan os.Signal, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, os.Getenv)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "drainit: %v (see drainit --help)\n", err)
		return 2
	case opts.help:
		printHelp(stdout)
		return 0
	case opts.version:
		fmt.Fprintf(stdout, "drainit %s\n", version)
		return 0
	}
	log := newLogger(stderr, opts.logFormat, opts.verbose)
	routes, err := signals.NewTable(opts.rewrites)
	if err != nil {
		fmt.Fprintf(stderr, "drainit: --rewrite: %v (see drainit --help)\n", err)
		return 2
	}
	warnBeforeStart(log, opts)

	// Bind before the child starts, so a busy port is a usage error and
	// not a surprise; serve only after, so the child is not held up.
	var mx *metrics.Metrics
	var srv *metrics.Server
	if opts.metricsAddr != "" {
		mx = metrics.New(opts.delay, opts.timeout, countDescendants)
		if srv, err = metrics.Listen(opts.metricsAddr, mx.Handler()); err != nil {
			fmt.Fprintf(stderr, "drainit: --metrics-address %s: %v\n", opts.metricsAddr, err)
			return 2
		}
	}
	var ups *upstream.Collector
	if len(opts.upstreams) > 0 {
		ups = upstream.NewCollector(opts.upstreams)
		if mx != nil {
			mx.Registry.MustRegister(ups)
		}
	}

	if !process.IsPID1() {
		if err := process.BecomeSubreaper(); err != nil {
			log.Warn("not PID 1 and cannot become a child subreaper: orphans will not be reaped or waited for", "err", err)
		}
	}
	child, err := process.Start(opts.command, opts.processGroup)
	if err != nil {
		var startErr *process.StartError
		if errors.As(err, &startErr) {
			fmt.Fprintf(stderr, "drainit: %v\n", startErr)
			return startErr.Code
		}
		fmt.Fprintf(stderr, "drainit: %v\n", err)
		return process.ExitCannotExecute
	}
	exits := make(chan []process.Exit, 16)
	go process.Reap(exits)
	if srv != nil {
		srv.Serve(log)
		log.Debug("serving metrics", "address", srv.Addr())
	}

	cfg := drain.Config{
		Delay:      opts.delay,
		Timeout:    opts.timeout,
		StopSignal: opts.stopSignal,
		Routes:     routes,
		MainPID:    child.PID,
		Log:        log,
	}
	if mx != nil {
		cfg.Observer = mx
	}
	if ups != nil {
		cfg.InFlight = func() map[string]int {
			inFlight, errs := ups.InFlight(inFlightTimeout)
			for kind, err := range errs {
				log.Warn("could not read the upstream's status before the stop signal", "upstream", kind, "err", err)
			}
			return inFlight
		}
	}
	log.Debug("started", "pid", child.PID, "command", opts.command[0], "pid1", process.IsPID1())
	summary := drain.Run(drain.New(cfg, child), sigs, exits)
	logSummary(log, summary)

	if srv != nil {
		lingerForFinalScrape(log, opts.linger, sigs)
		srv.Shutdown(shutdownWait)
	}
	return summary.ExitCode
}

// warnBeforeStart prints each preflight warning on one line. None is fatal.
func warnBeforeStart(log *slog.Logger, opts *options) {
	if w := preflight.GracePeriod(opts.delay, opts.timeout, opts.linger, opts.gracePeriod); w != "" {
		log.Warn(w)
	}
	if fpm, ok := preflight.PHPFPMCommand(opts.command); ok {
		if w := preflight.PHPFPMControlTimeout(fpm, opts.timeout); w != "" {
			log.Warn(w)
		}
	}
}

// logSummary tells the whole run in one line: the drain summary after a
// drain (a warning unless it was clean), or just the exit status.
func logSummary(log *slog.Logger, s drain.Summary) {
	if !s.Triggered {
		log.Info("exiting", "status", s.ExitCode)
		return
	}
	level := slog.LevelInfo
	if !s.Clean() {
		level = slog.LevelWarn
	}
	log.LogAttrs(context.Background(), level, "drain summary", s.Attrs()...)
}

// lingerForFinalScrape keeps /metrics up after the drain so the last
// numbers can be scraped. A new TERM, QUIT or INT ends it early.
func lingerForFinalScrape(log *slog.Logger, d time.Duration, sigs <-chan os.Signal) {
	if d <= 0 {
		return
	}
	log.Info("serving final metrics before exiting", "linger", d.String())
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return
		case sig := <-sigs:
			if s, ok := sig.(syscall.Signal); ok && slices.Contains(signals.Triggers, s) {
				return
			}
		}
	}
}

func countDescendants() float64 { return float64(len(process.Descendants(os.Getpid()))) }

func signalValues[S os.Signal](list []S) []os.Signal {
	out := make([]os.Signal, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
