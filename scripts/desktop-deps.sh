#!/usr/bin/env bash
# Installs what the desktop app (src-tauri) needs and is missing; safe to run again (installs nothing when
# everything is there). Uses sudo only when not root.
#
#   scripts/desktop-deps.sh           build and test packages, and tauri-driver (the desktop smoke test)
#   scripts/desktop-deps.sh --build   only what building the app and its .deb/.rpm needs
set -euo pipefail

# WebKitGTK 4.1 and GTK 3 for the window; appindicator, rsvg and xdo are linked by Tauri's tray, icon and
# input code; libappindicator3-dev has no candidate on bookworm, hence the ayatana one.
build_pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev libxdo-dev
  build-essential pkg-config)
# The smoke test: a virtual display, Debian's WebKitWebDriver, a D-Bus session (single-instance needs one)
# with a Secret Service for the keyring, and xdg-mime + update-desktop-database for the deep-link registration.
test_pkgs=(xvfb xauth webkit2gtk-driver dbus-x11 xdg-utils desktop-file-utils gnome-keyring)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build" ] || want+=("${test_pkgs[@]}")

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "==> installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if [ "${1:-}" != "--build" ]; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$cargo_bin/tauri-driver" ]; then
    echo "==> installing tauri-driver into $cargo_bin"
    # Its own target dir: a tool build must not churn the project's shared one.
    env -u CARGO_TARGET_DIR cargo install tauri-driver --locked
  fi
fi
