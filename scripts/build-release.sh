#!/usr/bin/env bash
# Builds the release page into dist/ (Trunk, wasm-opt -Oz) and reports the gzipped size of
# what it ships; fails when that passes the size budget (so `make test` and `make dist` do).
# Expects the tools from scripts/setup.sh.
#
# wasm-opt's options are in www/index.html (`data-wasm-opt-params`, Trunk's only way to pass
# them): `--low-memory-unused` lets it fold constant offsets into loads and stores (Rust never
# reaches memory through an address that wraps around, the only case where that differs;
# -2.7 KB gzipped), and a second -Oz finds what the first one opened up (-1.1 KB gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

trunk build --release

# A strict Content Security Policy (`script-src 'self' 'wasm-unsafe-eval'`, no 'unsafe-inline')
# blocks the inline `<script type="module">` loader Trunk writes into index.html, and Trunk has
# no option to write it to a file (its nonce support needs a server filling in a nonce per
# request). So it moves here into a file of its own, named by its hash like Trunk's files,
# and index.html loads it with `src`: the page then runs under that policy from any static host.
node --input-type=module - dist <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const dist = process.argv[2];
const html = readFileSync(`${dist}/index.html`, 'utf8');
const inline = /<script type=(?:"module"|module)>([\s\S]*?)<\/script>/;
const found = html.match(inline);
if (!found) throw new Error('no inline module loader in dist/index.html: did Trunk change?');
const hash = createHash('sha384').update(found[1]).digest();
const name = `loader-${hash.subarray(0, 8).toString('hex')}.js`;
writeFileSync(`${dist}/${name}`, found[1]);
const tag = `<script type=module src=./${name} integrity=sha384-${hash.toString('base64')}></script>`;
// A sandboxed frame (an opaque origin) checks the stylesheet's integrity only on a CORS
// request: without `crossorigin` the browser blocks it there.
const out = html
  .replace(inline, () => tag)
  .replace(/<link (?![^>]*crossorigin)([^>]*rel=stylesheet)/g, '<link crossorigin $1');
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(out)) throw new Error('an inline script is left in dist/index.html');
writeFileSync(`${dist}/index.html`, out);
JS

# The page's budget, gzipped: 530 KB (530,000 bytes). It was 380 KB until issue 10 (lessons,
# links, embedding, export: 369 KB -> 491 KB, a third of it serde_json and three ways of
# reading JSON, made one in src/json.rs: 468 KB), then 500 KB until issue 11 added the
# multi-leader family (its core, four lessons, links for it ~27 KB, its page ~15 KB, its
# renderings and inspector ~8 KB: 468 KB -> 518 KB). Leaderless replication must fit in
# what is left, or win its room back first. `make size` shows what the largest parts are.
budget=${SIZE_BUDGET_BYTES:-530000}
report=target/size-report.txt
mkdir -p target
{
  printf 'Replication Lab release build: what a visitor downloads\n'
  printf '%-44s %10s %10s\n' file bytes gzipped
  total=0
  for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
    [ -e "$f" ] || continue
    case "$f" in dist/embed-example.*) continue ;; esac # the example host page, not the lab
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total=$((total + gz))
    printf '%-44s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
  done
  printf '%-44s %10s %10d\n' "total (gzipped)" "" "$total"
  printf '%-44s %10s %10d\n' "budget (gzipped)" "" "$budget"
} | tee "$report"

total=$(awk '/^total \(gzipped\)/ { print $NF }' "$report")
if [ "$total" -gt "$budget" ]; then
  printf '\nThe page is over its size budget: %d bytes gzipped, the budget is %d bytes (%d over).\n' \
    "$total" "$budget" "$((total - budget))" >&2
  printf 'Run `make size` to see the largest parts.\n' >&2
  exit 1
fi
printf 'Within the size budget: %d of %d bytes gzipped (%d to spare).\n' \
  "$total" "$budget" "$((budget - total))"
