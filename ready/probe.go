package ready

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"
)

// PollInterval is the pause between two tries of a probe.
const PollInterval = 20 * time.Millisecond

// Probe is one way to tell that a backend is ready.
type Probe interface {
	// Try succeeds once the backend is ready.
	Try(ctx context.Context) error
	// String says what is probed, for logs.
	String() string
}

// All is ready when every one of its probes is.
type All []Probe

// Try implements Probe.
func (a All) Try(ctx context.Context) error {
	for _, p := range a {
		if err := p.Try(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (a All) String() string {
	parts := make([]string, len(a))
	for i, p := range a {
		parts[i] = p.String()
	}
	return strings.Join(parts, " and ")
}

// Dial is ready when address accepts a connection: host:port, or
// unix:/path for a Unix socket.
type Dial string

// Try implements Probe.
func (d Dial) Try(ctx context.Context) error {
	network, address := "tcp", string(d)
	if path, ok := strings.CutPrefix(address, "unix:"); ok {
		network, address = "unix", path
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, network, address)
	if err != nil {
		return err
	}
	return conn.Close()
}

func (d Dial) String() string { return "connect " + string(d) }

// Func is ready when its function succeeds, such as a status page read.
type Func struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Try implements Probe.
func (f Func) Try(ctx context.Context) error { return f.Fn(ctx) }

func (f Func) String() string { return f.Name }

// Wait tries p every PollInterval until it succeeds, or ctx ends.
func Wait(ctx context.Context, p Probe) error {
	ticker := time.NewTicker(PollInterval)
	defer ticker.Stop()
	for {
		try, cancel := context.WithTimeout(ctx, time.Second)
		err := p.Try(try)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-ticker.C:
		}
	}
}

// ListenAddress turns a php-fpm listen value into an address Dial can
// try: "9000" and "[::]:9000" mean every interface, which 127.0.0.1
// reaches; "/run/php/fpm.sock" is a Unix socket.
func ListenAddress(listen string) string {
	switch {
	case strings.HasPrefix(listen, "/"):
		return "unix:" + listen
	case !strings.Contains(listen, ":"):
		return net.JoinHostPort("127.0.0.1", listen)
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	switch host {
	case "", "*", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
