package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// One container with nginx in front of php-fpm, as the popular PHP images
// run it: under supervisord, or under drainit with php-fpm as a backend.

// supervisordConf is a supervisord.conf for both servers the way
// TrafeX/docker-php-nginx and its kin ship one: php-fpm at priority 5,
// nginx at 10 (supervisord stops in reverse priority order, waiting for
// each), autorestart off so a dead program stays dead, output to the
// container's log. stopsignal is added for the QUIT variants.
func supervisordConf(dir string, nginx, fpm []string, stopSignal string) string {
	program := func(name string, argv []string, priority int) string {
		extra := ""
		if stopSignal != "" {
			extra = "stopsignal=" + stopSignal + "\n"
		}
		return fmt.Sprintf(`[program:%s]
command=%s
priority=%d
autorestart=false
startsecs=0
stopwaitsecs=20
%sstdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
redirect_stderr=true
`, name, supervisorCommand(argv), priority, extra)
	}
	return fmt.Sprintf(`[supervisord]
nodaemon=true
user=root
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid

%[2]s
%[3]s`, dir, program("php-fpm", fpm, 5), program("nginx", nginx, 10))
}

// supervisorCommand quotes argv for supervisord's shlex-style command=.
func supervisorCommand(argv []string) string {
	quoted := make([]string, len(argv))
	for i, w := range argv {
		if strings.ContainsAny(w, ` ;'"\`) {
			w = `"` + strings.ReplaceAll(w, `"`, `\"`) + `"`
		}
		quoted[i] = w
	}
	return strings.Join(quoted, " ")
}

func supervisord(bin, name, stopSignal string, preStop time.Duration) Variant {
	return Variant{Name: name, PreStop: preStop, One: func(p *Pod, nginx, fpm []string) ([]string, error) {
		conf := filepath.Join(p.Dir, "supervisord.conf")
		if err := os.WriteFile(conf, []byte(supervisordConf(p.Dir, nginx, fpm, stopSignal)), 0o644); err != nil {
			return nil, err
		}
		return []string{bin, "-n", "-c", conf}, nil
	}}
}

// SupervisordTERM is supervisord as the popular images ship it: no
// stopsignal, so TERM, the fast shutdown of both nginx and php-fpm.
func SupervisordTERM(bin string) Variant { return supervisord(bin, "supervisord", "", 0) }

// SupervisordQUIT adds stopsignal=QUIT: graceful, in order, but at once.
func SupervisordQUIT(bin string) Variant {
	return supervisord(bin, "supervisord stopsignal=QUIT", "QUIT", 0)
}

// SupervisordSleep is SupervisordQUIT behind a preStop sleep: the fix that
// needs a hook plain Docker, Compose and ECS do not have.
func SupervisordSleep(bin string, sleep time.Duration) Variant {
	return supervisord(bin, fmt.Sprintf("preStop sleep %v + supervisord stopsignal=QUIT", sleep), "QUIT", sleep)
}

// DrainitOne is drainit as the container's init with php-fpm a backend,
// ready once its status page answers, and nginx the main command.
func DrainitOne(bin string, d Drainit) Variant {
	return Variant{Name: "drainit --backend", StopSignal: syscall.SIGQUIT, One: func(p *Pod, nginx, fpm []string) ([]string, error) {
		argv := []string{bin, "--delay", d.NginxDelay.String(), "--timeout", d.Timeout.String(),
			"--backend", shellQuote(fpm), "--upstream", fmt.Sprintf("php-fpm=127.0.0.1:%d/status", p.FPMPort)}
		argv = append(argv, d.Extra...)
		return append(append(argv, "--"), nginx...), nil
	}}
}

// shellQuote writes argv as one --backend value.
func shellQuote(argv []string) string {
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// OneContainerVariants is the comparison of issue 9: supervisord three
// ways and drainit, in one container each.
func OneContainerVariants(b Binaries, d Drainit) []Variant {
	return []Variant{SupervisordTERM(b.Supervisord), SupervisordQUIT(b.Supervisord),
		SupervisordSleep(b.Supervisord, OneContainerSleep), DrainitOne(b.Drainit, d)}
}

// OneContainerSleep is the preStop sleep in front of supervisord: the
// load balancer's lag plus the same margin drainit's delay has.
const OneContainerSleep = 2 * time.Second
