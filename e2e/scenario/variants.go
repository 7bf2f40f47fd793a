package scenario

import (
	"fmt"
	"syscall"
	"time"
)

// Variant is one way of running the pod: two containers, each server in
// its own, or one container with both.
type Variant struct {
	Name string
	// Wrap turns a server's command line into its container's: the init
	// and its flags in front, or nothing.
	Wrap func(p *Pod, container string, server []string) []string
	// One, set instead of Wrap, runs both servers in one container and
	// returns its command line; it may write configuration into p.Dir.
	One func(p *Pod, nginx, fpm []string) ([]string, error)
	// PreStop, when set, is a preStop sleep of this long before the stop
	// signal.
	PreStop time.Duration
	// StopSignal is what the runtime sends each container at the stop:
	// the image's STOPSIGNAL. SIGTERM if unset.
	StopSignal syscall.Signal
}

// Drainit holds drainit's flags per container. php-fpm's delay must
// outlast nginx's: after QUIT php-fpm still accepts but never serves.
type Drainit struct {
	NginxDelay, FPMDelay, Timeout time.Duration
	Extra                         []string // more flags for both containers
	// Quiet, if set, makes both delays adaptive (--quiet), with NginxDelay
	// and FPMDelay their upper bounds: nginx's drainit reads nginx's page,
	// php-fpm's reads php-fpm's and nginx's.
	Quiet time.Duration
	// Evict has nginx's drainit tell keep-alive clients to reconnect at
	// the trigger (--evict-keepalive into the pod's drainit/ include).
	Evict bool
}

// AdaptiveDrainit is the images' adaptive drain, with longer upper bounds
// (theirs are 15 s and 20 s): the delay ends once traffic has been quiet
// for 1 s, and after 20 s (nginx) and 25 s (php-fpm) at most.
func AdaptiveDrainit(evict bool) Drainit {
	return Drainit{NginxDelay: 20 * time.Second, FPMDelay: 25 * time.Second, Timeout: 20 * time.Second,
		Quiet: time.Second, Evict: evict}
}

// flags are the container's drainit flags in pod p.
func (d Drainit) flags(p *Pod, container string) []string {
	delay := d.NginxDelay
	if container == "php-fpm" {
		delay = d.FPMDelay
	}
	argv := []string{"--delay", delay.String(), "--timeout", d.Timeout.String()}
	if d.Quiet > 0 {
		argv = append(argv, "--quiet", d.Quiet.String(), "--upstream", "nginx="+p.URL("/stub_status"))
		if container == "php-fpm" {
			argv = append(argv, "--upstream", fmt.Sprintf("php-fpm=127.0.0.1:%d/status", p.FPMPort))
		}
	}
	if d.Evict && container == "nginx" {
		argv = append(argv, "--evict-keepalive", p.Dir+"/drainit/keepalive.conf")
	}
	return append(argv, d.Extra...)
}

// DefaultDrainit fits DefaultLoad: nginx waits out the 1.5 s lag with
// margin, php-fpm a second longer, and 20 s bounds the slowest request.
func DefaultDrainit() Drainit {
	return Drainit{NginxDelay: 2 * time.Second, FPMDelay: 3 * time.Second, Timeout: 20 * time.Second}
}

// NoInit runs the server as PID 1.
func NoInit() Variant {
	return Variant{Name: "no init", Wrap: func(_ *Pod, _ string, server []string) []string { return server }}
}

// Tini forwards SIGTERM as it is.
func Tini(bin string) Variant {
	return Variant{Name: "tini", Wrap: func(_ *Pod, _ string, server []string) []string {
		return append([]string{bin, "--"}, server...)
	}}
}

// DumbInit rewrites SIGTERM to SIGQUIT: graceful, but at once.
func DumbInit(bin string) Variant {
	return Variant{Name: "dumb-init --rewrite 15:3", Wrap: func(_ *Pod, _ string, server []string) []string {
		return append([]string{bin, "--rewrite", "15:3"}, server...)
	}}
}

// PreStopSleep is the hand-made fix: STOPSIGNAL SIGQUIT and a preStop sleep,
// with no deadline but the grace period.
func PreStopSleep(sleep time.Duration) Variant {
	return Variant{Name: fmt.Sprintf("preStop sleep %v + QUIT", sleep), PreStop: sleep, StopSignal: syscall.SIGQUIT,
		Wrap: func(_ *Pod, _ string, server []string) []string { return server }}
}

// DrainitVariant runs each container under drainit with its own delay.
func DrainitVariant(bin string, d Drainit) Variant {
	return Variant{Name: "drainit", Wrap: func(p *Pod, container string, server []string) []string {
		argv := append([]string{bin}, d.flags(p, container)...)
		return append(append(argv, "--"), server...)
	}}
}

// AllVariants is the comparison the bench and the demo run.
func AllVariants(b Binaries, d Drainit) []Variant {
	return []Variant{NoInit(), Tini(b.Tini), DumbInit(b.DumbInit), PreStopSleep(d.NginxDelay), DrainitVariant(b.Drainit, d)}
}
