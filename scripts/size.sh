#!/usr/bin/env bash
# What the largest parts of the page's wasm are: `twiggy top` on the release build as cargo
# leaves it, before wasm-bindgen and wasm-opt strip the function names. Sizes there are before
# wasm-opt -Oz (the shipped file is smaller), but the ranking is what to look at when the
# size budget in scripts/build-release.sh is hit. Installs twiggy if it is missing (only this
# script does; `make test` never needs it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v twiggy >/dev/null 2>&1; then
  echo "twiggy is missing: cargo install --locked twiggy (a few minutes, once)"
  cargo install --locked twiggy
fi

# The same build Trunk makes for `make dist` (release profile: opt-level z, LTO), so this is
# usually a no-op after it.
cargo build --release --target wasm32-unknown-unknown --bin replication-lab
wasm=target/wasm32-unknown-unknown/release/replication-lab.wasm

printf 'Largest items in %s (%d bytes, names kept; before wasm-bindgen and wasm-opt):\n' \
  "$wasm" "$(wc -c <"$wasm")"
twiggy top -n "${SIZE_TOP:-40}" "$wasm"
printf '\nLargest by retained size (an item and everything only it reaches):\n'
twiggy top --retained -n "${SIZE_TOP:-25}" "$wasm"
printf '\nBy origin (shallow bytes; generic code such as alloc or core counts under the crate\n'
printf 'that defines it, whoever instantiates it):\n'
twiggy top -n 1000000 --format csv "$wasm" | awk -f scripts/size-groups.awk | sort -rn |
  sed -n "1,${SIZE_TOP:-40}p"
if [ -e target/size-report.txt ]; then
  printf '\nThe shipped page (from the last release build):\n'
  cat target/size-report.txt
fi
