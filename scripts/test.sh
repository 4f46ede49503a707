#!/usr/bin/env bash
# Everything: setup (idempotent), formatting and lints, host tests, browser tests
# (wasm-bindgen-test in headless Chromium), the release build, the browser smoke and package tests,
# and the size budget. Fails on the first failing step.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
HOST=x86_64-unknown-linux-gnu
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

step "setup"
bash scripts/setup.sh

step "format and lints (host)"
cargo +stable fmt --check
cargo +stable clippy --quiet --target "$HOST" --all-targets -- -D warnings

step "host tests: the engine (cargo +stable test --target $HOST)"
cargo +stable test --target "$HOST"

step "edge emulator tests (cargo +stable test -p edge-emulator --target $HOST)"
cargo +stable test -p edge-emulator --target "$HOST"

step "browser tests: wasm-bindgen-test in headless Chromium (cargo test)"
log=$(mktemp)
cargo test --tests 2>&1 | tee "$log"
# The runner must really have run tests inside Chromium, not skipped them.
grep -q "Running headless tests in Chrome" "$log" || { echo "browser tests did not run in Chromium" >&2; exit 1; }
ran=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
[ "$ran" -gt 0 ] || { echo "no browser test passed" >&2; exit 1; }
echo "browser tests passed: $ran"
rm -f "$log"

step "release build (pkg/)"
bash scripts/build.sh --no-setup

step "smoke and package tests in headless Chromium (node --test tests/e2e/)"
node --test --test-concurrency=1 tests/e2e/

step "size of what a storefront downloads"
bash scripts/size.sh

step "all passed in $(( $(date +%s) - started )) s"
