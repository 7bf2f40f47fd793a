package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/drainit/drainit/drain"
	"github.com/drainit/drainit/evict"
	"github.com/drainit/drainit/pages"
	"github.com/drainit/drainit/preflight"
	"github.com/drainit/drainit/process"
	"github.com/drainit/drainit/ready"
	"github.com/drainit/drainit/upstream"
)

// member is one process drainit starts, as the world knows it.
type member struct {
	name       string
	path       string // resolved by process.Lookup before anything starts
	argv       []string
	stopSignal syscall.Signal
	group      bool        // signals go to its whole process group (--process-group)
	probe      ready.Probe // nil: the next member starts at once
	child      *process.Child
}

// members lists the backends in start order, then COMMAND. Every command
// is looked up first, so that a typo fails before anything starts.
func members(opts *options) ([]*member, error) {
	var out []*member
	for _, b := range opts.backends {
		out = append(out, &member{name: b.name, argv: b.argv, stopSignal: b.stopSignal})
	}
	out = append(out, &member{name: filepath.Base(opts.command[0]), argv: opts.command,
		stopSignal: opts.stopSignal, group: opts.processGroup})
	for _, m := range out {
		path, err := process.Lookup(m.argv[0])
		if err != nil {
			return nil, err
		}
		m.path = path
	}
	return out, nil
}

// checkPHPFPM warns about each php-fpm member's configuration and returns
// the listen addresses of each, by member name, for readiness.
func checkPHPFPM(log *slog.Logger, ms []*member, stopTimeout time.Duration) map[string][]string {
	listen := map[string][]string{}
	for _, m := range ms {
		fpm, ok := preflight.PHPFPMCommand(m.argv)
		if !ok {
			continue
		}
		cfg, err := preflight.ReadPHPFPM(fpm)
		if w := preflight.PHPFPMControlTimeout(cfg, err, stopTimeout); w != "" {
			log.Warn(w, "process", m.name)
		}
		listen[m.name] = cfg.Listen
	}
	return listen
}

// assignProbes says how drainit tells that each backend is ready: its
// --backend-ready address; else the status page of an --upstream of its
// kind (a backend named php-fpm* reads a php-fpm upstream); else, for
// php-fpm, every pool's listen address. A backend with none of these is
// taken as ready once started. COMMAND, started last, needs no probe.
func assignProbes(ms []*member, opts *options, listen map[string][]string) {
	for i, b := range opts.backends {
		m := ms[i]
		switch {
		case b.readyAt != "":
			m.probe = ready.Dial(b.readyAt)
		case upstreamFor(b.name, opts.upstreams) != nil:
			src := upstreamFor(b.name, opts.upstreams)
			m.probe = ready.Func{Name: "status page of " + string(src.Kind), Fn: func(ctx context.Context) error {
				_, err := src.Read(ctx)
				return err
			}}
		case len(listen[b.name]) > 0:
			var all ready.All
			for _, l := range listen[b.name] {
				all = append(all, ready.Dial(ready.ListenAddress(l)))
			}
			m.probe = all
		}
	}
}

func upstreamFor(name string, sources []*upstream.Source) *upstream.Source {
	for _, src := range sources {
		if strings.HasPrefix(name, string(src.Kind)) {
			return src
		}
	}
	return nil
}

// startupSettled is how long after the last member's start its pages go
// back: start-up is long over by then, and a run that ends sooner (a
// one-off command) would only pay to fault its exit path back in.
const startupSettled = time.Second

// world is drain.Process for real: the members as operating-system
// processes, the one reaper, and the readiness watchers.
type world struct {
	members      []*member
	startTimeout time.Duration
	exits        chan []process.Exit
	ready        chan int
	reaper       sync.Once
}

func newWorld(ms []*member, startTimeout time.Duration) *world {
	return &world{members: ms, startTimeout: startTimeout,
		exits: make(chan []process.Exit, 16), ready: make(chan int, len(ms))}
}

func (w *world) config() []drain.Member {
	out := make([]drain.Member, len(w.members))
	for i, m := range w.members {
		out[i] = drain.Member{Name: m.name, StopSignal: m.stopSignal, AwaitReady: m.probe != nil}
	}
	return out
}

// Start starts member i; the first start also starts the reaper, which
// would otherwise find no child and end at once.
func (w *world) Start(i int) (int, error) {
	m := w.members[i]
	c, err := process.Start(m.path, m.argv, m.group)
	if err != nil {
		return 0, err
	}
	m.child = c
	w.reaper.Do(func() { go process.Reap(w.exits) })
	if i == len(w.members)-1 {
		// What start-up paged in of the binary goes back (package
		// pages), once the run has lasted long enough to be worth it.
		time.AfterFunc(startupSettled, func() { _, _ = pages.Release() })
	}
	return c.PID, nil
}

// reloadWait bounds the wait for nginx's new workers after the eviction's
// SIGHUP: a reload takes milliseconds; one that failed starts none.
const reloadWait = 3 * time.Second

// evictAndWatchReload is the machine's Evict: it writes the include, and
// watches for the main command's new workers, which a successful reload
// starts and a failed one (a configuration error) does not.
func (w *world) evictAndWatchReload(f evict.File, log *slog.Logger) func() error {
	return func() error {
		pid := w.members[len(w.members)-1].child.PID
		before := map[int]bool{}
		for _, p := range process.Descendants(pid) {
			before[p] = true
		}
		if err := f.Evict(); err != nil {
			return err
		}
		go func() {
			for deadline := time.Now().Add(reloadWait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				for _, p := range process.Descendants(pid) {
					if !before[p] {
						log.Info("reloaded: every response now closes its keep-alive connection", "file", f.Path)
						return
					}
				}
			}
			log.Warn("no new workers after SIGHUP: the reload failed (see nginx's error log); keep-alive clients stay, the drain goes on", "waited", reloadWait.String())
		}()
		return nil
	}
}

// AwaitReady polls member i's probe, within the start timeout, and says
// when it succeeds. The machine gives up on its own at the timeout.
func (w *world) AwaitReady(i int) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), w.startTimeout)
		defer cancel()
		if ready.Wait(ctx, w.members[i].probe) == nil {
			w.ready <- i
		}
	}()
}

func (w *world) Signal(i int, sig syscall.Signal) error { return w.members[i].child.Signal(sig) }

func (w *world) SignalGroup(i int, sig syscall.Signal) (int, error) {
	return process.SignalGroup(w.members[i].child.PID, sig)
}

func (w *world) GroupGone(i int) bool { return process.GroupGone(w.members[i].child.PID) }

func (w *world) SignalAll(sig syscall.Signal) (int, error) {
	var groups []int
	for _, m := range w.members {
		if m.child != nil {
			groups = append(groups, m.child.PID)
		}
	}
	return process.SignalAll(sig, groups)
}

// markPeers marks each upstream whose server none of the members runs (no
// word of any command line is named after its kind, as nginx* or
// php-fpm*): the nginx in front of php-fpm, in a container of its own with
// its own drainit. Reading that page would be a request its drainit
// counts, so a peer is only probed for whether it still accepts.
func markPeers(ms []*member, sources []*upstream.Source) {
	for _, src := range sources {
		runs := false
		for _, m := range ms {
			for _, word := range m.argv {
				if strings.HasPrefix(filepath.Base(word), string(src.Kind)) {
					runs = true
				}
			}
		}
		if !runs {
			src.MarkPeer()
		}
	}
}
