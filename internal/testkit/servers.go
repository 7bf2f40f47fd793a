package testkit

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Need skips the test unless bin is installed. CI installs both, so there
// the skip never happens; it only spares a developer without them.
func Need(t testing.TB, bin string) {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("%s is not installed (make test installs it)", bin)
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Nginx is an nginx configuration in its own prefix directory.
type Nginx struct {
	Dir  string
	Port int
	// Argv runs it in the foreground: nginx -p DIR -c nginx.conf -g 'daemon off;'.
	Argv []string
}

// NewNginx writes a configuration that serves DIR/html on 127.0.0.1:Port,
// with stub_status at /stub_status and /slow/ rate-limited to 100 KB/s so a
// large file there stays in flight for seconds.
func NewNginx(t testing.TB) *Nginx { return newNginx(t, "") }

// NewNginxFor is NewNginx in front of fpm: /app passes to its SlowApp, the
// way nginx and php-fpm share one container.
func NewNginxFor(t testing.TB, fpm *PHPFPM) *Nginx {
	return newNginx(t, fmt.Sprintf(`location /app {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME %s/slow.php;
      fastcgi_read_timeout 120s;
      fastcgi_pass %s;
    }`, fpm.Dir, fpm.Address()))
}

func newNginx(t testing.TB, extra string) *Nginx {
	t.Helper()
	Need(t, NginxBin)
	n := &Nginx{Dir: t.TempDir(), Port: FreePort(t)}
	html := filepath.Join(n.Dir, "html")
	must(t, os.MkdirAll(filepath.Join(html, "slow"), 0o755))
	must(t, os.WriteFile(filepath.Join(html, "index.html"), []byte("hello from nginx\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(html, "slow", "big"), make([]byte, 300<<10), 0o644))
	conf := fmt.Sprintf(`user root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  %[3]s
  server {
    listen 127.0.0.1:%[2]d;
    root %[1]s/html;
    location = /stub_status { stub_status; }
    location /slow/ { limit_rate 100k; }
    %[4]s
  }
}
`, n.Dir, n.Port, NginxTempPaths(n.Dir), extra)
	must(t, os.WriteFile(filepath.Join(n.Dir, "nginx.conf"), []byte(conf), 0o644))
	n.Argv = []string{NginxBin, "-p", n.Dir, "-c", filepath.Join(n.Dir, "nginx.conf"), "-g", "daemon off;"}
	return n
}

// URL is http://127.0.0.1:Port plus path.
func (n *Nginx) URL(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(n.Port) + path
}

// PHPFPM is a php-fpm configuration with one static pool.
type PHPFPM struct {
	Dir  string
	Port int
	// Argv runs it in the foreground as root: php-fpm -F -R -y php-fpm.conf.
	Argv []string
}

// NewPHPFPM writes a configuration with a pool of 4 on 127.0.0.1:Port,
// pm.status_path /status, and controlTimeout as process_control_timeout,
// and SlowApp as DIR/slow.php.
func NewPHPFPM(t testing.TB, controlTimeout string) *PHPFPM {
	t.Helper()
	Need(t, PHPFPMBin)
	p := &PHPFPM{Dir: t.TempDir(), Port: FreePort(t)}
	conf := fmt.Sprintf(`[global]
pid = %[1]s/php-fpm.pid
error_log = /proc/self/fd/2
process_control_timeout = %[3]s
[www]
user = root
group = root
listen = 127.0.0.1:%[2]d
pm = static
pm.max_children = 4
pm.status_path = /status
catch_workers_output = yes
`, p.Dir, p.Port, controlTimeout)
	must(t, os.WriteFile(filepath.Join(p.Dir, "php-fpm.conf"), []byte(conf), 0o644))
	must(t, os.WriteFile(filepath.Join(p.Dir, "slow.php"), []byte(SlowApp), 0o644))
	p.Argv = []string{PHPFPMBin, "-F", "-R", "-y", filepath.Join(p.Dir, "php-fpm.conf")}
	return p
}

// Address is 127.0.0.1:Port.
func (p *PHPFPM) Address() string { return "127.0.0.1:" + strconv.Itoa(p.Port) }

// Start runs argv directly (not under drainit), in its own process group,
// until the test ends. Cleanup kills the whole group: php-fpm's workers
// outlive a killed master.
func Start(t testing.TB, argv []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd
}

// WaitListening waits until something accepts connections on 127.0.0.1:port.
func WaitListening(t testing.TB, port int) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
