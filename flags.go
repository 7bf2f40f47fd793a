package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/drainit/drainit/signals"
	"github.com/drainit/drainit/upstream"
)

// options is everything the command line and environment decide.
type options struct {
	backends     []backend // in start order
	startTimeout time.Duration
	delay        time.Duration
	quiet        time.Duration // 0: the delay is fixed
	minDelay     time.Duration // with quiet: the delay's lower bound
	unreadyAt    string        // when /readyz turns 503: "trigger" or "stop"
	evictFile    string        // --evict-keepalive: the include drainit writes
	timeout      time.Duration
	stopSignal   syscall.Signal
	routes       *signals.Table // --rewrite, checked and built
	processGroup bool
	verbose      bool
	logFormat    string
	metricsAddr  string
	linger       time.Duration
	upstreams    []*upstream.Source
	gracePeriod  time.Duration
	command      []string
	help         bool
	showVersion  bool
}

// backend is one --backend: a process started before COMMAND and stopped
// after it.
type backend struct {
	name       string // its command's base name: the process label
	argv       []string
	stopSignal syscall.Signal
	readyAt    string // --backend-ready: an address that accepts once it is ready
}

// envFlags maps each flag that has an environment variable to it. A flag
// given on the command line wins over its variable.
var envFlags = map[string]string{
	"delay":           "DRAINIT_DELAY",
	"quiet":           "DRAINIT_QUIET",
	"min-delay":       "DRAINIT_MIN_DELAY",
	"unready-at":      "DRAINIT_UNREADY_AT",
	"evict-keepalive": "DRAINIT_EVICT_KEEPALIVE",
	"timeout":         "DRAINIT_TIMEOUT",
	"stop-signal":     "DRAINIT_STOP_SIGNAL",
	"rewrite":         "DRAINIT_REWRITE",
	"process-group":   "DRAINIT_PROCESS_GROUP",
	"metrics-address": "DRAINIT_METRICS_ADDRESS",
	"metrics-linger":  "DRAINIT_METRICS_LINGER",
	"upstream":        "DRAINIT_UPSTREAM",
	"grace-period":    "DRAINIT_GRACE_PERIOD",
	"start-timeout":   "DRAINIT_START_TIMEOUT",

	"backend-stop-signal": "DRAINIT_BACKEND_STOP_SIGNAL",
	"backend-ready":       "DRAINIT_BACKEND_READY",
}

// backendsEnv holds backends separated by an unquoted ';', since one
// command line may hold commas and spaces.
const backendsEnv = "DRAINIT_BACKENDS"

// listFlags take a comma-separated list in their environment variable.
var listFlags = map[string]bool{"rewrite": true, "upstream": true, "backend-stop-signal": true, "backend-ready": true}

// usageErr is a command-line mistake: drainit prints it on one line and
// exits 2.
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &usageErr{msg: fmt.Sprintf(format, args...)}
}

// rawFlags are the flag values that need parsing after pflag is done.
type rawFlags struct {
	stopSignal, logFormat            string
	rewrites, upstreams              []string
	backends, backendStop, readyAddr []string
}

