package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The root Dockerfile's binary-only image, cross-compiled for arm64 on this
// machine: FROM scratch, holding /drainit for arm64 and the license.
func TestBinaryImageCrossBuildsForARM64(t *testing.T) {
	needPodman(t)
	const image = "localhost/drainit-bin:test-arm64"
	if err := buildImage("../Dockerfile", image, "--platform", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	platform, err := podman("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", image)
	if err != nil || strings.TrimSpace(platform) != "linux/arm64" {
		t.Fatalf("want a linux/arm64 image, got %q (%v)", platform, err)
	}
	// The container is only copied from, never run. Its ID is the last
	// line: podman warns first that the image is not this machine's.
	out, err := podman("create", "--platform", "linux/arm64", image)
	if err != nil {
		t.Fatalf("podman create: %v\n%s", err, out)
	}
	lines := strings.Fields(out)
	id := lines[len(lines)-1]
	defer podman("rm", id)
	dir := t.TempDir()
	for _, f := range []string{"/drainit", "/LICENSE"} {
		if out, err := podman("cp", id+":"+f, filepath.Join(dir, filepath.Base(f))); err != nil {
			t.Fatalf("%s is not in the image: %v %s", f, err, out)
		}
	}
	desc, err := exec.Command("file", "-b", filepath.Join(dir, "drainit")).Output()
	if err != nil || !strings.Contains(string(desc), "ARM aarch64") || !strings.Contains(string(desc), "statically linked") {
		t.Fatalf("want a static aarch64 drainit, file says %q (%v)", desc, err)
	}
	// Nothing else: the image is the binary and its license.
	layers, err := podman("image", "inspect", "--format", "{{len .RootFS.Layers}}", image)
	if err != nil || strings.TrimSpace(layers) != "2" {
		t.Errorf("want two layers (binary, license), got %q (%v)", layers, err)
	}
}

// TestDockerfilesShareOneBuildStage: the four Dockerfiles each carry the
// Go stage (a Dockerfile cannot include another), and must not drift: a
// fix to cross-compiling or caching in one belongs in all.
func TestDockerfilesShareOneBuildStage(t *testing.T) {
	var first, firstName string
	for _, name := range []string{"../Dockerfile", "../Dockerfile.nginx", "../Dockerfile.phpfpm", "../examples/one-container/Dockerfile"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		from := strings.Index(text, "FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build")
		end := strings.Index(text, "-o /drainit .\n")
		if from < 0 || end < from {
			t.Fatalf("%s: no Go stage on $BUILDPLATFORM ending in `-o /drainit .`", name)
		}
		stage := text[from:end]
		if first == "" {
			first, firstName = stage, name
			continue
		}
		if stage != first {
			t.Errorf("%s's Go stage differs from %s's:\n%s\n---\n%s", name, firstName, stage, first)
		}
	}
}
