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
  echo
  echo "Before (commit b98de7e, this test on it with 40 moves per size, same machine and Chromium):"
  echo "  10006 events: computed in 0.89 s; wasm memory 36.6 MB"
  echo "    seek p50 7.29 ms, p95 14.20 ms, max 25.23 ms; step back p50 5.85 ms, p95 20.16 ms, max 24.17 ms"
  echo "  100003 events: computed in 12.11 s; wasm memory 2127.3 MB"
  echo "    seek p50 53.83 ms, p95 84.90 ms, max 96.15 ms; step back p50 56.47 ms, p95 90.99 ms, max 104.29 ms"
  echo "  1M events: not run (past the 4 GB a tab may have, going by 2.1 GB at 100k)"
} >target/history-browser-report.txt
if ! grep -q 'history-browser: .*seek' "$log"; then
  echo "no browser figures in $log" >&2
  exit 1
fi
cat target/history-browser-report.txt
