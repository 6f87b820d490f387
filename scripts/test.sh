#!/usr/bin/env bash
# Runs every check and test: formatting, clippy with warnings denied, and the whole test suite (unit,
# integration, end-to-end through the `inda` binary). `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset INDA_TOKEN INDA_DATA_DIR

need_apt=()
# gnome-keyring and dbus: the OS keyring tests talk to a real Secret Service.
for pkg in build-essential pkg-config python3 gnome-keyring dbus dbus-x11; do
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
echo "==> cargo test (in a private D-Bus session with a fresh, unlocked gnome-keyring)"
# A throwaway keyring home: the tests never touch the user's own keyring, and a keyring left locked by an
# earlier run cannot get in the way.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n inda-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec cargo test --workspace --locked
' 2> >(grep -v "Failed to set fd limit" >&2)
echo "==> all checks passed in $(( $(date +%s) - start )) s"
