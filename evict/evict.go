package evict

import (
	"fmt"
	"os"
	"path/filepath"
)

// Directive is what Evict writes.
const Directive = "keepalive_requests 1;\n"

const neutral = "# drainit --evict-keepalive: keep-alive as configured; at the drain's trigger this becomes " + Directive

// File is the include drainit owns.
type File struct{ Path string }

// Prepare writes the file's neutral content, creating its directory, so
// that nginx finds the include when it starts and a restarted container
// does not inherit a previous drain's eviction.
func (f File) Prepare() error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return fmt.Errorf("--evict-keepalive: %w", err)
	}
	return f.write(neutral)
}

// Evict writes the directive. The caller then reloads nginx.
func (f File) Evict() error { return f.write(Directive) }

// write replaces the file at once (a rename), so nginx never reads half
// of it.
func (f File) write(content string) error {
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("--evict-keepalive: %w", err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("--evict-keepalive: %w", err)
	}
	return nil
}
