#!/usr/bin/env bash
# The embedded engine beside DuckDB on the same tenant's Parquet files (issue 22): seven query shapes
# (bench/peer-shapes.json, or the file PEER_SHAPES names), warm and cold, with the ratios, as a Markdown
# table. DuckDB comes from its Python package in a private venv under ~/.cache/inda-bench, a reference only,
# never a dependency of the product.
#
#   scripts/bench-peer.sh                  # the demo's default scale
#   PEER_SCALE=12 scripts/bench-peer.sh    # about 10.4 million messages (3.6 million for the largest tenant)
#
# The data is generated once per scale and version of the generator (plain Parquet, which DuckDB reads)
# under ~/.cache/inda-bench and reused; PEER_RUNS (default 10) warm runs in each of PEER_ROUNDS (default 3) rounds
# that take the engines in turns, PEER_COLD_RUNS (default 5) fresh processes per shape and engine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/env.sh

scale="${PEER_SCALE:-1}"
cache="$HOME/.cache/inda-bench"
# The generator's version: its sources, the marts' definition and the files' layout and encodings at HEAD.
generator="$(git rev-parse HEAD:crates/demo HEAD:crates/core/src/marts.txt HEAD:crates/warehouse/src/clustered.rs \
  HEAD:crates/warehouse/src/encryption.rs |
  sha1sum | cut -c1-10)"
data="$cache/scale-$scale-$generator"
venv="$cache/venv"
mkdir -p "$data"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'duckdb==1.4.*'

# Measure what ships: release builds.
cargo build --release -p inda-cli --locked
peer="$(cargo bench -p inda-warehouse --bench peer --locked --no-run --message-format=json-render-diagnostics |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
# The peer binary generates the data at this scale when there is none.
export PEER_SCALE="$scale"
# Cold runs are `inda sql` processes on this data dir: like the warm ones, they read the facts, as DuckDB
# does, unless PEER_ROLLUPS=1 (the config's `[warehouse] rollups`).
rollups=false
[[ "${PEER_ROLLUPS:-0}" == 1 ]] && rollups=true
# Only `[warehouse] rollups` changes: the app writes the rest of the file (its other `[warehouse]` keys
# included) on first use.
touch "$data/config.toml"
python3 - "$data/config.toml" "$rollups" <<'EOF'
import re, sys
path, value = sys.argv[1], sys.argv[2]
out, section, done = [], None, False
for line in open(path).read().splitlines():
    text = line.strip()
    if text.startswith("["):
        section = text
    if section == "[warehouse]" and re.match(r"rollups\s*=", text):
        continue
    out.append(line)
    if text == "[warehouse]" and not done:
        out.append(f"rollups = {value}")
        done = True
if not done:
    out += ["", "[warehouse]", f"rollups = {value}"]
open(path, "w").write("\n".join(out) + "\n")
EOF
chmod 600 "$data/config.toml"
"$venv/bin/python" scripts/bench_peer.py --data-dir "$data" --inda "$CARGO_TARGET_DIR/release/inda" \
  --peer "$peer" --shapes "${PEER_SHAPES:-bench/peer-shapes.json}" \
  --runs "${PEER_RUNS:-10}" --cold-runs "${PEER_COLD_RUNS:-5}" --rounds "${PEER_ROUNDS:-3}"
