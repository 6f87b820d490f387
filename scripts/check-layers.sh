#!/usr/bin/env bash
# Checks the crate graph the README describes: the front ends (the CLI, `inda serve`, the desktop shell) are
# thin adapters over inda-app. They depend on inda-app and inda-core only (and the CLI on inda-server, to
# start it), and their code names no lower crate. Run by test.sh; fails with the offending edges.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo metadata --format-version 1 --no-deps --offline | python3 -c '
import json, pathlib, re, sys

FRONT_ENDS = {
    "inda-cli": {"inda-app", "inda-core", "inda-server"},
    "inda-server": {"inda-app", "inda-core"},
    "indigital-analytics": {"inda-app", "inda-core"},
}
meta = json.load(sys.stdin)
ours = {p["name"] for p in meta["packages"]}
problems = []
for p in meta["packages"]:
    allowed = FRONT_ENDS.get(p["name"])
    if allowed is None:
        continue
    for d in p["dependencies"]:
        # Dev-dependencies may reach lower crates (a test sets up a warehouse); the product may not.
        if d["name"] in ours and d["kind"] != "dev" and d["name"] not in allowed:
            problems.append(p["name"] + " depends on " + d["name"])
    lower = sorted(ours - allowed - {p["name"]})
    pattern = re.compile(r"\b(" + "|".join(n.replace("-", "_") for n in lower) + r")\b")
    src = pathlib.Path(p["manifest_path"]).parent / "src"
    for f in sorted(src.rglob("*.rs")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            m = pattern.search(line)
            if m:
                problems.append(f"{f.relative_to(pathlib.Path.cwd())}:{n} names {m.group(1)}")
if problems:
    print("front ends must depend only on inda-app and inda-core:", *problems, sep="\n  ")
    sys.exit(1)
print("crate graph: the front ends depend only on inda-app and inda-core")
'
