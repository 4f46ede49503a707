#!/usr/bin/env bash
# Builds the release npm package in pkg/:
#   storefront_collector_bg.wasm   the engine (cargo release → wasm-bindgen → wasm-opt -Oz)
#   storefront_collector.js        wasm-bindgen's ES module glue (--target web)
#   snippets/…/js/host.js          the glue's host side (js/host.js), imported by it and index.js
#   storefront-events.js           classic <script> drop-in: defines window.magentoStorefrontEvents
#   storefront-events.inline.js    the same with the wasm inside (strict CSP: no connect-src needed)
#   index.js / index.d.ts          the ES module entry and its types
#   package.json, README.md
# Usage: scripts/build.sh [--no-setup]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ "${1:-}" = "--no-setup" ] || bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

# shellcheck source=scripts/wasm-release.sh
source scripts/wasm-release.sh
step "cargo build --release (wasm32, panic=immediate-abort)"
cargo build --release --quiet --config "$RELEASE_RUSTFLAGS"
WASM=target/wasm32-unknown-unknown/release/storefront_collector.wasm

step "wasm-bindgen --target web (ES module glue; the classic script's js/glue.js is checked against it)"
rm -rf pkg && mkdir -p pkg
wasm-bindgen --target web --out-dir pkg --out-name storefront_collector \
  --remove-name-section --remove-producers-section "$WASM"

step "wasm-opt (scripts/wasm-release.sh)"
before=$(stat -c %s pkg/storefront_collector_bg.wasm)
"${WASM_OPT[@]}" --strip-debug pkg/storefront_collector_bg.wasm -o pkg/storefront_collector_bg.wasm
step "  $before → $(stat -c %s pkg/storefront_collector_bg.wasm) bytes"

step "JavaScript entries (terser for what a storefront downloads)"
node scripts/assemble.mjs pkg/storefront_collector.js
# ecma 2015 lets terser write arrows and concise methods (the script needs ES2017 already).
# unsafe_arrows / unsafe_methods turn function expressions that use no `this` into arrows or
# methods, which have no prototype and cannot be called with `new`: js/ never does either, and the
# page-facing publish.* functions become arrows like context.*, subscribe.* and unsubscribe.*.
tools/node_modules/.bin/terser pkg/storefront-events.js --ecma 2015 --mangle \
  --compress passes=3,ecma=2015,unsafe_arrows=true,unsafe_methods=true -o pkg/storefront-events.js
tools/node_modules/.bin/terser pkg/storefront_collector.js --module --compress --mangle -o pkg/storefront_collector.js
for snippet in pkg/snippets/*/js/host.js; do
  tools/node_modules/.bin/terser "$snippet" --module --compress --mangle -o "$snippet"
done
# The strict-CSP variant (README): the minified script with the wasm bytes inside, nothing fetched.
node scripts/assemble.mjs --inline

VERSION=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
cat > pkg/package.json <<JSON
{
  "name": "storefront-collector",
  "version": "$VERSION",
  "description": "Adobe Commerce storefront events to Adobe Experience Platform: a Rust/WebAssembly drop-in for magentoStorefrontEvents",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./index.js",
  "module": "./index.js",
  "types": "./index.d.ts",
  "exports": {
    ".": { "types": "./index.d.ts", "import": "./index.js", "default": "./index.js" },
    "./storefront-events.js": "./storefront-events.js",
    "./storefront-events.inline.js": "./storefront-events.inline.js",
    "./storefront_collector_bg.wasm": "./storefront_collector_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": [
    "index.js", "index.d.ts", "storefront-events.js", "storefront-events.inline.js",
    "storefront_collector.js", "storefront_collector.d.ts", "snippets/",
    "storefront_collector_bg.wasm", "storefront_collector_bg.wasm.d.ts", "README.md"
  ],
  "sideEffects": ["./storefront-events.js"]
}
JSON
cp js/PACKAGE_README.md pkg/README.md
rm -f pkg/.gitignore
step "pkg/ ready: $(cd pkg && ls | tr '\n' ' ')"
