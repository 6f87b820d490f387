#!/usr/bin/env bash
# The `fakesnow` protocol peer for the Snowflake tests (crates/snowflake/tests/snowflake/snowflake_parity.rs).
#
#   scripts/fakesnow.sh install      creates the venv (idempotent) under $INDA_FAKESNOW_HOME
#   scripts/fakesnow.sh run PORT     installs if needed, then runs the server on 127.0.0.1:PORT (foreground)
#
# fakesnow speaks Snowflake's HTTP protocol over DuckDB. The venv lives outside the work tree
# (default ~/.cache/inda-fakesnow) so that every clone and CI run reuses it; it needs python3 with venv
# (Debian: python3-venv). Versions are pinned: the server of 0.12 needs the connector below 5.
set -euo pipefail
home=${INDA_FAKESNOW_HOME:-$HOME/.cache/inda-fakesnow}
venv=$home/venv
spec_server='fakesnow[server]==0.12.*'
spec_connector='snowflake-connector-python<5'

install() {
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import fakesnow.server, uvicorn' 2>/dev/null; then
    return 0
  fi
  mkdir -p "$home"
  # A lock, so that two test processes starting at once do not build the same venv together.
  exec 9>"$home/.install.lock"
  flock 9
  if ! "$venv/bin/python" -c 'import fakesnow.server, uvicorn' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec_server" "$spec_connector" >&2
  fi
  flock -u 9
}

case "${1:-}" in
  install)
    install
    ;;
  run)
    port=${2:?usage: fakesnow.sh run PORT}
    install
    # Known gap of fakesnow 0.12: NULL timestamps are sent as structs without a null mask, so a NULL
    # arrives as 1970-01-01. The patch keeps fakesnow's own conversion and adds the mask.
    exec "$venv/bin/python" - "$port" <<'PY'
import sys

import pyarrow as pa
import pyarrow.compute as pc

import fakesnow.arrow as fa

_original = fa.timestamp_to_sf_struct


def timestamp_to_sf_struct(ts):
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks()
    if ts.null_count == 0:
        return _original(ts)
    nulls = ts.is_null()
    filled = pc.if_else(nulls, pa.scalar(0, type=pa.int64()).cast(ts.type), ts)
    struct = _original(filled)
    children = [struct.field(i) for i in range(struct.type.num_fields)]
    fields = [struct.type.field(i) for i in range(struct.type.num_fields)]
    return pa.StructArray.from_arrays(children, fields=fields, mask=nulls)


fa.timestamp_to_sf_struct = timestamp_to_sf_struct

# With INDA_FAKESNOW_PARENT set (the test harness's pid), the server ends when that process does, so a
# test run that crashes or is killed never leaves a server behind.
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402


def _watch(pid):
    while True:
        try:
            os.kill(pid, 0)
        except OSError:
            os._exit(0)
        time.sleep(1)


if os.environ.get("INDA_FAKESNOW_PARENT"):
    threading.Thread(target=_watch, args=(int(os.environ["INDA_FAKESNOW_PARENT"]),), daemon=True).start()

import uvicorn  # noqa: E402

import fakesnow.server  # noqa: E402

# One line per login and per refused statement would bury the test output.
import logging  # noqa: E402
import warnings  # noqa: E402

logging.getLogger("fakesnow.server").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", category=UserWarning)

# fakesnow has no SNOWFLAKE.CORTEX. With INDA_FAKESNOW_CORTEX_ANSWER set, a stand-in COMPLETE(model, prompt)
# is created in the shared database and answers that text to every prompt. (fakesnow turns a SQL UDF into a
# DuckDB macro returning its body; over the HTTP protocol it refuses the CREATE FUNCTION, so it is created
# here, in process.)
_cortex_answer = os.environ.get("INDA_FAKESNOW_CORTEX_ANSWER")
if _cortex_answer:
    if "$$" in _cortex_answer:
        sys.exit("INDA_FAKESNOW_CORTEX_ANSWER must not contain $$")
    _setup = fakesnow.server.shared_fs.connect("SNOWFLAKE", "CORTEX").cursor()
    _setup.execute(
        "CREATE OR REPLACE FUNCTION SNOWFLAKE.CORTEX.COMPLETE(model VARCHAR, prompt VARCHAR) RETURNS VARCHAR AS $$"
        + _cortex_answer
        + "$$"
    )

uvicorn.run(fakesnow.server.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
PY
    ;;
  *)
    echo "usage: $0 install | run PORT" >&2
    exit 2
    ;;
esac
