#!/usr/bin/env bash
# Builds the release page into dist/ (Trunk, wasm-opt -Oz) and reports the gzipped size of
# what it ships. Expects the tools from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

trunk build --release

report=target/size-report.txt
mkdir -p target
{
  printf 'Replication Lab release build: what a visitor downloads\n'
  printf '%-44s %10s %10s\n' file bytes gzipped
  total=0
  for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
    [ -e "$f" ] || continue
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total=$((total + gz))
    printf '%-44s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
  done
  printf '%-44s %10s %10d\n' "total (gzipped)" "" "$total"
} | tee "$report"
