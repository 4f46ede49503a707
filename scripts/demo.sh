#!/usr/bin/env bash
# Builds the package and serves the demo storefront (www/) on loopback; prints the URL.
# Usage: scripts/demo.sh [PORT]   (default 8080; Ctrl-C stops it)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/build.sh
PORT=${1:-8080}
echo
echo "Demo storefront: http://127.0.0.1:$PORT/www/   (add ?storefront_events_debug=1 for console logging)"
exec node scripts/serve.mjs "$PORT"
