#!/usr/bin/env bash
# One tenant at a large scale (issue 22): `inda demo init` of a single tenant (default umbrella at scale 330,
# about 100 million messages), timed, with its peak memory and its disk use, then every question of the dev
# set (eval/nl-dev.jsonl) asked warm in one process, with the process's memory and a cancelled heavy query
# (crates/app/benches/dev_set.rs).
#
#   scripts/bench-scale.sh                         # umbrella at scale 330
#   SCALE=36 scripts/bench-scale.sh                # about 10 million messages
#   SCALE_TENANT=acme_corp SCALE=100 scripts/bench-scale.sh
#
# The data dir is kept under ~/.cache/inda-bench/tenant-<tenant>-<scale> and reused; delete it to measure
# `demo init` again. Release builds, as shipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh
. scripts/deps.sh
apt_need time

scale="${SCALE:-330}"
tenant="${SCALE_TENANT:-umbrella}"
data="$HOME/.cache/inda-bench/tenant-$tenant-$scale"

cargo build --release -p inda-cli --locked
bench="$(cargo bench -p inda-app --bench dev_set --locked --no-run --message-format=json-render-diagnostics |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
inda="$CARGO_TARGET_DIR/release/inda"

if [[ ! -f "$data/warehouse/manifest.json" ]]; then
  mkdir -p "$data"
  echo "==> inda demo init --scale $scale --tenants $tenant (free disk: $(df -h --output=avail "$data" | tail -n 1 | tr -d ' '))"
  # GNU time's -f: wall seconds and peak resident KiB of the generator.
  /usr/bin/time -f '%e %M' -o "$data/init.time" \
    "$inda" --data-dir "$data" demo init --scale "$scale" --tenants "$tenant" > "$data/init.log"
  read -r secs kib < "$data/init.time"
  echo "demo init: ${secs} s, peak RSS $((kib / 1024)) MiB, warehouse $(du -sh "$data/warehouse" | cut -f1)"
fi
grep -o '"messages": *[0-9]*' "$data/warehouse/manifest.json" | head -n 1
SCALE_DATA_DIR="$data" SCALE_TENANT="$tenant" "$bench" --bench
