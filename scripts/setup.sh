#!/usr/bin/env bash
# Installs what Replication Lab needs and is missing, and skips what is already there at the
# right version (a second run takes seconds).
#
#   scripts/setup.sh            tools to build and serve the page
#   scripts/setup.sh --browser  the same, plus Chromium and ChromeDriver for the browser tests
#
# Versions: Trunk is pinned (0.22 needs a newer rustc); the wasm-bindgen CLI must equal the
# wasm-bindgen crate in Cargo.lock (Trunk runs offline and uses the one on PATH); wasm-opt
# comes from npm's binaryen (Debian's is too old for what rustc emits).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
want_browser=false
[ "${1:-}" = "--browser" ] && want_browser=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
missing() {
  printf 'Replication Lab needs %s, and this machine has no apt-get to install it.\n' "$1" >&2
  printf 'Install it yourself (%s), then run this command again.\n' "$2" >&2
  exit 1
}
apt_install() {
  if ! have apt-get; then missing "$*" "for example with your system's package manager"; fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "apt-get install $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

export PATH="$HOME/.cargo/bin:$PATH"
if ! have cargo || ! have rustup; then
  missing "Rust (cargo and rustup)" "https://rustup.rs"
fi

# Rust pieces.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# Trunk, pinned.
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# The wasm-bindgen CLI (and wasm-bindgen-test-runner) matching Cargo.lock. Not --locked: the
# registry mirror lags one of its locked dependencies.
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes)"
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Node tools: wasm-opt (binaryen), playwright-core and axe-core, from package-lock.json.
if ! have node || ! have npm; then
  apt_install nodejs npm
fi
if ! cmp -s package-lock.json node_modules/.installed-from-lock 2>/dev/null; then
  say "npm ci (wasm-opt, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-from-lock
fi

# A browser for the tests: Debian's Chromium and its driver, the same version.
if $want_browser; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
  fi
fi
say "tools ready: $(trunk --version), $(wasm-bindgen --version), $(node_modules/.bin/wasm-opt --version | cut -d' ' -f1-3)"
