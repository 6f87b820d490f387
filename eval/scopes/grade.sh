#!/usr/bin/env bash
# grade.sh INDA_EXE CASES_FILE
#
# Grades the roles-from-token / --scope / by-company eval cases (JSONL) against
# an `inda` binary. Creates a throw-away data dir, generates the demo warehouse
# once, mints one token per case and runs it with --format json. Cases with a
# gold_sql are compared with the result of that gold query run by a
# platform_admin token of indigital/acme_corp through `inda sql`.
#
# Output: one line per case, "PASS <id>" or "FAIL <id> <reason>", then
# "passed N/M". Exit status 0 when every case passed, 1 otherwise, 2 on setup
# errors.
#
# Optional environment:
#   GRADE_TIMEOUT=300    seconds per inda invocation
#   GRADE_PROVIDER=name  adds `--provider name` to every `ask`
#   GRADE_VERBOSE=1      dumps stdout/stderr of failing cases to stderr
#   GRADE_KEEP=1         keeps the temp dir (path printed on stderr)
set -u

if [ "$#" -ne 2 ]; then
  echo "usage: $0 INDA_EXE CASES_FILE" >&2
  exit 2
fi
INDA="$1"
CASES="$2"
command -v python3 >/dev/null 2>&1 || { echo "grade.sh needs python3" >&2; exit 2; }
[ -f "$CASES" ] || { echo "no such cases file: $CASES" >&2; exit 2; }
if [ ! -x "$INDA" ] && ! command -v "$INDA" >/dev/null 2>&1; then
  echo "not an executable: $INDA" >&2
  exit 2
