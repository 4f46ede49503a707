#!/usr/bin/env bash
# Size work: builds the release wasm exactly as scripts/build.sh does (the settings of
# scripts/wasm-release.sh, wasm-bindgen, wasm-opt), prints its brotli size, and lists its largest
# functions by name (a second copy is kept with a name section for that; pkg/ is not touched).
# Usage: scripts/size-profile.sh [N]   (N = how many functions to list, default 30)
# Output in target/size-profile/: shipped.wasm (as pkg/ would have it) and named.wasm.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
OUT=target/size-profile
mkdir -p "$OUT"
source scripts/wasm-release.sh
cargo build --release --quiet --config "$RELEASE_RUSTFLAGS"
wasm-bindgen --target web --keep-debug --out-dir "$OUT" \
  target/wasm32-unknown-unknown/release/storefront_collector.wasm
"${WASM_OPT[@]}" --strip-debug "$OUT/storefront_collector_bg.wasm" -o "$OUT/shipped.wasm"
"${WASM_OPT[@]}" -g "$OUT/storefront_collector_bg.wasm" -o "$OUT/named.wasm"
python3 scripts/wasm-sizes.py "$OUT/named.wasm" "${1:-30}"
printf 'wasm as shipped: %d B raw, %d B brotli\n' "$(stat -c %s "$OUT/shipped.wasm")" \
  "$(brotli -q 11 -c "$OUT/shipped.wasm" | wc -c)"
