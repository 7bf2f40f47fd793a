package scenario

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// Binaries the scenario runs. The Debian paths are the defaults.
type Binaries struct {
	Drainit  string // built from this repository
	Tini     string
	DumbInit string
	Nginx    string
	PHPFPM   string
	// Supervisord is Debian's supervisor, the usual init of images that run
	// nginx and php-fpm in one container.
	Supervisord string
}

// DefaultBinaries are Debian's, with drainit at path.
func DefaultBinaries(drainit string) Binaries {
	return Binaries{Drainit: drainit, Tini: "/usr/bin/tini", DumbInit: "/usr/bin/dumb-init",
		Nginx: testkit.NginxBin, PHPFPM: testkit.PHPFPMBin, Supervisord: "/usr/bin/supervisord"}
}

// Load is what the load balancer sends.
type Load struct {
	Rate      int           // requests per second, constant
	Before    time.Duration // load before the stop
	Lag       time.Duration // new requests still routed to the pod after the stop
	FastMS    int           // most requests' duration
	SlowMS    int           // every SlowEvery-th request's duration
	SlowEvery int
	KeepAlive bool
	// Pinning sends the load through a kube-proxy-like TCP proxy (see
	// Pinning) for the whole run: new connections go to the old pod until
	// Lag after the stop, then to a server that stays; a connection keeps
	// its backend while it lives. The load runs until the pod has exited
	// and the lag is over.
	// Without it, the load goes to the pod itself and ends at Lag.
	Pinning bool
	// Slow client uploads, besides the rate: one every UploadEvery, each
	// a body of UploadBytes trickling in over UploadFor. None if zero.
	UploadEvery time.Duration
	UploadFor   time.Duration
	UploadBytes int
}

// DefaultLoad: 100 req/s, 2% of them slow (1.5 s), a 1.5 s propagation lag.
func DefaultLoad() Load {
	return Load{Rate: 100, Before: 2 * time.Second, Lag: 1500 * time.Millisecond,
		FastMS: 10, SlowMS: 1500, SlowEvery: 50}
}

// OneContainerLoad is DefaultLoad with a slow upload every 250 ms, each
// trickling 20 KB in over 2 s.
func OneContainerLoad() Load {
	l := DefaultLoad()
	l.UploadEvery, l.UploadFor, l.UploadBytes = 250*time.Millisecond, 2*time.Second, 20<<10
	return l
}

// podFiles writes the nginx and php-fpm configurations and the app into
// dir and returns the two ports.
func podFiles(dir string, processControlTimeout time.Duration) (nginxPort, fpmPort int, err error) {
	if nginxPort, err = FreePort(); err != nil {
		return 0, 0, err
	}
	if fpmPort, err = FreePort(); err != nil {
		return 0, 0, err
	}
	fpm := fmt.Sprintf(`[global]
pid = %[1]s/php-fpm.pid
error_log = /proc/self/fd/2
; longer than the slowest request, so SIGQUIT is graceful
process_control_timeout = %[3]ds
[app]
user = root
group = root
listen = 127.0.0.1:%[2]d
listen.backlog = 512
pm = static
pm.max_children = 24
pm.status_path = /status
`, dir, fpmPort, int(processControlTimeout.Seconds()))
	nginx := fmt.Sprintf(`user root;
worker_processes 2;
pid %[1]s/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  %[4]s
  include %[1]s/drainit/*.conf;
  keepalive_timeout 30s;
  server {
    listen 127.0.0.1:%[2]d backlog=512;
    location = /stub_status { stub_status; }
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME %[1]s/app.php;
      fastcgi_read_timeout 120s;
      fastcgi_pass 127.0.0.1:%[3]d;
    }
  }
}
`, dir, nginxPort, fpmPort, testkit.NginxTempPaths(dir))
	for name, content := range map[string]string{"app.php": testkit.SlowApp, "php-fpm.conf": fpm, "nginx.conf": nginx} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return 0, 0, err
		}
	}
	return nginxPort, fpmPort, os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