fi
case "$INDA" in */*) INDA="$(cd "$(dirname "$INDA")" && pwd)/$(basename "$INDA")" ;; esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/inda-eval-scopes.XXXXXX")"
if [ "${GRADE_KEEP:-}" = "1" ]; then
  echo "keeping work dir: $WORK" >&2
else
  trap 'rm -rf "$WORK"' EXIT
fi
DATA="$WORK/data"
mkdir -p "$DATA"

# Never let the caller's session leak into the run.
unset INDA_TOKEN INDA_DATA_DIR

if ! "$INDA" --data-dir "$DATA" demo init --scale 0.05 --as-of 2026-11-20 >"$WORK/init.out" 2>"$WORK/init.err"; then
  echo "setup failed: demo init exited non-zero" >&2
  head -c 2000 "$WORK/init.err" >&2
  exit 2
fi

python3 - "$INDA" "$CASES" "$DATA" <<'PY'
import json
import os
import re
import subprocess
import sys

INDA, CASES, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = float(os.environ.get("GRADE_TIMEOUT", "300"))
PROVIDER = os.environ.get("GRADE_PROVIDER") or None
VERBOSE = os.environ.get("GRADE_VERBOSE") == "1"
REL_TOL = 0.005

# Demo data (data-model.md): tenant -> partner.
PARTNER_OF = {
    "acme_corp": "indigital", "globex": "indigital", "initech": "indigital",
    "umbrella": "indigital", "stark_ind": "other_partner",
}
ALL_TENANTS = set(PARTNER_OF)
ERR_CODE = {2: "usage", 3: "guard_rejected", 4: "auth", 5: "engine", 6: "not_understood"}

ENV = dict(os.environ)
ENV.pop("INDA_TOKEN", None)
ENV.pop("INDA_DATA_DIR", None)


def one_line(s, n=240):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 3] + "..."


def run(args):
    try:
        p = subprocess.run([INDA] + args, capture_output=True, text=True,
                           timeout=TIMEOUT, env=ENV, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "", "timeout after %ss" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


def run_cmd(token, sub, args, opts):
    """Runs `inda --data-dir D [--token T] SUB ARGS OPTS`.  If that is a usage
    error (exit 2) and there are options, retries with the options placed
    before the subcommand (global-flag position)."""
    base = ["--data-dir", DATA] + (["--token", token] if token else [])
    rc, out, err = run(base + sub + args + opts)
    if rc == 2 and opts:
        rc2, out2, err2 = run(base + opts + sub + args)
        if rc2 != 2:
            return rc2, out2, err2
    return rc, out, err


def parse_json(out):
    s = (out or "").strip()
    if not s:
        return None
    try:
        return json.loads(s)
    except ValueError:
        pass
    # tolerate log noise before the object: take the last line that parses
    for line in reversed(s.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


JWT_RE = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")


def mint(tenant, user, partner, roles):
    args = ["--tenant", tenant, "--user", user, "--partner", partner]
    if roles:
        args += ["--roles", ",".join(roles)]
    rc, out, err = run_cmd(None, ["token", "mint"], args, ["--format", "json"])
    if rc != 0:
        return None, rc, "token mint exit %s: %s" % (rc, one_line(err or out))
    obj = parse_json(out)
    if isinstance(obj, dict) and isinstance(obj.get("token"), str):
        return obj["token"], 0, None
    s = (out or "").strip()
    if JWT_RE.match(s):
        return s, 0, None
    return None, rc, "token mint printed no token: %s" % one_line(out)


# ---------------------------------------------------------------- comparison
NUM_RE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def cell(v):
    if isinstance(v, bool):
        return ("s", "true" if v else "false")
    if v is None:
        return ("s", "null")
    if isinstance(v, (int, float)):
        return ("n", float(v))
    if isinstance(v, str):
        t = v.strip()
        if NUM_RE.match(t):
            return ("n", float(t))
        return ("s", t)
    return ("s", json.dumps(v, sort_keys=True))


def close(a, b):
    if a == b:
        return True
    d = abs(a - b)
    return d <= REL_TOL * max(abs(a), abs(b)) or d < 1e-9


def nums_match(xs, ys):
    if len(xs) != len(ys):
        return False
    return all(close(a, b) for a, b in zip(sorted(xs), sorted(ys)))


def norm_row(row):
    if not isinstance(row, list):
        row = list(row.values()) if isinstance(row, dict) else [row]
    cells = [cell(v) for v in row]
    strs = sorted(v for k, v in cells if k == "s")
    nums = sorted(v for k, v in cells if k == "n")
    return strs, nums


def compare_rows(got, gold):
    g = [norm_row(r) for r in got]
    w = [norm_row(r) for r in gold]
    if len(g) != len(w):
        return "row count %d, gold %d" % (len(g), len(w))
    used = [False] * len(g)
    for ws, wn in w:
        hit = False
        for i, (gs, gn) in enumerate(g):
            if not used[i] and gs == ws and nums_match(gn, wn):
                used[i] = hit = True
                break
        if not hit:
            return "gold row %s not found in output" % one_line(json.dumps(ws + wn), 160)
    return None


def numeric_values(rows):
    vals = []
    for r in rows:
        if not isinstance(r, list):
            r = list(r.values()) if isinstance(r, dict) else [r]
        for v in r:
            k, x = cell(v)
            if k == "n":
                vals.append(x)
    return vals


def compare_values(got, gold):
    a, b = numeric_values(got), numeric_values(gold)
    if nums_match(a, b):
        return None
    return "numeric values %s, gold %s" % (one_line(sorted(a), 120), one_line(sorted(b), 120))


def result_rows(obj):
    rows = obj.get("rows")
    if not isinstance(rows, list):
        return None, None
    n = obj.get("row_count")
    if not isinstance(n, int) or isinstance(n, bool):
        n = len(rows)
    return rows, n


# ---------------------------------------------------------------- reach
def reach(case):
    roles = case.get("roles") or ["analyst"]
    tenant, partner = case["tenant"], case["partner"]
    if "platform_admin" in roles:
        r = set(ALL_TENANTS)
    elif "partner_admin" in roles:
        r = {t for t, p in PARTNER_OF.items() if p == partner}
    else:
        r = {tenant}
    if case.get("scope"):
        r &= {s.strip() for s in case["scope"].split(",") if s.strip()}
    return r


def leaked_tenants(rows, allowed):
    forbidden = ALL_TENANTS - allowed
    seen = set()
    for r in rows:
        vals = r if isinstance(r, list) else (list(r.values()) if isinstance(r, dict) else [r])
        for v in vals:
            if isinstance(v, str) and v.strip() in forbidden:
                seen.add(v.strip())
    return seen


# ---------------------------------------------------------------- main
cases = []
with open(CASES, encoding="utf-8") as f:
    for ln, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            cases.append(json.loads(line))
        except ValueError as e:
            print("FAIL line%d unparseable case: %s" % (ln, e))
            cases.append(None)

gold_token, _, gold_err = mint("acme_corp", "eval18.gold@indigital.test", "indigital", ["platform_admin"])
gold_cache = {}


def run_gold(sql):
    if sql in gold_cache:
        return gold_cache[sql]
    if gold_token is None:
        res = (None, "gold token unavailable (%s)" % gold_err)
    else:
        rc, out, err = run_cmd(gold_token, ["sql"], [sql], ["--format", "json"])
        obj = parse_json(out)
        if rc != 0 or not isinstance(obj, dict):
            res = (None, "gold query failed (exit %s): %s" % (rc, one_line((obj or {}).get("error") if isinstance(obj, dict) else (err or out))))
        else:
            rows, n = result_rows(obj)
            if rows is None:
                res = (None, "gold output has no rows")
            elif obj.get("truncated"):
                res = (None, "gold output truncated")
            else:
                res = ((rows, n), None)
    gold_cache[sql] = res
    return res


def grade(case):
    cid = case.get("id", "?")
    kind = case.get("kind")
    exp = case.get("expect_exit", 0)
    roles = case.get("roles") or ["analyst"]
    tenant, partner = case.get("tenant"), case.get("partner")
    user = "eval18.%s.%s@%s.test" % (roles[0], tenant, partner)

    token, mrc, merr = mint(tenant, user, partner, roles)
    if token is None:
        if exp == 4 and PARTNER_OF.get(tenant) != partner and mrc not in (None, 0):
            return None  # the partner mismatch was refused already at mint time
        return "could not mint token: %s" % merr

    if case.get("question") is not None and kind in ("ask", "refuse"):
        sub, args = ["ask"], [case["question"]]
    elif case.get("sql") is not None:
        sub, args = ["sql"], [case["sql"]]
    else:
        return "case has neither question nor sql"
    opts = ["--format", "json"]
    if case.get("scope"):
        opts += ["--scope", case["scope"]]
    if sub == ["ask"] and PROVIDER:
        opts += ["--provider", PROVIDER]

    rc, out, err = run_cmd(token, sub, args, opts)
    grade.last = (out, err)
    if rc is None:
        return "timeout"
    obj = parse_json(out)

    if rc != exp:
        detail = ""
        if isinstance(obj, dict) and isinstance(obj.get("error"), dict):
            detail = "%s: %s" % (obj["error"].get("code"), obj["error"].get("message"))
        elif isinstance(obj, dict) and "rows" in obj:
            detail = "returned %s rows" % obj.get("row_count", len(obj.get("rows") or []))
        else:
            detail = err or out
        return "exit %s, expected %s (%s)" % (rc, exp, one_line(detail, 160))

    if exp != 0:
        if not isinstance(obj, dict) or not isinstance(obj.get("error"), dict):
            return "exit %s but no JSON error object on stdout" % rc
        code = obj["error"].get("code")
        want = ERR_CODE.get(exp)
        if want and code != want:
            return "error.code %r, expected %r" % (code, want)
        if "rows" in obj:
            return "refusal still printed rows"
        return None

    if not isinstance(obj, dict):
        return "stdout is not a JSON object: %s" % one_line(out, 120)
    rows, n = result_rows(obj)
    if rows is None:
        return "output has no rows array"
    leaked = leaked_tenants(rows, reach(case))
    if leaked:
        return "rows mention tenants outside reach: %s" % ",".join(sorted(leaked))

    gold_sql = case.get("gold_sql")
    if not gold_sql:
        return None
    gold, gerr = run_gold(gold_sql)
    if gold is None:
        return gerr
    grows, gn = gold
    how = case.get("compare") or "rows"
    if how == "row_count":
        return None if n == gn else "row_count %s, gold %s" % (n, gn)
    if obj.get("truncated"):
        return "output truncated (row_count %s), cannot compare %s" % (n, how)
    if how == "values":
        return compare_values(rows, grows)
    if how == "rows":
        return compare_rows(rows, grows)
    return "unknown compare mode %r" % how


grade.last = ("", "")
passed = total = 0
for case in cases:
    if case is None:
        total += 1
        continue
    total += 1
    grade.last = ("", "")
    try:
        reason = grade(case)
    except Exception as e:  # a grader bug must not hide the other cases
        reason = "grader error: %s: %s" % (type(e).__name__, e)
    if reason is None:
        passed += 1
        print("PASS %s" % case.get("id"))
    else:
        print("FAIL %s %s" % (case.get("id"), one_line(reason, 400)))
        if VERBOSE:
            o, e = grade.last
            sys.stderr.write("---- %s stdout ----\n%s\n---- %s stderr ----\n%s\n" % (case.get("id"), (o or "")[:4000], case.get("id"), (e or "")[:4000]))
    sys.stdout.flush()

print("passed %d/%d" % (passed, total))
sys.exit(0 if passed == total else 1)
PY
