# Installing what the scripts need (sourced by setup.sh and test.sh, not run). Every function is idempotent:
# it checks first and installs only what is missing, with sudo only when not root.

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

# apt_need PKG...: installs the Debian/Ubuntu packages that are not installed yet.
apt_need() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing system packages: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi
}

# ensure_rust: rustup when there is no cargo; rust-toolchain.toml then picks the pinned toolchain.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "==> installing rustup (the toolchain version comes from rust-toolchain.toml)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# ensure_node: Node.js 20.19 or newer (Vite 7's floor). Debian's own nodejs is older, so NodeSource's
# Node 20 packages are used when needed.
ensure_node() {
  if command -v node >/dev/null 2>&1 && node -e '
      const [a, b] = process.versions.node.split(".").map(Number);
      process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    return
  fi
  echo "==> installing Node.js 20 (NodeSource packages)"
  apt_need ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | $sudo_cmd bash -
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs
}

# ui_install: `npm ci` when node_modules is missing or older than the lock file.
ui_install() {
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "==> installing the UI's packages (npm ci)"
    (cd ui && npm ci --no-audit --no-fund)
  fi
}

# ensure_cargo_tool NAME VERSION: a cargo subcommand the checks use (e.g. cargo-machete), installed once into
# ~/.cargo/bin. Built in its own target dir, so it never invalidates the project's build cache.
ensure_cargo_tool() {
  local name=$1 version=$2
  if "$name" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  echo "==> installing $name $version"
  CARGO_TARGET_DIR="$HOME/.cache/inda-tools-target" cargo install "$name" --version "$version" --locked --quiet
}
