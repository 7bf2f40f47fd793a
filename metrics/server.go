package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics, /healthz (200 while drainit runs) and /readyz
// (200 until a drain is triggered, then 503, so that a readiness probe or
// a health-checking load balancer takes the pod out at once).
// afterScrape, if not nil, runs after each /metrics response is written.
//
// Responses are never gzipped: the page is about 10 kB, read over the
// pod network or loopback, and a compressor costs more memory than the
// rest of a scrape.
func (m *Metrics) Handler(afterScrape func()) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", afterEach(promhttp.HandlerFor(m.Gatherer(), promhttp.HandlerOpts{Registry: m.Registry, DisableCompression: true}), afterScrape))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !m.Ready() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// afterEach runs then after each request h has served.
func afterEach(h http.Handler, then func()) http.Handler {
	if then == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		then()
	})
}

// Server is the metrics endpoint, bound before the child starts so that a
// busy address is a usage error rather than a surprise mid-run.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen binds addr. It does not serve yet.
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Server{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// Addr is the bound address, with the real port when addr asked for :0.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves in the background until Shutdown. If serving fails, the
// endpoint is gone but the drain goes on: log says so.
func (s *Server) Serve(log *slog.Logger) {
	go func() {
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", "err", err)
		}
	}()
}

// Shutdown lets scrapes in progress finish, for at most wait.
func (s *Server) Shutdown(wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}
