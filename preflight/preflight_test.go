package preflight

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

func TestGracePeriod(t *testing.T) {
	t.Parallel()
	s := time.Second
	cases := []struct {
		delay, timeout, linger, grace time.Duration
		warn                          bool
	}{
		{5 * s, 20 * s, 0, 30 * s, false},    // the defaults fit
		{5 * s, 24 * s, 0, 30 * s, false},    // exactly 1 s to spare
		{5 * s, 25 * s, 0, 30 * s, true},     // no margin
		{5 * s, 20 * s, 5 * s, 30 * s, true}, // the linger counts too
		{10 * s, 30 * s, 0, 30 * s, true},
		{5 * s, 60 * s, 0, 0, false}, // not given
	}
	for _, c := range cases {
		got := GracePeriod(c.delay, c.timeout, c.linger, c.grace, false)
		if (got != "") != c.warn {
			t.Errorf("GracePeriod(%v, %v, %v, %v): want warning %v, got %q", c.delay, c.timeout, c.linger, c.grace, c.warn, got)
		}
		if c.warn && (!strings.Contains(got, "SIGKILL") || strings.Contains(got, "\n")) {
			t.Errorf("want one line naming the kubelet's SIGKILL, got %q", got)
		}
	}
}

// With --quiet the delay's upper bound still has to fit, and the line
// says that it is the upper bound.
func TestGracePeriodCountsTheQuietDelaysUpperBound(t *testing.T) {
	t.Parallel()
	got := GracePeriod(15*time.Second, 20*time.Second, 0, 30*time.Second, true)
	if !strings.Contains(got, "upper bound") || !strings.Contains(got, "at least 36s") {
		t.Fatalf("want the upper bound named and 36s asked for, got %q", got)
	}
	if got := GracePeriod(15*time.Second, 20*time.Second, 0, 40*time.Second, true); got != "" {
		t.Fatalf("15s + 20s + 1s fits in 40s, got %q", got)
	}
}

func TestQuietWindow(t *testing.T) {
	t.Parallel()
	s := time.Second
	for _, c := range []struct {
		quiet, delay time.Duration
		warn         bool
	}{{0, 5 * s, false}, {s, 20 * s, false}, {5 * s, 5 * s, true}, {10 * s, 5 * s, true}} {
		if got := QuietWindow(c.quiet, c.delay); (got != "") != c.warn {
			t.Errorf("QuietWindow(%v, %v): want warning %v, got %q", c.quiet, c.delay, c.warn, got)
		}
	}
}

func TestPHPFPMCommandFindsPHPFPMBehindAnEntrypoint(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"php-fpm -F":                            {"php-fpm", "-F"},
		"/usr/sbin/php-fpm8.2 -F -R":            {"/usr/sbin/php-fpm8.2", "-F", "-R"},
		"docker-php-entrypoint php-fpm -F":      {"php-fpm", "-F"},
		"/docker-entrypoint.sh nginx -g daemon": nil,
	}
	for cmd, want := range cases {
		got, ok := PHPFPMCommand(strings.Fields(cmd))
		if ok != (want != nil) || !slices.Equal(got, want) {
			t.Errorf("PHPFPMCommand(%q): want %v, got %v", cmd, want, got)
		}
	}
	// A shell string is not looked into.
	if got, ok := PHPFPMCommand([]string{"sh", "-c", "php-fpm -F"}); ok {
		t.Errorf("PHPFPMCommand(sh -c \"php-fpm -F\"): want no match, got %v", got)
	}
}

func TestPHPFPMControlTimeoutReadsTheRealConfig(t *testing.T) {
	t.Parallel()
	zero := testkit.NewPHPFPM(t, "0")
	cfg, err := ReadPHPFPM(zero.Argv)
	w := PHPFPMControlTimeout(cfg, err, 20*time.Second)
	if !strings.Contains(w, "process_control_timeout is 0") || !strings.Contains(w, "process_control_timeout = 20s") {
		t.Fatalf("process_control_timeout 0: want a warning naming the setting and 20s, got %q", w)
	}
	if !slices.Equal(cfg.Listen, []string{zero.Address()}) {
		t.Fatalf("listen: want [%s], got %v", zero.Address(), cfg.Listen)
	}
	set := testkit.NewPHPFPM(t, "15s")
	if cfg, err := ReadPHPFPM(set.Argv); PHPFPMControlTimeout(cfg, err, 20*time.Second) != "" {
		t.Fatalf("process_control_timeout 15s: want no warning, got %q", PHPFPMControlTimeout(cfg, err, 20*time.Second))
	}
	broken := append(slices.Clone(set.Argv[:len(set.Argv)-1]), "/no/such/php-fpm.conf")
	if cfg, err := ReadPHPFPM(broken); !strings.Contains(PHPFPMControlTimeout(cfg, err, 20*time.Second), "could not read") {
		t.Fatalf("unreadable config: want a could-not-read warning, got %v", err)
	}
}
