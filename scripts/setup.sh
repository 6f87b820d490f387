#!/usr/bin/env bash
# One command for a newcomer on a fresh Debian/Ubuntu machine: installs what the build needs (system packages,
# Rust, Node), builds the web UI and `inda` (release), creates the embedded demo warehouse and asks it a
# question.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

. scripts/deps.sh

apt_need build-essential pkg-config python3 ca-certificates curl gnome-keyring dbus dbus-x11
ensure_rust
ensure_node

# The UI is built first: `inda` embeds ui/dist, and `inda serve` serves it.
ui_install
echo "==> building the web UI"
(cd ui && npm run build --silent)

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
echo "In a browser: $inda serve, then open http://127.0.0.1:8765/?token=\$INDA_TOKEN"
