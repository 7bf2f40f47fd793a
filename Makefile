# drainit: `make test` installs what the tests need and runs all of them.
GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOBIN       := $(shell $(GO) env GOPATH)/bin

.PHONY: build dist deps lint test fuzz clean demo bench containers

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/drainit .

# The release binaries, one static binary per Linux architecture, and
# dist/SHA256SUMS; reproducible (see scripts/dist.sh).
dist:
	VERSION=$(VERSION) ./scripts/dist.sh dist

deps:
	./scripts/install-deps.sh
	test -x $(GOBIN)/staticcheck || $(GO) install $(STATICCHECK)

# Each Go module of the repository: drainit itself, and the modules that
# keep test- and bench-only dependencies out of drainit's go.mod.
MODULES := . e2e bench

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	GOOS=darwin $(GO) vet ./...
	for m in $(MODULES); do (cd $$m && $(GO) vet ./... && $(GOBIN)/staticcheck ./...) || exit 1; done

# The unit and integration tests with the race detector, the bench's own
# unit tests, then the end-to-end pod scenarios, the example manifests and
# the container tests (serial: they measure a real stop under load).
test: deps lint containers
	$(GO) test -race -shuffle=on -count=1 ./...
	cd bench && $(GO) test -count=1 ./...
	cd e2e && $(GO) test -count=1 -p 1 -timeout 30m ./...

# Rootful podman with local stand-ins for the golang, nginx and php:fpm base
# images: no image registry is reachable from these machines. The script
# lives in the workplace's shared/ folder beside the clone. Without it the
# container tests pull the base images podman does not have (README).
SETUP_IMAGES := ../shared/container/setup-images.sh
containers:
	@if [ -f $(SETUP_IMAGES) ]; then bash $(SETUP_IMAGES); else echo "no $(SETUP_IMAGES): the container tests pull their base images (DRAINIT_GO_IMAGE, DRAINIT_NGINX_IMAGE, DRAINIT_PHP_IMAGE)"; fi

# The benchmarks of docs/BENCHMARKS.md, regenerated.
bench: deps
	cd bench && $(GO) run . -runs 5 -out ../docs

# A short fuzzing pass over the parsers; the corpus lives in signals/testdata.
fuzz:
	$(GO) test ./signals -run '^$$' -fuzz 'FuzzParse$$' -fuzztime 30s
	$(GO) test ./signals -run '^$$' -fuzz 'FuzzParseRewrite$$' -fuzztime 30s
	$(GO) test ./words -run '^$$' -fuzz 'FuzzSplit$$' -fuzztime 30s

clean:
	rm -rf bin dist

# The README's first command: the pod stopped with no init, then with drainit.
demo:
	cd e2e && $(GO) run ./cmd/demo
