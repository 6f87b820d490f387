#!/usr/bin/env bash
# Runs every check and test: formatting, clippy with warnings denied, and the whole test suite (unit,
# integration, end-to-end through the `inda` binary). `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset INDA_TOKEN INDA_DATA_DIR

need_apt=()
for pkg in build-essential pkg-config python3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

start=$(date +%s)
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo test"
cargo test --workspace --locked
echo "==> all checks passed in $(( $(date +%s) - start )) s"
