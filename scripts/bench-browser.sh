#!/usr/bin/env bash
# The history benchmark's seeks and step backs in headless Chromium (issue 8): builds
# tests/timeline_browser.rs for wasm32 in the release profile (the page's: opt-level z, LTO),
# runs it with wasm-bindgen-test-runner in Chromium as scripts/test.sh runs the wasm tests,
# and writes its `history-browser:` lines to target/history-browser-report.txt.
# Needs what `scripts/setup.sh --browser` installs (make test does that once).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# The measurement takes longer than the runner's default 20 s per test.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"

log=target/history-browser.log
mkdir -p target
cargo test --release --target wasm32-unknown-unknown --test timeline_browser -- --nocapture \
  2>&1 | tee "$log"
{
  echo "History in headless Chromium (wasm, release profile): the load and moves of"
  echo "examples/history.rs, timed with performance.now() (see tests/timeline_browser.rs)."
  echo "Chromium: $(chromium --version 2>/dev/null || echo unknown)"
  grep -o 'history-browser: .*' "$log" | sed 's/^history-browser: /  /'
  # The machine may be shared: its load says how much the wall times can be trusted.
  echo "  Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
} >target/history-browser-report.txt
if ! grep -q 'history-browser: .*seek' "$log"; then
  echo "no browser figures in $log" >&2
  exit 1
fi
cat target/history-browser-report.txt
