package upstream

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Kind names a server type; it is also the metrics' upstream label.
type Kind string

// The servers drainit can read.
const (
	Nginx  Kind = "nginx"
	PHPFPM Kind = "php-fpm"
)

// Status is one reading of a status page.
type Status struct {
	Active      float64 // nginx: active client connections; php-fpm: active (busy) processes
	Accepted    float64 // connections accepted since the server started
	ListenQueue float64 // php-fpm: connections waiting for a free process; nginx: always 0
	InFlight    int     // requests being served, not counting this reading's own
	// Requests counts requests since the server started (nginx) or
	// connections accepted (php-fpm), less drainit's own status reads.
	Requests float64
}

// Source is one configured upstream.
type Source struct {
	Kind   Kind
	target string // as given: the URL or the address, for messages
	read   func(ctx context.Context) (Status, error)

	mu    sync.Mutex // one reading at a time, so each counts its own
	reads float64    // readings so far, each one request to the server

	// peer: the server is not one of this drainit's processes, and
	// another drainit (its own) watches its page. Reading the page would
	// count as a request there, so a peer is only probed for whether it
	// still accepts connections (see Probe), and has no metrics here.
	peer             bool
	network, address string // where the page listens, for Probe
}

// MarkPeer makes s a peer: probed, not read, and not exported.
func (s *Source) MarkPeer() { s.peer = true }

// Peer reports whether s was marked a peer.
func (s *Source) Peer() bool { return s.peer }

// Probe connects to the status page's address and hangs up without a
// request. nginx counts that in accepts, not in requests, reading or
// writing, so the peer's own drainit sees no traffic. A nil error means
// the server still accepts connections: it has not quit.
func (s *Source) Probe(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, s.network, s.address)
	if err == nil {
		conn.Close()
	}
	return err
}

// Read fetches and parses the status page once. Readings are serialized:
// each one sees the server's counter with every earlier reading, and
// itself, counted, and takes them out of Requests.
func (s *Source) Read(ctx context.Context) (Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	st, err := s.read(ctx)
	if err == nil {
		st.Requests -= s.reads
	}
	return st, err
}

// Refused reports a reading that failed because nothing listens at the
// address any more: the server has quit, not slowed down.
func Refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}

// DefaultStatusPath is php-fpm's status path when none is given.
const DefaultStatusPath = "/status"

// Parse reads an --upstream value:
//
//	nginx=URL                  e.g. nginx=http://127.0.0.1:8080/stub_status
//	php-fpm=HOST:PORT[/PATH]   e.g. php-fpm=127.0.0.1:9000/status
//	php-fpm=unix:SOCKET[:PATH] e.g. php-fpm=unix:/run/php/php-fpm.sock:/status
//
// PATH is the pool's pm.status_path and defaults to /status.
func Parse(spec string) (*Source, error) {
	kind, target, ok := strings.Cut(spec, "=")
	if !ok || target == "" {
		return nil, fmt.Errorf("upstream %q: want nginx=URL or php-fpm=ADDRESS", spec)
	}
	switch Kind(kind) {
	case Nginx:
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("upstream %q: want an http:// URL of nginx's stub_status page", spec)
		}
		return &Source{Kind: Nginx, target: target, read: nginxReader(target), network: "tcp", address: hostPortOf(u)}, nil
	case PHPFPM:
		network, address, path, err := splitFPMAddress(target)
		if err != nil {
			return nil, fmt.Errorf("upstream %q: %w", spec, err)
		}
		return &Source{Kind: PHPFPM, target: target, read: fpmReader(network, address, path), network: network, address: address}, nil
	}
	return nil, fmt.Errorf("upstream %q: unknown kind %q (want nginx or php-fpm)", spec, kind)
}

func splitFPMAddress(target string) (network, address, path string, err error) {
	if rest, ok := strings.CutPrefix(target, "unix:"); ok {
		socket, p, found := strings.Cut(rest, ":")
		if !found {
			p = DefaultStatusPath
		}
		if !strings.HasPrefix(socket, "/") || !strings.HasPrefix(p, "/") {
			return "", "", "", fmt.Errorf("want unix:/absolute/socket[:/status-path]")
		}
		return "unix", socket, p, nil
	}
	hostPort, p, found := strings.Cut(target, "/")
	p = "/" + p
	if !found {
		p = DefaultStatusPath
	}
	if _, port, err := net.SplitHostPort(hostPort); err != nil || !isNumber(port) {
		return "", "", "", fmt.Errorf("want HOST:PORT[/status-path]")
	}
	return "tcp", hostPort, p, nil
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// nginxReader reads stub_status with one plain-HTTP request on one
// connection, using net/http's own request writer and response parser.
// It leaves out http.Client on purpose: its Transport would link TLS and
// x509 into drainit, about a megabyte, for a page that is always local.
func nginxReader(statusURL string) func(context.Context) (Status, error) {
	return func(ctx context.Context) (Status, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, statusURL, nil)
		if err != nil {
			return Status{}, err
		}
		req.Close = true
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", hostPortOf(req.URL))
		if err != nil {
			return Status{}, err
		}
		defer conn.Close()
		if deadline, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(deadline)
		}
		if err := req.Write(conn); err != nil {
			return Status{}, err
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		if err != nil {
			return Status{}, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return Status{}, fmt.Errorf("nginx status page: %s", resp.Status)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return Status{}, err
		}
		return parseStubStatus(string(body))
	}
}

func hostPortOf(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// parseStubStatus reads nginx's stub_status page:
//
//	Active connections: 2
//	server accepts handled requests
//	 16 16 31
//	Reading: 0 Writing: 1 Waiting: 1
func parseStubStatus(page string) (Status, error) {
	var active, accepts, handled, requests, reading, writing, waiting int
	_, err := fmt.Sscanf(strings.TrimSpace(page),
		"Active connections: %d\nserver accepts handled requests\n %d %d %d\nReading: %d Writing: %d Waiting: %d",
		&active, &accepts, &handled, &requests, &reading, &writing, &waiting)
	if err != nil {
		return Status{}, fmt.Errorf("nginx status page: unexpected format: %w", err)
	}
	// This reading is itself one request in the Writing state.
	return Status{Active: float64(active), Accepted: float64(accepts), InFlight: max(reading+writing-1, 0), Requests: float64(requests)}, nil
}

func fpmReader(network, address, path string) func(context.Context) (Status, error) {
	return func(ctx context.Context) (Status, error) {
		body, err := fastcgiGet(ctx, network, address, path, "json")
		if err != nil {
			return Status{}, err
		}
		return parseFPMStatus(body)
	}
}

// parseFPMStatus reads php-fpm's status page in its JSON form.
func parseFPMStatus(body []byte) (Status, error) {
	var page struct {
		Accepted    *float64 `json:"accepted conn"`
		ListenQueue float64  `json:"listen queue"`
		Active      float64  `json:"active processes"`
	}
	if err := json.Unmarshal(body, &page); err != nil || page.Accepted == nil {
		return Status{}, fmt.Errorf("php-fpm status page: unexpected format (is pm.status_path right?)")
	}
	// This reading is itself served by one active process.
	return Status{Active: page.Active, Accepted: *page.Accepted, ListenQueue: page.ListenQueue,
		InFlight: max(int(page.Active)-1, 0), Requests: *page.Accepted}, nil
}
