package upstream

import (
	"strings"
	"testing"
)

func TestParseUpstreamSpecs(t *testing.T) {
	t.Parallel()
	good := map[string]struct {
		kind                   Kind
		network, address, path string
	}{
		"nginx=http://127.0.0.1:8080/stub_status": {kind: Nginx},
		"php-fpm=127.0.0.1:9000":                  {PHPFPM, "tcp", "127.0.0.1:9000", "/status"},
		"php-fpm=127.0.0.1:9000/fpm-status":       {PHPFPM, "tcp", "127.0.0.1:9000", "/fpm-status"},
		"php-fpm=[::1]:9000/s":                    {PHPFPM, "tcp", "[::1]:9000", "/s"},
		"php-fpm=unix:/run/php/fpm.sock":          {PHPFPM, "unix", "/run/php/fpm.sock", "/status"},
		"php-fpm=unix:/run/php/fpm.sock:/st":      {PHPFPM, "unix", "/run/php/fpm.sock", "/st"},
	}
	for spec, want := range good {
		src, err := Parse(spec)
		if err != nil || src.Kind != want.kind {
			t.Errorf("Parse(%q): want kind %s, got %v (err %v)", spec, want.kind, src, err)
			continue
		}
		if want.kind == PHPFPM {
			network, address, path, _ := splitFPMAddress(src.target)
			if network != want.network || address != want.address || path != want.path {
				t.Errorf("Parse(%q): want %s %s %s, got %s %s %s", spec, want.network, want.address, want.path, network, address, path)
			}
		}
	}
	bad := []string{"nginx", "nginx=", "apache=http://x/", "nginx=ftp://x/", "nginx=https://x/", "nginx=/stub_status",
		"php-fpm=127.0.0.1", "php-fpm=localhost:http", "php-fpm=unix:relative.sock", "php-fpm=unix:/s.sock:status"}
	for _, spec := range bad {
		if _, err := Parse(spec); err == nil || !strings.Contains(err.Error(), spec) {
			t.Errorf("Parse(%q): want an error naming the spec, got %v", spec, err)
		}
	}
}

func TestParseStubStatus(t *testing.T) {
	t.Parallel()
	page := "Active connections: 5 \nserver accepts handled requests\n 16 16 31 \nReading: 1 Writing: 3 Waiting: 1 \n"
	got, err := parseStubStatus(page)
	want := Status{Active: 5, Accepted: 16, InFlight: 3, Requests: 31} // reading + writing, minus this reading itself
	if err != nil || got != want {
		t.Fatalf("want %+v, got %+v (err %v)", want, got, err)
	}
	if _, err := parseStubStatus("<html>404</html>"); err == nil {
		t.Fatal("want an error for a page that is not stub_status")
	}
}

func TestParseFPMStatus(t *testing.T) {
	t.Parallel()
	body := `{"pool":"www","accepted conn":42,"listen queue":2,"idle processes":1,"active processes":3,"total processes":4}`
	got, err := parseFPMStatus([]byte(body))
	want := Status{Active: 3, Accepted: 42, ListenQueue: 2, InFlight: 2, Requests: 42}
	if err != nil || got != want {
		t.Fatalf("want %+v, got %+v (err %v)", want, got, err)
	}
	for _, bad := range []string{"pool: www", `{"pool":"www"}`, ""} {
		if _, err := parseFPMStatus([]byte(bad)); err == nil {
			t.Errorf("parseFPMStatus(%q): want an error", bad)
		}
	}
}

func TestParseCGIResponse(t *testing.T) {
	t.Parallel()
	body, err := parseCGIResponse([]byte("Content-type: application/json\r\n\r\n{\"a\":1}"))
	if err != nil || string(body) != `{"a":1}` {
		t.Fatalf("want the body, got %q (err %v)", body, err)
	}
	if _, err := parseCGIResponse([]byte("Status: 404 Not Found\r\nContent-type: text/plain\r\n\r\nFile not found.\n")); err == nil {
		t.Fatal("want an error for Status: 404")
	}
	if _, err := parseCGIResponse([]byte("Status: 200 OK\r\n\r\nok")); err != nil {
		t.Fatalf("Status: 200: want no error, got %v", err)
	}
}

// FuzzReadResponse feeds arbitrary bytes to the FastCGI record reader: it
// must return an error or a body, never panic or loop.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte{1, 6, 0, 1, 0, 2, 0, 0, 'o', 'k', 1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 6, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = readResponse(strings.NewReader(string(data)))
	})
}
