#!/usr/bin/env bash
# The demo: setup (idempotent), the release build of pkg/, the edge-emulator (debug build), then
# scripts/demo.mjs starts the emulator, serves the demo storefront (www/) over HTTPS and prints the
# shop and viewer URLs and the browser command. Ctrl-C stops everything.
# Usage: scripts/demo.sh [--open] [--no-setup]
#   --open       also start Chrome/Chromium (own profile) on the shop and the viewer
#   --no-setup   skip scripts/setup.sh
# Environment: EDGE_PORT (47443; 443 for the hosts-file setup), SHOP_PORT (47444), VIEWER_PORT
# (47080), DATA_DIR (.edge-emulator: event store and CA, kept across runs), CHROME.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
setup=1
for arg in "$@"; do [ "$arg" = "--no-setup" ] && setup=0; done
if [ "$setup" = 1 ]; then bash scripts/setup.sh; fi
bash scripts/build.sh --no-setup
echo "[demo] building the edge-emulator"
cargo +stable build --quiet -p edge-emulator --target x86_64-unknown-linux-gnu
exec node scripts/demo.mjs "$@"
