#!/usr/bin/env bash
# Benchmarks storefront-collector side by side with Adobe's events SDK + collector, alloy, Snowplow,
# Segment and RudderStack in headless Chromium, every request answered by a local TLS sink on
# 127.0.0.1, and prints the table. Not part of CI. A full run takes about 15-20 minutes on 2 cores.
#
#   scripts/bench.sh                   full run: sizes + 7 runs per scenario and phase, writes
#                                      bench/results/bench-<date>.json, BENCHMARKS.md, bench/results/per-event.svg
#   QUICK=1 scripts/bench.sh           smoke run, ~3 min (2 runs, a 200-event burst; prints, leaves BENCHMARKS.md alone)
#   RUNS=9 scripts/bench.sh ours-direct snowplow     more runs, a subset of scenarios
#   scripts/bench.sh --report          regenerate BENCHMARKS.md from the newest full result
#
# Other knobs (bench/run.mjs): SWEEP_RUNS, SWEEP=1,100,300, BIG=1000, IDLE_MS, STALL_MS,
# DRAIN_TIMEOUT_MS, EVENT_METHOD=auto|pageView|addToCart, PHASES=n20,n1000,..., --no-setup (skip
# scripts/setup.sh), --no-build (use pkg/ as it is).
# Needs: what scripts/setup.sh installs (Chromium, brotli, Node, the build tools), openssl, gzip and
# the npm registry (the pinned peers in bench/package.json go to bench/node_modules, gitignored).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
step() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

setup=1 build=1 report_only=0 args=()
for a in "$@"; do
  case "$a" in
    --no-setup) setup=0 ;;
    --no-build) build=0 ;;
    --report) report_only=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$report_only" = 1 ]; then
  node bench/report.mjs
  exit 0
fi

[ "$setup" = 1 ] && bash scripts/setup.sh >&2
command -v openssl >/dev/null || { echo "bench: openssl is missing (apt-get install openssl)" >&2; exit 1; }

# The pinned peers. Re-installed only when bench/package.json changes.
stamp=bench/node_modules/.bench-stamp
if [ ! -f "$stamp" ] || ! cmp -s bench/package.json "$stamp"; then
  step "npm: installing the pinned peers into bench/node_modules"
  (cd bench && npm install --no-audit --no-fund --no-save --loglevel=error >&2)
  cp bench/package.json "$stamp"
fi

if [ "$build" = 1 ]; then
  step "building pkg/ (scripts/build.sh)"
  bash scripts/build.sh --no-setup >&2
fi

WORK=${BENCH_WORK:-$ROOT/bench/node_modules/.cache/bench}
mkdir -p "$WORK"
export BENCH_WORK=$WORK

# RudderStack's npm tarball ships its UMD unminified; its CDN file (v3/modern/rsa.min.js) is the
# same rollup output through terser (ecma 2017, no comments). Do the same with the pinned terser.
RS=bench/node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js
if [ ! -f "$WORK/rsa-bundled.min.js" ] || [ "$RS" -nt "$WORK/rsa-bundled.min.js" ]; then
  step "terser: RudderStack bundled UMD"
  tools/node_modules/.bin/terser "$RS" -c -m --ecma 2017 --format comments=false -o "$WORK/rsa-bundled.min.js"
fi

# A self-signed certificate for every host the SDKs contact (Chromium runs with
# --ignore-certificate-errors; the names are there for the record).
if [ ! -f "$WORK/cert.pem" ]; then
  step "openssl: self-signed certificate"
  san="DNS:shop.example.test,DNS:collector.example.test,DNS:dataplane.example.test,DNS:cdn.segment.com,DNS:api.segment.io"
  san="$san,DNS:cdn.rudderlabs.com,DNS:api.rudderstack.com,DNS:commerce.adobedc.net,DNS:edge.adobedc.net,DNS:adobedc.demdex.net"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=shop.example.test \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -addext "subjectAltName=$san" 2>/dev/null
fi

NODEFLAGS=()
node -e 'process.exit(typeof WebSocket === "undefined" ? 1 : 0)' || NODEFLAGS=(--experimental-websocket)
step "running (RUNS=${RUNS:-default} QUICK=${QUICK:-0}); progress below, table at the end"
# Bounded: every page wait has its own timeout; this caps the whole run.
file=$(timeout "${BENCH_TIMEOUT:-45m}" node "${NODEFLAGS[@]}" bench/run.mjs "${args[@]+"${args[@]}"}")
step "wrote $file"
if [ "${QUICK:-0}" = 1 ] || [ ${#args[@]} -gt 0 ]; then
  node bench/report.mjs --print "$file"
else
  node bench/report.mjs "$file"
fi
