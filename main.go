// Command drainit is a container init (PID 1) for nginx and php-fpm that
// turns a stop signal into a lossless drain. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/signals"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

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
	exits := make(chan process.Exit, 64)
	go process.Reap(exits)

	m := drain.New(drain.Config{
		Delay:      opts.delay,
		Timeout:    opts.timeout,
		StopSignal: opts.stopSignal,
		Routes:     routes,
		MainPID:    child.PID,
		Log:        log,
	}, child)
	log.Debug("started", "pid", child.PID, "command", opts.command[0], "pid1", process.IsPID1())
	summary := drain.Run(m, sigs, exits)
	log.Info("exiting", "status", summary.ExitCode)
	return summary.ExitCode
}

func signalValues[S os.Signal](list []S) []os.Signal {
	out := make([]os.Signal, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// newLogger logs to w as "drainit: key=value ..." lines or as JSON.
func newLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)).With("logger", "drainit")
	}
	return slog.New(slog.NewTextHandler(prefixWriter{w}, opts))
}

// prefixWriter starts every record with "drainit: ", so drainit's lines
// stand out among the child's on a shared stderr. slog writes each record
// with a single Write.
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte("drainit: "), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
