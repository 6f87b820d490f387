#!/usr/bin/env bash
# Load test of `inda serve` (docs/operations.md, "Load test"): a demo warehouse of the five demo tenants at
# the default scale in a temp data dir, one token per simulated user (spread over the tenants), the server on
# a free local port, then crates/server/benches/load.rs: LOAD_USERS analysts (default 50) asking, listing,
# saving and exporting for LOAD_SECONDS (default 60), twice against the same server. It fails on any HTTP
# error or cross-tenant answer, and prints latencies per route and the server's memory in both rounds.
#
#   scripts/load.sh                                   # builds inda (release) into the shared target dir
#   INDA_BIN=/path/to/inda scripts/load.sh            # an existing binary
#   LOAD_USERS=20 LOAD_SECONDS=30 scripts/load.sh
#   LOAD_THINK_MS=1000 scripts/load.sh                # users pause 0.5–1.5 s between requests (default: none)
#   LOAD_CONCURRENT_PER_TENANT=8 LOAD_CONCURRENT_TOTAL=8 scripts/load.sh   # `[limits]` of config.toml
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh

users="${LOAD_USERS:-50}"
seconds="${LOAD_SECONDS:-60}"
rounds="${LOAD_ROUNDS:-2}"
tenants=(acme_corp globex initech umbrella stark_ind)

if [[ -z "${INDA_BIN:-}" ]]; then
  # Measure what ships: the release build.
  cargo build --release -p inda-cli --locked
  INDA_BIN="$CARGO_TARGET_DIR/release/inda"
fi
# Built before the server starts and run as built, so that no compilation (of an edit made meanwhile)
# competes with the server for the cores.
generator="$(cargo bench -p inda-server --bench load --locked --no-run --message-format=json-render-diagnostics |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
if [[ -z "$generator" ]]; then
  echo "the load generator (crates/server/benches/load.rs) did not build" >&2
  exit 1
fi

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
data="$tmp/data"

echo "demo warehouse (default scale, ${#tenants[@]} tenants) in $data"
"$INDA_BIN" demo init --data-dir "$data" >/dev/null
for ((i = 0; i < users; i++)); do
  tenant="${tenants[i % ${#tenants[@]}]}"
  user="load-$i@example.com"
  token="$("$INDA_BIN" token mint --data-dir "$data" --tenant "$tenant" --user "$user" --ttl 2h)"
  echo "$tenant $user $token" >>"$tmp/tokens"
done

# The documented `[limits]` settings (README, "Query limits"), only when asked for: by default the server
# runs with the defaults a deployment gets.
limit() {
  local key="$1" value="$2" config="$data/config.toml"
  [[ -n "$value" ]] || return 0
  if grep -q '^\[limits\]$' "$config"; then
    sed -i "/^\[limits\]\$/a $key = $value" "$config"
  else
    printf '\n[limits]\n%s = %s\n' "$key" "$value" >>"$config"
  fi
}
limit concurrent_per_tenant "${LOAD_CONCURRENT_PER_TENANT:-}"
limit concurrent_total "${LOAD_CONCURRENT_TOTAL:-}"
echo "[limits]: concurrent_per_tenant = ${LOAD_CONCURRENT_PER_TENANT:-2 (default)}," \
  "concurrent_total = ${LOAD_CONCURRENT_TOTAL:-4 (default; never below concurrent_per_tenant)}"

"$INDA_BIN" serve --data-dir "$data" --bind 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
server=$!
base=""
for _ in $(seq 300); do
  base="$(sed -n 's|^serving on \(http://[^/]*\)/.*|\1|p' "$tmp/serve.out")"
  [[ -n "$base" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "inda serve exited:" >&2
    cat "$tmp/serve.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$base" ]]; then
  echo "inda serve printed no address in 30 s" >&2
  exit 1
fi
echo "inda serve (pid $server) on $base"

# Bounded: the rounds, plus time for the answers in flight at each deadline and the idle pause after it.
LOAD_BASE="$base" LOAD_TOKENS="$tmp/tokens" LOAD_SERVER_PID="$server" LOAD_SECONDS="$seconds" \
  LOAD_ROUNDS="$rounds" timeout "$((rounds * (seconds + 100)))" "$generator"
