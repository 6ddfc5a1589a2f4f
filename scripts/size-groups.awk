# Sums `twiggy top --format csv` shallow sizes by where the code comes from: the lab's own
# modules (replication_lab::engine::sql), other crates by crate name. Left out: custom sections
# (function names, wasm-bindgen's descriptors), export and import entries and wasm-bindgen's
# `__wbindgen_describe` functions: wasm-bindgen and wasm-opt drop or rewrite them, the visitor
# never downloads them as they are here.
BEGIN { FS = "," }
NR == 1 { next }
{
  size = $(NF - 3)
  name = $0
  sub(/,[^,]*,[^,]*,[^,]*,[^,]*$/, "", name)
  gsub(/"/, "", name)
  if (name ~ /^(custom section|function names|Σ|\.\.\. and|export |import )/) next
  if (name ~ /__wbindgen_describe/) next
  sub(/^<+/, "", name)
  sub(/^(dyn |&mut |&)/, "", name)
  if (name ~ /^replication_lab::/) {
    n = split(name, p, "::")
    key = p[1] "::" p[2]
    if (n > 3 && p[3] ~ /^[a-z_]+$/) key = key "::" p[3]
  } else if (name ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[0-9a-f]+\])?::/) {
    key = name
    sub(/(\[[0-9a-f]+\])?::.*/, "", key)
  } else if (name ~ /^data segment/) {
    key = name
  } else {
    key = "(other: trait shims on primitives, tables, main)"
  }
  sum[key] += size
  total += size
}
END {
  for (k in sum) printf "%10d  %5.1f%%  %s\n", sum[k], 100 * sum[k] / total, k
  printf "%10d  100.0%%  (code and data, before wasm-opt)\n", total
}
