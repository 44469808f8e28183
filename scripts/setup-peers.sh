#!/usr/bin/env bash
# Installs the real peers the interop tests talk to, idempotently:
#   chromium            headless browser WebSocket (driven by playwright-core, no browser download)
#   python3-websockets  Debian's python-websockets 10.4, used through /usr/bin/python3
#   openssl             makes the self-signed localhost certificate for wss tests
# A second run only checks with dpkg and takes about a second. Needs root (or sudo) and apt.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
PACKAGES=(chromium python3-websockets openssl)
UPDATE_TIMEOUT=${PEERS_APT_UPDATE_TIMEOUT:-300}
INSTALL_TIMEOUT=${PEERS_APT_INSTALL_TIMEOUT:-900}

log() { echo "setup-peers: $*"; }
die() { echo "setup-peers: ERROR: $*" >&2; exit 1; }

installed() {
  # dpkg -s exits 0 for removed-but-configured packages too; check the status line.
  local status
  status=$(timeout 20 dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [ "$status" = 'install ok installed' ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if installed "$pkg"; then log "$pkg: installed ($(timeout 20 dpkg-query -W -f='${Version}' "$pkg"))"
  else missing+=("$pkg"); fi
done

if ((${#missing[@]})); then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing ${missing[*]} and not root (no sudo): install them yourself"
    SUDO=(sudo -n --preserve-env=DEBIAN_FRONTEND)
  fi
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get on this machine"
  log "missing: ${missing[*]}; running apt-get update (time-out ${UPDATE_TIMEOUT} s)"
  started=$SECONDS
  timeout "$UPDATE_TIMEOUT" "${SUDO[@]}" apt-get update -q </dev/null \
    || die "apt-get update failed or timed out after $((SECONDS - started)) s"
  log "apt-get update done in $((SECONDS - started)) s; installing ${missing[*]} (time-out ${INSTALL_TIMEOUT} s)"
  started=$SECONDS
  timeout "$INSTALL_TIMEOUT" "${SUDO[@]}" apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null \
    || die "apt-get install ${missing[*]} failed or timed out after $((SECONDS - started)) s"
  log "installed ${missing[*]} in $((SECONDS - started)) s"
fi

# Verify what the harnesses actually use (test/peers/*.ts), each with a time-out.
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after install"
log "chromium: $(timeout 30 /usr/bin/chromium --version 2>/dev/null || echo 'version check failed')"
# /usr/bin/python3 on purpose: a python3 earlier on PATH (pyenv shim) lacks Debian's dist-packages.
ver=$(timeout 30 /usr/bin/python3 -c 'import websockets; print(websockets.__version__)') \
  || die "/usr/bin/python3 cannot import websockets"
log "python3-websockets: $ver (/usr/bin/python3)"
command -v openssl >/dev/null || die "openssl is missing after install"
log "openssl: $(timeout 10 openssl version)"
log "ready"
