#!/usr/bin/env bash
# One command for a newcomer on a fresh Debian/Ubuntu machine: installs what the build needs, builds `inda`
# (release), creates the embedded demo warehouse and asks it a question.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

need_apt=()
for pkg in build-essential pkg-config python3 ca-certificates gnome-keyring dbus dbus-x11; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing system packages: ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: no Rust toolchain. Install rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

echo "==> building inda (release; the first build takes a while on a small machine)"
cargo build --release --locked --bin inda
inda="$CARGO_TARGET_DIR/release/inda"

echo "==> creating the demo warehouse in $INDA_DATA_DIR"
"$inda" demo init
token=$("$inda" token mint --tenant acme_corp --user maria@acme.example --name "María García" --roles analyst)

echo "==> asking: mensajes enviados por canal el mes pasado"
INDA_TOKEN="$token" "$inda" ask "mensajes enviados por canal el mes pasado"
echo
echo "Try more:  export INDA_DATA_DIR=$INDA_DATA_DIR INDA_TOKEN=\$($inda token mint --tenant acme_corp --user you@example.com)"
echo "           $inda ask \"top 5 campaigns by revenue\""
