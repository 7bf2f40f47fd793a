package preflight

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// GraceMargin is the least time the drain must leave before the kubelet's
// SIGKILL.
const GraceMargin = time.Second

// GracePeriod warns when delay + timeout + linger does not fit in the pod's
// terminationGracePeriodSeconds with GraceMargin to spare. A zero grace
// period means "not given" and is not checked. With --quiet the delay
// usually ends early, but --delay is still what it runs when traffic never
// stops or a status page cannot be read, so the upper bound is what must
// fit.
func GracePeriod(delay, timeout, linger, grace time.Duration, quiet bool) string {
	need := delay + timeout + linger + GraceMargin
	if grace <= 0 || need <= grace {
		return ""
	}
	what := "--delay"
	if quiet {
		what = "--delay (the upper bound of the --quiet delay)"
	}
	return fmt.Sprintf("%s %v + --timeout %v + --metrics-linger %v does not fit in the %v grace period with %v to spare: "+
		"the kubelet's SIGKILL will come first and end the drain unreported; "+
		"lower --timeout to at most %v or raise terminationGracePeriodSeconds to at least %v",
		what, delay, timeout, linger, grace, GraceMargin, max(grace-delay-linger-GraceMargin, 0), need.Round(time.Second))
}

// QuietWindow warns when the quiet window cannot end the delay early:
// the first reading comes after the trigger, and the window starts there.
func QuietWindow(quiet, delay time.Duration) string {
	if quiet <= 0 || quiet < delay {
		return ""
	}
	return fmt.Sprintf("--quiet %v is not shorter than --delay %v: the delay can never end early and always runs to its upper bound; "+
		"raise --delay or lower --quiet", quiet, delay)
}

// phpFPMCheckTimeout bounds `php-fpm -tt`, which runs before the child.
const phpFPMCheckTimeout = 5 * time.Second

var controlTimeoutLine = regexp.MustCompile(`process_control_timeout\s*=\s*(\d+)s?`)

// PHPFPMCommand returns the php-fpm binary and its arguments if command
// runs php-fpm, directly or through an entrypoint script such as
// docker-php-entrypoint: the first word whose base name starts with
// "php-fpm" and everything after it. A shell command string is not looked
// into.
func PHPFPMCommand(command []string) ([]string, bool) {
	for i, word := range command {
		if strings.HasPrefix(filepath.Base(word), "php-fpm") && !strings.ContainsAny(word, " \t") {
			return command[i:], true
		}
	}
	return nil, false
}

// PHPFPMConfig is what php-fpm says of its configuration.
type PHPFPMConfig struct {
	ControlTimeouts []string // process_control_timeout as resolved, once per section shown
	Listen          []string // every pool's listen address, as written
}

// ReadPHPFPM reads the configuration the way php-fpm does, with
// `php-fpm -tt` and the command's own flags, so -y, -c and includes all
// count.
func ReadPHPFPM(phpFPM []string) (PHPFPMConfig, error) {
	ctx, cancel := context.WithTimeout(context.Background(), phpFPMCheckTimeout)
	defer cancel()
	args := append(withoutForeground(phpFPM[1:]), "-tt")
	out, err := exec.CommandContext(ctx, phpFPM[0], args...).CombinedOutput()
	var cfg PHPFPMConfig
	for _, m := range controlTimeoutLine.FindAllSubmatch(out, -1) {
		cfg.ControlTimeouts = append(cfg.ControlTimeouts, string(m[1]))
	}
	for _, m := range listenLine.FindAllSubmatch(out, -1) {
		if l := string(m[1]); !slices.Contains(cfg.Listen, l) {
			cfg.Listen = append(cfg.Listen, l)
		}
	}
	if len(cfg.ControlTimeouts) == 0 && err != nil {
		return cfg, fmt.Errorf("`%s -tt`: %v", phpFPM[0], err)
	}
	return cfg, nil
}

var listenLine = regexp.MustCompile(`(?m)\slisten\s*=\s*(\S+)\s*$`)

// PHPFPMControlTimeout warns when php-fpm's effective
// process_control_timeout is 0, which makes QUIT behave like TERM: the
// master then kills its workers at once and in-flight requests die. cfg
// and err are ReadPHPFPM's; stopTimeout is drainit's --timeout, offered as
// the value to set.
func PHPFPMControlTimeout(cfg PHPFPMConfig, err error, stopTimeout time.Duration) string {
	if err != nil {
		return fmt.Sprintf("could not read php-fpm's configuration with %v; make sure process_control_timeout is set", err)
	}
	if !slices.Contains(cfg.ControlTimeouts, "0") {
		return ""
	}
	return fmt.Sprintf("php-fpm's process_control_timeout is 0: SIGQUIT will behave like SIGTERM and requests in flight will die; "+
		"set process_control_timeout = %ds in the [global] section of php-fpm.conf (at least your slowest request, at most drainit's --timeout)",
		int(stopTimeout.Seconds()))
}

// withoutForeground drops the flags that only matter to a running master.
func withoutForeground(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if a == "-F" || a == "--nodaemonize" || a == "-D" || a == "--daemonize" {
			continue
		}
		out = append(out, a)
	}
	return out
}
