#!/usr/bin/env bash
# The installed app, as an analyst gets it: installs the .deb with apt on this machine, checks that its desktop
# entry registers indigital-analytics://, then under Xvfb with a real Secret Service opens links from "the
# CRM" with xdg-open: the first starts the app signed in as its user (`inda whoami` on the same data dir and
# keyring shows it), a second one for another user reaches the same running instance and switches user. Then
# the updater: a local update server on 127.0.0.1 offers an older version, a newer one whose package was
# tampered with, and a newer signed one, and the installed app takes only the last, once the user agrees.
# Finally it uninstalls the package and checks that the user's data is still there.
#
#   scripts/install-smoke.sh [DEB]   default: the .deb scripts/package.sh made
#
# Needs root or sudo (apt, dpkg). The updater part needs the private key the package's public key belongs
# to: TAURI_SIGNING_PRIVATE_KEY (+ _PASSWORD) as for the release, else the throwaway key package.sh left next
# to the bundle; without either it is skipped, saying so. Run by package.sh, and by test.sh when a package
# exists.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/deps.sh
unset INDA_TOKEN INDA_DATA_DIR

bundle="$CARGO_TARGET_DIR/release/bundle"
deb=${1:-$(ls -t "$bundle"/deb/*.deb 2>/dev/null | head -1 || true)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "install-smoke: no .deb (run scripts/package.sh)" >&2; exit 1; }
deb=$(realpath "$deb")
package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
scheme=indigital-analytics
# The app's processes, however started (the desktop entry runs `indigital-analytics %u`, tauri-driver the full
# path); not xdg-open, whose argument only starts with the name.
export APP_RE='(^|/)indigital-analytics( |$)'

# sudo: the updater installs through pkexec or sudo, as on a user's machine.
apt_need xvfb xauth dbus-x11 xdg-utils desktop-file-utils gnome-keyring sudo python3
bash scripts/desktop-deps.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
inda="${INDA_BIN:-$CARGO_TARGET_DIR/debug/inda}"
if [ ! -x "$inda" ]; then
  echo "==> building inda (debug)"
  cargo build --locked -p inda-cli
fi
echo "==> building the update test (debug)"
cargo test --workspace --locked --test desktop --no-run 2>&1 | tail -1

echo "==> installing $(basename "$deb") with apt"
$sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall --allow-downgrades "$deb" >/dev/null
app=$(dpkg -L "$package" | grep -m1 "/bin/")
desktop=$(dpkg -L "$package" | grep -m1 '\.desktop$')
echo "    $package $version: $app, $desktop"
grep -q "^MimeType=.*x-scheme-handler/$scheme" "$desktop" ||
  { echo "install-smoke: $desktop does not claim x-scheme-handler/$scheme" >&2; exit 1; }
grep -q "^Exec=.* %u" "$desktop" || { echo "install-smoke: $desktop does not pass the link (%u)" >&2; exit 1; }

scratch=$(mktemp -d)
cleanup() {
  set +e
  pkill -f "$APP_RE" 2>/dev/null
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
  fusermount3 -uz "$scratch/cache/doc" 2>/dev/null || fusermount -uz "$scratch/cache/doc" 2>/dev/null
  rm -rf "$scratch" 2>/dev/null
  return 0
}
trap cleanup EXIT
# Throwaway homes for the user's data, keyring and desktop state; the toolchain stays where it is.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
handler=$(xdg-mime query default "x-scheme-handler/$scheme")
[ "$handler" = "$(basename "$desktop")" ] ||
  { echo "install-smoke: xdg-mime says '$handler' handles $scheme://, not $(basename "$desktop")" >&2; exit 1; }
echo "    xdg-mime: $scheme:// → $handler"

# The updater's packages: the same build repackaged as the next patch version (building the app twice would
# double the packaging time), signed with the key the installed app trusts; a copy with one byte changed
# keeps the good signature; the older manifest points at the good package.
updates="$scratch/updates"
mkdir -p "$updates"
key_file="$bundle/update-key/update.key"
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ] && [ -f "$key_file" ]; then
  export TAURI_SIGNING_PRIVATE_KEY="$(cat "$key_file")" TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
fi
next=""
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  IFS=. read -r major minor patch <<<"${version%%-*}"
  next="$major.$minor.$((patch + 1))"
  dpkg-deb -R "$deb" "$updates/tree"
  sed -i "s/^Version: .*/Version: $next/" "$updates/tree/DEBIAN/control"
  dpkg-deb -Zxz -b "$updates/tree" "$updates/app-$next.deb" >/dev/null
  rm -rf "$updates/tree"
  ui/node_modules/.bin/tauri signer sign "$updates/app-$next.deb" >/dev/null
  python3 - "$updates" "$next" <<'EOF'
import json, sys, pathlib
d, nxt = pathlib.Path(sys.argv[1]), sys.argv[2]
good = (d / f"app-{nxt}.deb").read_bytes()
bad = bytearray(good); bad[len(bad) // 2] ^= 1
(d / "tampered.deb").write_bytes(bad)
sig = (d / f"app-{nxt}.deb.sig").read_text().strip()
def manifest(name, version, pkg):
    (d / name).write_text(json.dumps({"version": version, "notes": "The next version.", "pub_date": "2026-12-01T12:00:00Z",
        "platforms": {"linux-x86_64-deb": {"url": f"{{base}}{pkg}", "signature": sig}}}))
manifest("newer.json", nxt, f"app-{nxt}.deb")
manifest("tampered.json", nxt, "tampered.deb")
manifest("older.json", "0.0.1", f"app-{nxt}.deb")
EOF
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port/"
  sed -i "s#{base}#$base#" "$updates"/*.json
  python3 -m http.server --bind 127.0.0.1 --directory "$updates" "$port" >/dev/null 2>&1 &
  server_pid=$!
else
  echo "    (no signing key: the updater part is skipped; package.sh provides one)"
fi

echo "==> opening $scheme:// links under Xvfb, with a Secret Service"
export INDA_APP="$app" INDA="$inda" INDA_PACKAGE="$package" INDA_UPDATE_BASE="${base:-}" INDA_UPDATE_VERSION="$next" INDA_SMOKE_STATUS="$scratch/status"
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n inda-install | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$INDA" demo init --scale 0.05 --tenants acme_corp,globex >/dev/null
  ana=$("$INDA" token mint --tenant acme_corp --user ana@acme.example --name Ana)
  gus=$("$INDA" token mint --tenant globex --user gus@globex.example --name Gus)
  # whoami USER: waits (30 s at most) until the keyring holds USER'"'"'s session.
  whoami() {
    for _ in $(seq 300); do
      "$INDA" whoami --format json 2>/dev/null | grep -q "\"user_id\": *\"$1\"" && return 0
      sleep 0.1
    done
    echo "install-smoke: the app did not sign $1 in" >&2; "$INDA" whoami >&2 || true; return 1
  }
  instances() { pgrep -f "$APP_RE" | wc -l; }

  # A generic xdg-open runs the handler in the foreground: the first link starts the app, so it goes to the
  # background; the second returns once its process has handed the link to the running one.
  xdg-open "indigital-analytics://open?token=$ana" >/dev/null 2>&1 &
  whoami ana@acme.example
  first=$(pgrep -o -f "$APP_RE")
  echo "    first link: the app (pid $first) started and signed in ana@acme.example"
  timeout 30 xdg-open "indigital-analytics://open?token=$gus" >/dev/null 2>&1
  whoami gus@globex.example
  sleep 1
  [ "$(instances)" = 1 ] && [ "$(pgrep -o -f "$APP_RE")" = "$first" ] ||
    { echo "install-smoke: the second link started another instance" >&2; pgrep -a -f "$APP_RE" >&2; exit 1; }
  echo "    second link: the same instance (pid $first) switched to gus@globex.example"
  pkill -f "$APP_RE"; sleep 1

  if [ -n "$INDA_UPDATE_BASE" ]; then
    echo "==> the updater against $INDA_UPDATE_BASE"
    INDA_DESKTOP_APP="$INDA_APP" INDA_BIN="$INDA" cargo test --workspace --locked --test desktop -- \
      --ignored --nocapture --test-threads=1 the_installed_app_updates
    pkill -f "$APP_RE" || true
  fi
  echo 0 > "$INDA_SMOKE_STATUS"
' 2> >(grep -v "Failed to set fd limit" >&2) || true
[ "$(cat "$INDA_SMOKE_STATUS" 2>/dev/null)" = 0 ] || { echo "install-smoke: failed" >&2; exit 1; }
[ -z "$next" ] || echo "    installed version after the update: $(dpkg-query -W -f='${Version}' "$package")"

echo "==> uninstalling: the user's data stays"
$sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null
[ ! -e "$app" ] || { echo "install-smoke: $app is still there after removal" >&2; exit 1; }
for kept in warehouse store.sqlite; do
  [ -e "$XDG_DATA_HOME/indigital-analytics/$kept" ] ||
    { echo "install-smoke: the user's $kept went with the package" >&2; exit 1; }
done
[ -z "$(xdg-mime query default "x-scheme-handler/$scheme")" ] || echo "    (the scheme is still mapped in a per-user list)"
echo "==> install smoke test passed"
