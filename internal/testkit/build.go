package testkit

import (
	"fmt"
	"os"
	"os/exec"
)

// BuildDrainit builds the drainit in moduleDir to out, the way it ships:
// static, trimmed and stripped.
func BuildDrainit(moduleDir, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building drainit: %v\n%s", err, b)
	}
	return nil
}
