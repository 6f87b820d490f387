#!/usr/bin/env bash
# End-to-end tests of the web UI: headless Debian Chromium driven by playwright-core against `inda serve` on demo
# data (ui/e2e/, `npm run e2e`). Idempotent: installs Chromium with apt and the UI's packages with `npm ci` only
# when missing or stale. Expects the debug `inda` to be built already WITH the UI embedded (scripts/test.sh runs
# `npm run build` before cargo and this script after `cargo test`); set INDA_BIN to test another binary and
# CHROMIUM to use another browser. Extra arguments go to `node --test` (e.g. --test-name-pattern=Spanish).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset INDA_TOKEN INDA_DATA_DIR

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" != /usr/bin/chromium ]; then
    echo "e2e: CHROMIUM=$CHROMIUM is not an executable" >&2
    exit 1
  fi
  echo "==> installing chromium (apt)"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium
fi

if ! command -v node >/dev/null 2>&1; then
  echo "e2e: Node.js 20.19+ is needed (scripts/setup.sh installs it)" >&2
  exit 1
fi

# `npm ci` when node_modules is missing, older than the lock file, or lacks playwright-core.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ] ||
  [ ! -f ui/node_modules/playwright-core/package.json ]; then
  echo "==> installing the UI's packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
fi

export INDA_BIN="${INDA_BIN:-$CARGO_TARGET_DIR/debug/inda}"
if [ ! -x "$INDA_BIN" ]; then
  echo "e2e: no inda binary at $INDA_BIN: run (cd ui && npm run build) then cargo build -p inda-cli" >&2
  exit 1
fi

echo "==> end-to-end tests (headless Chromium, $INDA_BIN)"
cd ui
exec npm run --silent e2e -- "$@"
