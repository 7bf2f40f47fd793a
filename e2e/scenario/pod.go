package scenario

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drainit/drainit/internal/testkit"
)

// Container is one PID namespace: unshare, and in it the init (or the
// server) as PID 1.
type Container struct {
	Name     string
	cmd      *exec.Cmd
	log      testkit.SyncBuffer
	done     chan struct{}
	ExitedAt time.Time
	ExitCode int
}

func startContainer(name string, argv []string) (*Container, error) {
	c := &Container{Name: name, done: make(chan struct{})}
	full := append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	c.cmd = exec.Command(full[0], full[1:]...)
	c.cmd.Stdout, c.cmd.Stderr = &c.log, &c.log
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() {
		_ = c.cmd.Wait()
		c.ExitedAt = time.Now()
		c.ExitCode = c.cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	return c, nil
}

// PID1 is the host PID of the namespace's PID 1 (unshare's child).
func (c *Container) PID1() int {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		p := c.cmd.Process.Pid
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p, p))
		if err == nil {
			if f := strings.Fields(string(data)); len(f) > 0 {
				pid, _ := strconv.Atoi(f[0])
				return pid
			}
		}
		select {
		case <-c.done:
			return 0
		default:
		}
	}
	return 0
}

// Signal sends sig to the container's PID 1, as the runtime does.
func (c *Container) Signal(sig syscall.Signal) error {
	pid := c.PID1()
	if pid == 0 {
		return fmt.Errorf("%s: no PID 1", c.Name)
	}
	return syscall.Kill(pid, sig)
}

// Kill SIGKILLs PID 1, which ends the whole namespace, as the kubelet does
// when the grace period runs out.
func (c *Container) Kill() {
	if pid := c.PID1(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
}

// Done is closed when the container has exited.
func (c *Container) Done() <-chan struct{} { return c.done }

// Log is everything the container wrote.
func (c *Container) Log() string { return c.log.String() }

// Pod is the containers and where to reach them. With two containers,
// Nginx and FPM are each one's; with one, both are the same.
type Pod struct {
	Dir       string
	NginxPort int
	FPMPort   int
	Nginx     *Container
	FPM       *Container
}

// Containers lists each container once.
func (p *Pod) Containers() []*Container {
	if p.Nginx == p.FPM {
		return []*Container{p.Nginx}
	}
	return []*Container{p.Nginx, p.FPM}
}

// URL is the pod's address for path.
func (p *Pod) URL(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", p.NginxPort, path) }

func startPod(dir string, b Binaries, v Variant, controlTimeout time.Duration) (*Pod, error) {
	nginxPort, fpmPort, err := podFiles(dir, controlTimeout)
	if err != nil {
		return nil, err
	}
	p := &Pod{Dir: dir, NginxPort: nginxPort, FPMPort: fpmPort}
	fpm := []string{b.PHPFPM, "-F", "-R", "-y", dir + "/php-fpm.conf"}
	nginx := []string{b.Nginx, "-p", dir, "-c", dir + "/nginx.conf", "-g", "daemon off;"}
	if v.One != nil {
		argv, err := v.One(p, nginx, fpm)
		if err != nil {
			return nil, err
		}
		if p.Nginx, err = startContainer("one", argv); err != nil {
			return nil, err
		}
		p.FPM = p.Nginx
	} else {
		if p.FPM, err = startContainer("php-fpm", v.Wrap(p, "php-fpm", fpm)); err != nil {
			return nil, err
		}
		if p.Nginx, err = startContainer("nginx", v.Wrap(p, "nginx", nginx)); err != nil {
			p.FPM.Kill()
			return nil, err
		}
	}
	if err := p.waitServing(); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}

// waitServing waits until a request goes through nginx to php-fpm.
func (p *Pod) waitServing() error {
	client := &http.Client{Timeout: time.Second}
	var last error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := client.Get(p.URL("/?ms=0"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
	}
	return fmt.Errorf("the pod never served: %v\nnginx:\n%s\nphp-fpm:\n%s", last, p.Nginx.Log(), p.FPM.Log())
}

// Kill ends every container.
func (p *Pod) Kill() {
	for _, c := range p.Containers() {
		c.Kill()
	}
	for _, c := range p.Containers() {
		<-c.Done()
	}
}

// Children lists the PIDs whose parent is pid. It reads every thread's
// list: a multithreaded parent such as drainit forks from whichever thread
// runs the goroutine, and each thread lists only its own children.
func Children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, task := range tasks {
		data, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
