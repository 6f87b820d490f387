#!/usr/bin/env bash
# Runs every check and test: the UI's type check, lint, unit tests and build; formatting, clippy with warnings
# denied, and the whole Rust test suite (unit, integration, end-to-end through the `inda` binary, the OS
# keyring, the fakesnow Snowflake peer, local Anthropic/OpenAI wire servers); the browser end-to-end tests;
# the desktop smoke test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset INDA_TOKEN INDA_DATA_DIR

. scripts/deps.sh

# gnome-keyring and dbus: the OS keyring tests talk to a real Secret Service.
apt_need build-essential pkg-config python3 python3-venv ca-certificates curl gnome-keyring dbus dbus-x11
ensure_rust
ensure_node
ensure_cargo_tool cargo-machete 0.9.2
# WebKitGTK and friends: the desktop app (src-tauri) is a workspace member, so clippy and the tests build it.
bash scripts/desktop-deps.sh --build

start=$(date +%s)
last=$start
# Each step's heading, with the time the step before it took: where a slow run's minutes went.
step() {
  local now
  now=$(date +%s)
  if [ "$now" -gt "$start" ]; then echo "    (previous step: $(( now - last )) s)"; fi
  last=$now
  echo "==> $*"
}
ui_install
step "UI: type check, lint, unit tests, build (inda embeds ui/dist, so this comes before cargo)"
(cd ui && npm run --silent check && npm run --silent lint && npm test --silent && npm run --silent build)
step "cargo fmt --check"
cargo fmt --all -- --check
step "crate graph and dependencies: front ends over inda-app only, no unused dependency"
bash scripts/check-layers.sh
cargo machete
step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo doc (warnings are errors)"
# Reuses clippy's checked dependencies: only the workspace's own crates are documented.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
step "cargo test (in a private D-Bus session with a fresh, unlocked gnome-keyring)"
# A throwaway keyring home: the tests never touch the user's own keyring, and a keyring left locked by an
# earlier run cannot get in the way.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n inda-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec cargo test --workspace --locked
' 2> >(grep -v "Failed to set fd limit" >&2)
step "browser end-to-end tests (headless Chromium against inda serve)"
bash scripts/e2e.sh
step "desktop smoke test (the app under Xvfb, driven by tauri-driver + WebKitWebDriver)"
bash scripts/desktop-smoke.sh
# The installed-app test needs the package (scripts/package.sh builds it and always runs this test); a fresh
# CI clone has none, so it runs only where a package exists.
if ls "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb >/dev/null 2>&1; then
  step "install test of the packaged app (apt, xdg-open links, single instance, updater)"
  bash scripts/install-smoke.sh
else
  step "no package in $CARGO_TARGET_DIR/release/bundle: the install test runs in scripts/package.sh"
fi
step "all checks passed in $(( $(date +%s) - start )) s"
