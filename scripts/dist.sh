#!/usr/bin/env bash
# Builds the release binaries: static, one per Linux architecture, named
# drainit-linux-ARCH (arm is ARMv7), with the version stamped in and a
# SHA256SUMS beside them in sha256sum's format.
#
#   scripts/dist.sh [OUTDIR]          # `make dist` runs it into dist/
#   VERSION=v1.2.3 ARCHS="amd64 arm64" scripts/dist.sh /tmp/out
#
# Reproducible: the bytes depend only on the source, the Go version and
# VERSION. -trimpath drops the build machine's paths, an empty build ID
# drops the hash of the build's inputs' locations, and -buildvcs=false
# leaves out the checkout's state (the version string already names the
# commit), so a clone at another path, with another build cache, gives the
# same bytes (dist_test.go checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
archs=${ARCHS:-amd64 arm64 arm ppc64le s390x riscv64}
mkdir -p "$out"
rm -f "$out"/drainit-linux-* "$out/SHA256SUMS"
for arch in $archs; do
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOARM=7 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=$version" -o "$out/drainit-linux-$arch" .
done
(cd "$out" && sha256sum drainit-linux-* >SHA256SUMS)
echo "dist: drainit $version for $archs in $out"
