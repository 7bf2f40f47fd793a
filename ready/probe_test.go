package ready

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
)

func TestDialIsReadyOnceTheAddressAccepts(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := Dial(addr).Try(context.Background()); err != nil {
		t.Fatalf("listening: want ready, got %v", err)
	}
	l.Close()
	if err := Dial(addr).Try(context.Background()); err == nil {
		t.Fatal("closed: want not ready")
	}
	sock := filepath.Join(t.TempDir(), "s.sock")
	u, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := Dial("unix:" + sock).Try(context.Background()); err != nil {
		t.Fatalf("unix socket: want ready, got %v", err)
	}
}

func TestWaitTriesUntilReadyOrTheContextEnds(t *testing.T) {
	t.Parallel()
	tries := 0
	p := Func{Name: "third time", Fn: func(context.Context) error {
		if tries++; tries < 3 {
			return errors.New("not yet")
		}
		return nil
	}}
	if err := Wait(context.Background(), p); err != nil || tries != 3 {
		t.Fatalf("want ready on the third try, got %v after %d", err, tries)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*PollInterval)
	defer cancel()
	never := Func{Name: "never", Fn: func(context.Context) error { return errors.New("not yet") }}
	if err := Wait(ctx, never); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline, got %v", err)
	}
	if got := (All{Dial("a:1"), never}).String(); got != "connect a:1 and never" {
		t.Fatalf("All.String: got %q", got)
	}
}

func TestListenAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"9000": "127.0.0.1:9000", "127.0.0.1:9000": "127.0.0.1:9000", "0.0.0.0:9000": "127.0.0.1:9000",
		"[::]:9000": "[::1]:9000", "/run/php/fpm.sock": "unix:/run/php/fpm.sock", "10.0.0.5:9001": "10.0.0.5:9001",
	} {
		if got := ListenAddress(in); got != want {
			t.Errorf("ListenAddress(%q): want %q, got %q", in, want, got)
		}
	}
}
