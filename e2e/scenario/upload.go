package scenario

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Slow client uploads: a POST whose body trickles in. nginx buffers the
// whole body before it opens its FastCGI request, so the request reaches
// php-fpm only when the upload is done: a php-fpm stopped before then
// fails it, however long nginx itself waits.

// uploads starts one upload every l.UploadEvery for l.Before+l.Lag, each
// trickling l.UploadBytes over l.UploadFor, and sends each outcome on the
// channel it returns, closed once all are done.
func uploads(pod *Pod, l Load) <-chan Request {
	out := make(chan Request, 64)
	if l.UploadEvery <= 0 {
		close(out)
		return out
	}
	var wg sync.WaitGroup
	end := time.Now().Add(l.Before + l.Lag)
	go func() {
		ticker := time.NewTicker(l.UploadEvery)
		defer ticker.Stop()
		for now := time.Now(); now.Before(end); now = <-ticker.C {
			wg.Go(func() { out <- upload(pod, l, now) })
		}
		wg.Wait()
		close(out)
	}()
	return out
}

// upload sends one POST, its body in ten pieces over l.UploadFor.
func upload(pod *Pod, l Load, sent time.Time) Request {
	req := Request{Sent: sent, Upload: true}
	done := func(err error) Request {
		req.Latency = time.Since(sent)
		if err != nil {
			req.Err = err.Error()
		}
		return req
	}
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", pod.NginxPort), 5*time.Second)
	if err != nil {
		return done(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(l.UploadFor + time.Minute))
	if _, err := fmt.Fprintf(conn, "POST /?ms=%d HTTP/1.1\r\nHost: pod\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		l.FastMS, l.UploadBytes); err != nil {
		return done(err)
	}
	piece := make([]byte, l.UploadBytes/10)
	for i := range 10 {
		time.Sleep(l.UploadFor / 10)
		if i == 9 {
			piece = make([]byte, l.UploadBytes-9*len(piece))
		}
		if _, err := conn.Write(piece); err != nil {
			return done(err)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return done(err)
	}
	resp.Body.Close()
	req.Code = resp.StatusCode
	return done(nil)
}
