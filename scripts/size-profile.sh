#!/usr/bin/env bash
# Size work: builds the release wasm exactly as scripts/build.sh does (same flags, wasm-bindgen,
# wasm-opt), prints its brotli size, and lists its largest functions by name (a second copy is
# kept with a name section for that; the shipped pkg/ is not touched).
# Usage: scripts/size-profile.sh [N]   (N = how many functions to list, default 30)
# Output in target/size-profile/: shipped.wasm (as pkg/ would have it) and named.wasm.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
OUT=target/size-profile
mkdir -p "$OUT"
cargo build --release --quiet \
  --config 'target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none"]'
wasm-bindgen --target no-modules --keep-debug --out-dir "$OUT" \
  target/wasm32-unknown-unknown/release/storefront_collector.wasm
FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-target-features)
tools/node_modules/.bin/wasm-opt -Oz -Oz --low-memory-unused --strip-debug --strip-producers "${FEATURES[@]}" \
  "$OUT/storefront_collector_bg.wasm" -o "$OUT/shipped.wasm"
tools/node_modules/.bin/wasm-opt -Oz -Oz --low-memory-unused -g --strip-producers "${FEATURES[@]}" \
  "$OUT/storefront_collector_bg.wasm" -o "$OUT/named.wasm"
python3 scripts/wasm-sizes.py "$OUT/named.wasm" "${1:-30}"
printf 'wasm as shipped: %d B raw, %d B brotli\n' "$(stat -c %s "$OUT/shipped.wasm")" \
  "$(brotli -q 11 -c "$OUT/shipped.wasm" | wc -c)"
