# Shared settings of the setup and test scripts (sourced, not run).
# One cargo target directory outside the work tree, reused by every clone and by CI runs on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/inda-target}"
export INDA_DATA_DIR="${INDA_DATA_DIR:-$HOME/.local/share/indigital-analytics}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
