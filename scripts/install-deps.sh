#!/usr/bin/env bash
# Installs what drainit's test suite needs on a Debian (bookworm) machine.
# Idempotent: packages already present are not touched. Needs root or sudo.
set -euo pipefail

packages=(
  util-linux   # unshare: tests run drainit as PID 1 of a new PID namespace
  procps       # ps, for humans reading a failed test
  nginx-light  # the real nginx the tests drain (stub_status included)
  php8.2-fpm   # the real php-fpm the tests drain (status page over FastCGI)
  tini         # a peer, measured by bench/ and the demo
  dumb-init    # a peer, measured by bench/ and the demo
  file         # says whether a binary is static
  qemu-user-static  # runs catch/'s signal handler on the other architectures
  supervisor   # a peer: supervisord, as one-container PHP images run nginx and php-fpm
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { echo "install-deps: Go is not installed (need Go 1.26 or newer)" >&2; exit 1; }
