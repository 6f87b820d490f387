#!/usr/bin/env bash
# Builds the desktop app as shipped and packages it as .deb and .rpm, signs both for the updater, prints the
# binary's and the packages' sizes, then runs the install test (scripts/install-smoke.sh) on the .deb.
#   scripts/package.sh              build, package, sign, install-test
#   scripts/package.sh --no-test    without the install test
#
# The build uses Cargo's `dist` profile (Cargo.toml: whole-program LTO, one codegen unit, no symbols; the
# measurements behind each setting are in the profile's comment). Packages land in
# $CARGO_TARGET_DIR/release/bundle/{deb,rpm}/, each with its `.sig`. AppImage is not built: the bundler
# downloads its tools from GitHub, which this kind of machine cannot reach.
#
# Update signing: the release pipeline sets TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD) and INDA_UPDATE_PUBKEY,
# its public half, which the app is built to trust. Without them this script makes a throwaway key pair once
# (in $CARGO_TARGET_DIR/release/bundle/update-key/, never in the repository), so a local package can be
# update-tested but trusts no one else's updates.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/deps.sh

scripts/desktop-deps.sh --build
apt_need rpm xz-utils
ensure_node
ui_install
tauri=ui/node_modules/.bin/tauri   # the Tauri CLI from npm (@tauri-apps/cli): prebuilt, no cargo install
bundle="$CARGO_TARGET_DIR/release/bundle"

echo "==> update signing key"
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  : "${INDA_UPDATE_PUBKEY:?set INDA_UPDATE_PUBKEY to the public half of TAURI_SIGNING_PRIVATE_KEY}"
  pubkey=$INDA_UPDATE_PUBKEY
  echo "    the release key (from the environment)"
else
  # Made once and kept: a new key would change the app's config and so its whole LTO link on every run.
  if [ ! -f "$bundle/update-key/update.key.pub" ]; then
    rm -rf "$bundle/update-key" && mkdir -p "$bundle/update-key" && chmod 700 "$bundle/update-key"
    "$tauri" signer generate --ci -p "" -w "$bundle/update-key/update.key" >/dev/null
  fi
  export TAURI_SIGNING_PRIVATE_KEY="$(cat "$bundle/update-key/update.key")" TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
  pubkey=$(cat "$bundle/update-key/update.key.pub")
  echo "    a throwaway key of this machine: $bundle/update-key/"
fi
# Merged into src-tauri/tauri.conf.json at build time (tauri-build reads TAURI_CONFIG; so does the bundler).
config="{\"plugins\":{\"updater\":{\"pubkey\":\"$pubkey\"}}}"

echo "==> building the web UI"
(cd ui && npm run build --silent)

echo "==> building the app (profile dist)"
TAURI_CONFIG="$config" cargo build --locked --profile dist -p indigital-analytics --features tauri/custom-protocol
built="$CARGO_TARGET_DIR/dist/indigital-analytics"
grep -qaF "$pubkey" "$built" || { echo "package: the update key is not in the built app" >&2; exit 1; }
# The bundler packages target/release's binary: put this one there (a copy, not cargo's hard link).
rm -f "$CARGO_TARGET_DIR/release/indigital-analytics"
mkdir -p "$CARGO_TARGET_DIR/release"
cp "$built" "$CARGO_TARGET_DIR/release/indigital-analytics"

echo "==> bundling .deb and .rpm"
rm -rf "$bundle/deb" "$bundle/rpm"
(cd src-tauri && TAURI_CONFIG="$config" "../$tauri" bundle --bundles deb,rpm --config "$config" >/dev/null)
deb=$(ls "$bundle"/deb/*.deb)
rpm=$(ls "$bundle"/rpm/*.rpm)

# The bundler writes the .deb's data with gzip; xz (what Debian's own packages use) makes it much smaller
# and every dpkg since Debian 6 reads it.
tree=$(mktemp -d)
dpkg-deb -R "$deb" "$tree/pkg"
gz_size=$(stat -c %s "$deb")
dpkg-deb -Zxz -z9 -b "$tree/pkg" "$deb" >/dev/null
rm -rf "$tree"

for f in "$deb" "$rpm"; do
  "$tauri" signer sign "$f" >/dev/null
done

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "==> sizes"
echo "    binary:  $(mib "$(stat -c %s "$built")")  $built"
echo "    .deb:    $(mib "$(stat -c %s "$deb")")  $deb  (gzip as bundled: $(mib "$gz_size"))"
echo "    .rpm:    $(mib "$(stat -c %s "$rpm")")  $rpm"
limit=$((25 * 1048576))
for f in "$deb" "$rpm"; do
  [ "$(stat -c %s "$f")" -le "$limit" ] || { echo "package: $(basename "$f") is over 25 MiB" >&2; exit 1; }
done

if [ "${1:-}" != "--no-test" ]; then
  bash scripts/install-smoke.sh "$deb"
fi
