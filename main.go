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
	warnBeforeStart(log, opts)

	// Bind before the child starts, so a busy port is a usage error and
	// not a surprise; serve only after, so the child is not held up.
	tel, err := newTelemetry(opts)
	if err != nil {
		fmt.Fprintf(stderr, "drainit: %v\n", err)
		return 2
	}
	if !process.IsPID1() {
		if err := process.BecomeSubreaper(); err != nil {
			log.Warn("not PID 1 and cannot become a child subreaper: orphans will not be reaped or waited for", "err", err)
		}
	}
	child, err := process.Start(opts.command, opts.processGroup)
	if err != nil {
		fmt.Fprintf(stderr, "drainit: %v\n", err)
		var startErr *process.StartError
		if errors.As(err, &startErr) {
			return startErr.Code
		}
		return process.ExitCannotExecute
	}
	exits := make(chan []process.Exit, 16)
	go process.Reap(exits)
	tel.serve(log)
	log.Debug("started", "pid", child.PID, "command", opts.command[0], "pid1", process.IsPID1())

	summary := drain.Run(drain.New(drainConfig(opts, child.PID, log, tel), child), sigs, exits)
	log.LogAttrs(context.Background(), summary.Level(), summary.Message(), summary.Attrs()...)
	tel.lingerAndShutdown(log, opts.linger, sigs)
	return summary.ExitCode
}

func drainConfig(opts *options, mainPID int, log *slog.Logger, tel *telemetry) drain.Config {
	return drain.Config{
		Delay:      opts.delay,
		Timeout:    opts.timeout,
		StopSignal: opts.stopSignal,
		Routes:     opts.routes,
		MainPID:    mainPID,
		Log:        log,
		Observer:   tel.observer(),
		InFlight:   tel.inFlight(log),
	}
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
