# The binary-only image: drainit and its license, FROM scratch, for image
# authors to copy from:
#
#   COPY --from=drainit /drainit /usr/local/bin/drainit
#
#   podman build -t drainit .
#   podman build --platform linux/arm64 -t drainit:arm64 .   # cross-compiled, no emulation
ARG GO_IMAGE=golang:1.26
# BuildKit sets BUILDPLATFORM; podman 4 does not: pass
# --build-arg BUILDPLATFORM=linux/amd64 (your machine's) there.
ARG BUILDPLATFORM

FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
ARG TARGETVARIANT
# The Go stage runs on the build machine's platform and cross-compiles for
# the target's: --platform linux/arm64 emulates nothing. TARGETVARIANT is
# v7 for linux/arm/v7 (GOARM=7) and empty elsewhere.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \
    go build -trimpath -buildvcs=false -ldflags "-s -w -buildid= -X main.version=${VERSION}" -o /drainit .

FROM scratch
COPY --from=build /drainit /drainit
COPY LICENSE /LICENSE
ENTRYPOINT ["/drainit"]
