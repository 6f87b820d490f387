#!/usr/bin/env bash
# Builds the desktop app in release and packages it as .deb and .rpm with the Tauri bundler.
#   scripts/package.sh
# The binary is stripped of its symbol table between building and bundling (the release profile keeps no
# debug info, but the symbols of the whole dependency tree are most of an unstripped binary's size).
# Packages land in $CARGO_TARGET_DIR/release/bundle/{deb,rpm}/; their sizes are printed.
# AppImage is not built: the bundler downloads its tools from GitHub, which this kind of machine cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

scripts/desktop-deps.sh --build
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! cargo tauri --version >/dev/null 2>&1; then
  echo "==> installing the Tauri CLI (once)"
  cargo install tauri-cli --version "^2" --locked
fi

echo "==> building the web UI"
(cd ui && { [ -d node_modules ] || npm ci; } && npm run build --silent)

echo "==> building the app (release)"
(cd src-tauri && cargo tauri build --no-bundle)
bin="$CARGO_TARGET_DIR/release/indigital-analytics"
before=$(stat -c %s "$bin")
strip --strip-all "$bin"
echo "    binary: $((before / 1048576)) MiB → $(( $(stat -c %s "$bin") / 1048576 )) MiB stripped"

echo "==> bundling .deb and .rpm"
(cd src-tauri && cargo tauri bundle --bundles deb,rpm)
for f in "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm; do
  printf '    %s  %s\n' "$(du -h "$f" | cut -f1)" "$f"
done
