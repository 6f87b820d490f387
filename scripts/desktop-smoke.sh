#!/usr/bin/env bash
# The desktop smoke test: builds the app (debug) and `inda`, then runs src-tauri/tests/desktop/main.rs under Xvfb
# in a private D-Bus session with a fresh, unlocked gnome-keyring. The test prepares a demo data dir, signs
# in through `inda login`, drives the window through tauri-driver + WebKitWebDriver, asks one question,
# waits for the chart and prints the start-up, memory and answer timings (a `SMOKE-RESULT {json}` line). An
# alert set up before launch must then reach the test's own org.freedesktop.Notifications server over D-Bus.
#
#   scripts/desktop-smoke.sh             the debug app
#   scripts/desktop-smoke.sh --release   the release app (build it first, after the web UI: cargo build --release
#                                        -p indigital-analytics --features tauri/custom-protocol)
# Fails (non-zero exit) when anything does.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
unset INDA_TOKEN INDA_DATA_DIR

scripts/desktop-deps.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if [ ! -f ui/dist/index.html ]; then
  echo "==> building the web UI (the app embeds ui/dist)"
  (cd ui && { [ -d node_modules ] || npm ci; } && npm run build --silent)
fi

# The same package selection and command as test.sh's `cargo test --workspace`: features unify the same way,
# so after test.sh this builds nothing (the app, `inda` and the smoke test are among its outputs), and on its
# own it builds what test.sh would reuse. `-p indigital-analytics` alone would build much of the tree again.
echo "==> building the app (debug), inda and the smoke test"
cargo test --workspace --locked --no-run

if [ "${1:-}" = "--release" ]; then
  export INDA_DESKTOP_APP="$CARGO_TARGET_DIR/release/indigital-analytics"
  [ -x "$INDA_DESKTOP_APP" ] || { echo "no release build at $INDA_DESKTOP_APP: run cargo build --release -p indigital-analytics --features tauri/custom-protocol" >&2; exit 1; }
fi

# Throwaway homes: the keyring, the window-state file and the development build's scheme registration all
# land here, never in the user's own.
scratch=$(mktemp -d)
# The app's D-Bus session may have started xdg-document-portal, which mounts a FUSE file system under the
# cache dir and can outlive the session for a moment: unmount it, and never let cleaning up fail the run.
# (errexit is off inside: a failed unmount of a mount that is not there must not become the exit status.)
cleanup() {
  set +e
  fusermount3 -uz "$scratch/cache/doc" 2>/dev/null || fusermount -uz "$scratch/cache/doc" 2>/dev/null
  rm -rf "$scratch" 2>/dev/null
  return 0
}
trap cleanup EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"

echo "==> running the desktop smoke test under Xvfb"
# No WebKit environment variables: with WEBKIT_DISABLE_COMPOSITING_MODE or WEBKIT_DISABLE_DMABUF_RENDERER set,
# WebDriver screenshots hung on this kind of machine.
# The verdict is the test's own exit status, written to a file: xvfb-run and dbus-run-session have exited
# non-zero now and then while tearing down the session's helpers (portals, the a11y bus) after a passing test.
export INDA_SMOKE_STATUS="$scratch/status"
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- bash -c '
  set -uo pipefail
  echo -n inda-smoke | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --locked --test desktop -- --ignored --nocapture --test-threads=1 asks_a_question
  echo $? > "$INDA_SMOKE_STATUS"
' 2> >(grep -v "Failed to set fd limit" >&2) || true
status=$(cat "$INDA_SMOKE_STATUS" 2>/dev/null || echo 1)
[ "$status" = 0 ] || echo "the desktop smoke test failed (exit $status)" >&2
exit "$status"
