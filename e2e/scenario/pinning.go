package scenario

import (
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Pinning is a kube-proxy-like load balancer in front of the pod: a TCP
// proxy that picks a backend once per client connection and keeps the
// connection there. Until the lag after the stop is over, new connections
// go to the old pod; after it, to the new endpoints (a server that stays).
// A connection made before that stays pinned to the old pod for as long
// as both ends keep it open, as kube-proxy's conntrack entries do.
type Pinning struct {
	ln       net.Listener
	old, new string // backend addresses
	switchAt atomic.Pointer[time.Time]
	newSrv   *http.Server
	wg       sync.WaitGroup
}

// startPinning listens on a loopback port in front of the pod at old, and
// starts the new endpoint: a plain server that answers every request 200.
func startPinning(old string) (*Pinning, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	newLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return nil, err
	}
	p := &Pinning{ln: ln, old: old, new: newLn.Addr().String(),
		newSrv: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "new\n") })}}
	go p.newSrv.Serve(newLn)
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is where clients connect.
func (p *Pinning) Addr() string { return p.ln.Addr().String() }

// SwitchAt makes new connections from t on go to the new endpoints.
func (p *Pinning) SwitchAt(t time.Time) { p.switchAt.Store(&t) }

func (p *Pinning) backend() string {
	if t := p.switchAt.Load(); t != nil && !time.Now().Before(*t) {
		return p.new
	}
	return p.old
}

func (p *Pinning) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c.(*net.TCPConn))
	}
}

// pipe joins a client to its backend until either side is done. A backend
// that refuses is passed on as a reset, as an iptables rule to a dead
// endpoint would.
func (p *Pinning) pipe(client *net.TCPConn) {
	defer client.Close()
	conn, err := net.Dial("tcp", p.backend())
	if err != nil {
		_ = client.SetLinger(0)
		return
	}
	server := conn.(*net.TCPConn)
	defer server.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); _ = server.CloseWrite(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); _ = client.CloseWrite(); done <- struct{}{} }()
	<-done
	<-done
}

// Close stops accepting and ends the new endpoint. Connections still open
// end when their ends close them.
func (p *Pinning) Close() {
	p.ln.Close()
	p.wg.Wait()
	p.newSrv.Close()
}