func newFlagSet(o *options, raw *rawFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("drainit", pflag.ContinueOnError)
	fs.SetInterspersed(false) // everything after COMMAND belongs to it
	fs.SetOutput(io.Discard)  // errors become one line, printed by main
	fs.Usage = func() {}
	fs.SortFlags = false
	fs.StringArrayVar(&raw.backends, "backend", nil, "'COMMAND ARGS' started before COMMAND, and stopped after it, in reverse order (repeatable)")
	fs.StringArrayVar(&raw.backendStop, "backend-stop-signal", nil, "NAME=SIGNAL: a backend's stop signal instead of QUIT (repeatable)")
	fs.StringArrayVar(&raw.readyAddr, "backend-ready", nil, "NAME=ADDRESS: a backend is ready once HOST:PORT or unix:PATH accepts (repeatable)")
	fs.DurationVar(&o.startTimeout, "start-timeout", 30*time.Second, "how long each backend may take to become ready before drainit gives up")
	fs.DurationVar(&o.delay, "delay", 5*time.Second, "endpoint-propagation delay between the drain trigger and the stop signal; with --quiet, its upper bound")
	fs.DurationVar(&o.quiet, "quiet", 0, "end the delay once every --upstream has had no new request, and none in flight, for this long (0: a fixed delay)")
	fs.DurationVar(&o.minDelay, "min-delay", time.Second, "with --quiet, the shortest delay: kube-proxy applies an endpoint change no sooner than 1s after it")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Second, "after the stop signal, how long to wait for every descendant before SIGKILL")
	fs.StringVar(&raw.stopSignal, "stop-signal", "QUIT", "signal that begins the child's graceful shutdown")
	fs.StringArrayVar(&raw.rewrites, "rewrite", nil, "FROM:TO rewrites a received signal before it is routed; TO of 0 drops it (repeatable)")
	fs.BoolVar(&o.processGroup, "process-group", false, "forward signals to the child's whole process group")
	fs.StringVar(&o.unreadyAt, "unready-at", "trigger", "when /readyz turns 503: at the drain's trigger, or at the stop signal (stop)")
	fs.StringVar(&o.evictFile, "evict-keepalive", "", "an nginx include to write `keepalive_requests 1;` into at the trigger, then reload nginx, so keep-alive clients reconnect elsewhere")
	fs.StringVar(&o.metricsAddr, "metrics-address", "", "serve /metrics, /healthz and /readyz on this address (e.g. :9101); empty: no listener")
	fs.DurationVar(&o.linger, "metrics-linger", 0, "after the drain, keep serving /metrics this long for a final scrape")
	fs.StringArrayVar(&raw.upstreams, "upstream", nil, "nginx=URL of stub_status, or php-fpm=HOST:PORT[/PATH] or php-fpm=unix:SOCKET[:PATH] (repeatable)")
	fs.DurationVar(&o.gracePeriod, "grace-period", 0, "the pod's terminationGracePeriodSeconds, to warn when --delay + --timeout + --metrics-linger does not fit")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "also log every forwarded signal and reaped process")
	fs.StringVar(&raw.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help and exit")
	return fs
}

// parseOptions reads args (without the program name) and the environment.
// Every error it returns is a usage error naming what was wrong.
func parseOptions(args []string, getenv func(string) string) (*options, error) {
	o := &options{}
	var raw rawFlags
	fs := newFlagSet(o, &raw)
	if err := fs.Parse(args); err != nil {
		return nil, usageError("%v", err)
	}
	if o.help || o.showVersion {
		return o, nil
	}
	if err := applyEnv(fs, getenv); err != nil {
		return nil, err
	}
	if o.delay < 0 || o.timeout < 0 || o.linger < 0 || o.gracePeriod < 0 || o.startTimeout < 0 || o.quiet < 0 || o.minDelay < 0 {
		return nil, usageError("durations must not be negative")
	}
	sig, err := signals.Parse(raw.stopSignal)
	if err == nil {
		err = signals.CheckSendable(sig)
	}
	if err != nil {
		return nil, usageError("--stop-signal: %v", err)
	}
	o.stopSignal = sig
	if o.routes, err = parseRewrites(raw.rewrites); err != nil {
		return nil, err
	}
	kinds := map[upstream.Kind]bool{}
	for _, text := range raw.upstreams {
		src, err := upstream.Parse(text)
		if err != nil {
			return nil, usageError("--upstream: %v", err)
		}
		if kinds[src.Kind] {
			return nil, usageError("--upstream: %s given twice", src.Kind)
		}
		kinds[src.Kind] = true
		o.upstreams = append(o.upstreams, src)
	}
	if err := checkQuiet(o); err != nil {
		return nil, err
	}
	if o.unreadyAt != "trigger" && o.unreadyAt != "stop" {
		return nil, usageError("--unready-at: want trigger or stop, got %q", o.unreadyAt)
	}
	if raw.logFormat != "text" && raw.logFormat != "json" {
		return nil, usageError("--log-format: want text or json, got %q", raw.logFormat)
	}
	o.logFormat = raw.logFormat
	o.command = fs.Args()
	if len(o.command) == 0 {
		return nil, usageError("no command given (drainit [flags] [--] COMMAND [ARG...])")
	}
	if o.backends, err = parseBackends(fs.Changed("backend"), raw, getenv, filepath.Base(o.command[0])); err != nil {
		return nil, err
	}
	return o, nil
}

// checkQuiet: --quiet needs a status page to watch, and room inside the
// delay to act.
func checkQuiet(o *options) error {
	if o.quiet == 0 {
		return nil
	}
	switch {
	case len(o.upstreams) == 0:
		return usageError("--quiet needs at least one --upstream to watch")
	case o.minDelay > o.delay:
		return usageError("--min-delay %v is longer than --delay %v, the upper bound", o.minDelay, o.delay)
	}
	return nil
}

