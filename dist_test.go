//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests hold `make dist` (scripts/dist.sh) to its promises: the same
// source gives the same bytes, and a binary built for another architecture
// does its job there, under qemu-user.

const distVersion = "v0.0.0-disttest"

// dist builds ARCHS into out with scripts/dist.sh from the source tree at
// dir, with env added (a build cache of its own, say).
func dist(dir, out, archs string, env ...string) error {
	cmd := exec.Command("./scripts/dist.sh", out)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"VERSION=" + distVersion, "ARCHS=" + archs}, env...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/dist.sh: %v\n%s", err, b)
	}
	return nil
}

// arm64Dist is dist/ for arm64 alone, built once for the tests that need it.
var arm64Dist = sync.OnceValues(func() (string, error) {
	out, err := os.MkdirTemp("", "drainit-dist")
	if err != nil {
		return "", err
	}
	return out, dist(".", out, "arm64")
})

// TestDistIsReproducible builds arm64 twice: here, and from a copy of the
// source at another path with an empty build cache, so nothing of the
// first build can leak into the second. The binaries and SHA256SUMS must
// be identical.
func TestDistIsReproducible(t *testing.T) {
	first, err := arm64Dist()
	if err != nil {
		t.Fatal(err)
	}
	copyDir := filepath.Join(t.TempDir(), "elsewhere", "drainit")
	copySource(t, ".", copyDir)
	second := t.TempDir()
	if err := dist(copyDir, second, "arm64", "GOCACHE="+t.TempDir()); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"drainit-linux-arm64", "SHA256SUMS"} {
		a, errA := os.ReadFile(filepath.Join(first, name))
		b, errB := os.ReadFile(filepath.Join(second, name))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if string(a) != string(b) {
			t.Errorf("%s differs between the two builds (%d and %d bytes)", name, len(a), len(b))
		}
	}
	sums, _ := os.ReadFile(filepath.Join(first, "SHA256SUMS"))
	check := exec.Command("sha256sum", "--check", "--strict", "SHA256SUMS")
	check.Dir = first
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum --check: %v\n%s\n%s", err, out, sums)
	}
}

// copySource copies the files git tracks (or would), so that the copy
// builds as the original does, local changes included.
func copySource(t *testing.T, from, to string) {
	t.Helper()
	out, err := exec.Command("git", "-C", from, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Fields(string(out)) {
		data, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) { // deleted, not yet committed
			continue
		}
		info, statErr := os.Stat(filepath.Join(from, name))
		if err != nil || statErr != nil {
			t.Fatal(err, statErr)
		}
		dst := filepath.Join(to, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// qemuARM64 is Debian's qemu-user-static for aarch64; make test installs it.
func qemuARM64(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qemu-aarch64-static is missing (make test installs qemu-user-static)")
		}
		t.Skip("qemu-aarch64-static is not installed (make test installs qemu-user-static)")
	}
	return path
}

func TestARM64BinaryRunsUnderQemu(t *testing.T) {
	qemu := qemuARM64(t)
	dist, err := arm64Dist()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dist, "drainit-linux-arm64")
	desc, err := exec.Command("file", "-b", bin).Output()
	if err != nil || !strings.Contains(string(desc), "ARM aarch64") || !strings.Contains(string(desc), "statically linked") {
		t.Fatalf("want a static aarch64 executable, file says %q (%v)", desc, err)
	}
	out, err := exec.Command(qemu, bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "drainit "+distVersion {
		t.Fatalf("--version under qemu: %q, %v", out, err)
	}

	t.Run("drain", func(t *testing.T) {
		// The child is the host's own sh (qemu-user runs what the emulated
		// program execs natively): it says when its trap is set, and
		// exits 7 on QUIT, the stop signal, after the delay.
		const delay = 300 * time.Millisecond
		cmd := exec.Command(qemu, bin, "--delay", delay.String(), "--timeout", scale(20*time.Second).String(), "--",
			"sh", "-c", `trap 'echo quit; exit 7' QUIT; echo ready; while :; do sleep 0.05; done`)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() || lines.Text() != "ready" {
			_ = cmd.Process.Kill()
			t.Fatalf("the child never got ready: %q\n%s", lines.Text(), stderr.String())
		}
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() || lines.Text() != "quit" {
			t.Fatalf("the child did not get QUIT: %q\n%s", lines.Text(), stderr.String())
		}
		if got := time.Since(sent); got < delay {
			t.Errorf("QUIT came %v after TERM, before the %v delay was over", got, delay)
		}
		err = cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 7 {
			t.Fatalf("want drainit to exit with the child's 7, got %v\n%s", err, stderr.String())
		}
		if log := stderr.String(); !strings.Contains(log, "drain summary") || !strings.Contains(log, "trigger=SIGTERM") {
			t.Errorf("no summary of a drain triggered by SIGTERM in the log:\n%s", log)
		}
	})
}
