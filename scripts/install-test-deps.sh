#!/usr/bin/env bash
# Installs the Debian packages the test suites drive as real parts (TESTING.md).
# Idempotent: packages already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

packages=(
  openssh-server openssh-client sudo  # SSH target (sshd on a loopback port per test)
  nginx                               # reverse proxy under test
  libnginx-mod-stream                 # its TCP/UDP stream module (Debian splits it out)
  glances python3-bottle              # Glances 3.3.1, API v3 (bottle is only a Recommends, but -w needs it)
  pebble                              # ACME test server
  knot knot-dnsutils                  # authoritative DNS for NS checks; kdig for debugging
  chromium                            # browser for end-to-end tests (driven by playwright-core)
  postgresql                          # second database dialect (cluster started by .ci/run when down)
  openssl curl ca-certificates procps iproute2 coreutils passwd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-test-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
# Keep package scripts from starting system services (nginx on :80, sshd on :22):
# the tests start their own instances on free loopback ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-test-deps: done"