func parseRewrites(texts []string) (*signals.Table, error) {
	var rewrites []signals.Rewrite
	for _, text := range texts {
		r, err := signals.ParseRewrite(text)
		if err != nil {
			return nil, usageError("--rewrite: %v", err)
		}
		rewrites = append(rewrites, r)
	}
	table, err := signals.NewTable(rewrites)
	if err != nil {
		return nil, usageError("--rewrite: %v", err)
	}
	return table, nil
}

// applyEnv fills each flag not given on the command line from its
// environment variable. DRAINIT_REWRITE holds a comma-separated list.
func applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	for name, env := range envFlags {
		value := getenv(env)
		if value == "" || fs.Changed(name) {
			continue
		}
		values := []string{value}
		if listFlags[name] {
			values = strings.Split(value, ",")
		}
		for _, v := range values {
			if err := fs.Set(name, strings.TrimSpace(v)); err != nil {
				return usageError("%s=%q: %v", env, value, err)
			}
		}
	}
	return nil
}

func printHelp(w io.Writer) {
	var o options
	var raw rawFlags
	fs := newFlagSet(&o, &raw)
	fmt.Fprint(w, `drainit: a PID 1 that turns a container stop into a lossless drain.

Usage: drainit [flags] [--backend 'COMMAND ARGS' ...] [--] COMMAND [ARG...]

On SIGTERM, SIGQUIT or SIGINT, drainit keeps COMMAND serving for --delay
while load balancers stop sending, then sends --stop-signal, waits up to
--timeout for every descendant to exit, and SIGKILLs what is left. Every
other signal is forwarded to COMMAND. It reaps zombies and exits with
COMMAND's status.

Backends start before COMMAND, in order, each once it is ready, and stop
after it, in reverse order, each once the one before has gone. A process
that exits by itself ends the run: the others stop, without the delay.

Flags:
`)
	fmt.Fprint(w, fs.FlagUsages())
	fmt.Fprint(w, `
Environment: each flag above with a variable is DRAINIT_ and its name in
capitals, '-' as '_': DRAINIT_DELAY, DRAINIT_QUIET, DRAINIT_MIN_DELAY,
DRAINIT_UNREADY_AT, DRAINIT_EVICT_KEEPALIVE, DRAINIT_TIMEOUT,
DRAINIT_STOP_SIGNAL, DRAINIT_PROCESS_GROUP, DRAINIT_METRICS_ADDRESS,
DRAINIT_METRICS_LINGER, DRAINIT_GRACE_PERIOD, DRAINIT_START_TIMEOUT;
DRAINIT_REWRITE, DRAINIT_UPSTREAM, DRAINIT_BACKEND_STOP_SIGNAL and
DRAINIT_BACKEND_READY are comma-separated, DRAINIT_BACKENDS ';'-separated.
A flag on the command line wins over its variable.

Examples:
  # nginx: serve until no request has come for 1 s (15 s at most), then a
  # graceful QUIT
  drainit --quiet 1s --delay 15s --timeout 20s --metrics-address :9101 \
    --upstream nginx=http://127.0.0.1:8081/stub_status \
    -- /docker-entrypoint.sh nginx -g 'daemon off;'

  # php-fpm behind nginx: serve until neither php-fpm nor the nginx in
  # front has had a request for 1 s; the upper bound outlasts nginx's
  drainit --quiet 1s --delay 20s --timeout 20s --metrics-address :9102 \
    --upstream php-fpm=127.0.0.1:9000/status \
    --upstream nginx=http://127.0.0.1:8081/stub_status \
    -- docker-php-entrypoint php-fpm -F

  # one container: php-fpm first, nginx once php-fpm answers; at the stop
  # nginx drains first and php-fpm stops only once nginx is gone
  drainit --quiet 1s --delay 15s --timeout 20s --backend 'php-fpm -F' \
    --upstream php-fpm=127.0.0.1:9000/status \
    --upstream nginx=http://127.0.0.1:8081/stub_status -- nginx -g 'daemon off;'

Exit status: COMMAND's, or 128+N if signal N killed it (a backend's, if
its exit ended the run); 126 if a command cannot be executed, 127 if it is
not found, 124 if a backend was not ready within --start-timeout, 2 for a
usage error.
`)
}
