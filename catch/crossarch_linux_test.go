package catch

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// qemuFor maps each architecture with a handler of its own to Debian's
// qemu-user-static binary for it.
var qemuFor = map[string]string{
	"arm64":   "qemu-aarch64-static",
	"arm":     "qemu-arm-static",
	"ppc64le": "qemu-ppc64le-static",
	"s390x":   "qemu-s390x-static",
	"riscv64": "qemu-riscv64-static",
}

// TestHandlerOnEveryArchitecture builds this package's tests for each
// architecture that has an assembly handler and runs them under
// qemu-user: the handler's instructions, register conventions and system
// call numbers are per architecture, and a mistake in one kills the test
// binary there. (qemu-user keeps two real-time signals for itself, which
// the tests skip.)
func TestHandlerOnEveryArchitecture(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("runs from an amd64 host")
	}
	// qemu-user maps the emulated program's signals onto host signals
	// from 34 up, so host signal 32 keeps whatever disposition qemu was
	// started with, and passes it on to the host programs the emulated
	// tests exec. Started from a process that ignores 32 (CI machines do),
	// TestChildStartsWithDefaultDispositions would see qemu's inheritance,
	// not the handler's. A handler here is reset by qemu's execve.
	start(t)
	for goarch, qemu := range qemuFor {
		t.Run(goarch, func(t *testing.T) {
			t.Parallel()
			emulator, err := exec.LookPath(qemu)
			if err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is missing (make test installs qemu-user-static)", qemu)
				}
				t.Skipf("%s is not installed (make test installs qemu-user-static)", qemu)
			}
			bin := filepath.Join(t.TempDir(), "catch.test")
			build := exec.Command("go", "test", "-c", "-o", bin, ".")
			build.Env = append(os.Environ(), "GOARCH="+goarch, "GOARM=7", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("building for %s: %v\n%s", goarch, err, out)
			}
			run := exec.Command(emulator, bin, "-test.count=1", "-test.v")
			if out, err := run.CombinedOutput(); err != nil {
				t.Fatalf("the tests on %s: %v\n%s", goarch, err, out)
			}
		})
	}
}
