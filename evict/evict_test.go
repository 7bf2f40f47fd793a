package evict

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrepareThenEvict(t *testing.T) {
	f := File{Path: filepath.Join(t.TempDir(), "run", "drainit", "keepalive.conf")}
	if err := f.Prepare(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Path)
	if !strings.HasPrefix(string(got), "#") {
		t.Fatalf("prepared: want a comment only, got %q", got)
	}
	if err := f.Evict(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(f.Path); string(got) != Directive {
		t.Fatalf("evicted: want %q, got %q", Directive, got)
	}
	if _, err := os.Stat(f.Path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left behind: %v", err)
	}
}

func TestPrepareReportsAnUnwritablePlace(t *testing.T) {
	f := File{Path: "/proc/drainit/keepalive.conf"}
	if err := f.Prepare(); err == nil || !strings.Contains(err.Error(), "--evict-keepalive") {
		t.Fatalf("want an error naming the flag, got %v", err)
	}
}
