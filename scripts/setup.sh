#!/usr/bin/env bash
# Installs every tool that building, testing, benchmarking and the demo need, on a fresh machine of
# the project's kind (Debian bookworm, root, package registries only). Idempotent: a second run with
# everything present only checks and takes a few seconds.
#
# What it installs and why (details: ../shared/TOOLCHAIN.md):
#   apt   rustc-web cargo-web rust-web-src  Debian's Rust 1.96 plus std sources for -Zbuild-std wasm32
#         lld-22                            wasm-ld-22, the wasm32 linker (.cargo/config.toml)
#         chromium chromium-driver          headless browser tests (wasm-bindgen-test, smoke, e2e)
#         brotli                            size report and budget check
#   cargo wasm-bindgen-cli == the wasm-bindgen version pinned in Cargo.lock (bindgen + test runner)
#   npm   tools/package.json: binaryen (wasm-opt), terser, typescript (type tests), playwright-core (drives /usr/bin/chromium),
#         @adobe/alloy (the real Web SDK, for end-to-end tests)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

step() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '\033[31m[setup] FAILED:\033[0m %s\n' "$*" >&2; exit 1; }
trap 'fail "step failed at line $LINENO (see the output above)"' ERR

APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-22 chromium chromium-driver brotli)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: installing ${missing[*]}"
  command -v apt-get >/dev/null || fail "apt-get not found: this script expects a Debian machine"
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
else
  step "apt: ${APT_PACKAGES[*]} present"
fi
for bin in /usr/bin/cargo /usr/bin/rustc wasm-ld-22 /usr/bin/chromium /usr/bin/chromedriver brotli; do
  command -v "$bin" >/dev/null || fail "$bin is missing after the apt step"
done
[ -d /usr/lib/rustlib/src/rust/library ] || fail "rust-web-src did not install std sources"

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock, or the generated glue and
# the test runner refuse the module.
WB=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
[ -n "$WB" ] || fail "could not read the wasm-bindgen version from Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2 || true)
if [ "$have" != "$WB" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
  step "cargo: installing wasm-bindgen-cli $WB (takes about 3 minutes)"
  # Not --locked: its lockfile pins a webpki-roots release this registry lacks. `cd /` so rustup's
  # stable toolchain builds it rather than rust-toolchain.toml's (slower) Debian one.
  (cd / && cargo +stable install --quiet wasm-bindgen-cli --version "$WB") \
    || fail "cargo install wasm-bindgen-cli $WB failed"
else
  step "cargo: wasm-bindgen-cli $WB present"
fi

# Node tooling for the build (wasm-opt) and the browser-driven tests. Re-installed only when
# tools/package-lock.json changes.
stamp="$ROOT/tools/node_modules/.lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/tools/package-lock.json" "$stamp"; then
  step "npm: installing tools/ (binaryen, terser, typescript, playwright-core, alloy)"
  # `npm install`, not `npm ci`: this registry omits the optional platform packages of a transitive
  # dependency from the lockfile, which `npm ci` then rejects as out of sync.
  (cd "$ROOT/tools" && npm install --no-audit --no-fund --no-save --loglevel=error) || fail "npm install in tools/ failed"
  cp "$ROOT/tools/package-lock.json" "$stamp"
else
  step "npm: tools/ up to date"
fi
"$ROOT/tools/node_modules/.bin/wasm-opt" --version >/dev/null || fail "wasm-opt from npm binaryen does not run"

step "ready: $(/usr/bin/rustc --version), wasm-bindgen $WB, $(/usr/bin/chromium --version 2>/dev/null | tail -1)"
