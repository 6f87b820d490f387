"""DuckDB beside the embedded engine on the very same Parquet files (called by scripts/bench-peer.sh).

Warm: the embedded engine's figures come from crates/warehouse/benches/peer.rs (a process per shape, after
untimed runs); DuckDB's from one connection here, after as many untimed runs, with views over the tenant's files.
The two take turns, shape by shape, for `--rounds` rounds, and each figure is the median of its rounds'
medians: this 2-core machine's speed drifts by 20-30% over minutes, and measuring every shape on one engine
before the other put that drift into the ratios (a shape measured 1.39x in one run and 2.15x in the next).
Cold: a fresh `inda sql` process, timed from spawn to exit (everything a user waits for), in turns with a fresh
DuckDB process timed from `connect()` to the fetched rows (its interpreter and import left out, in DuckDB's
favour). DuckDB is a reference only: it lives in the script's private venv, never in the product."""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

# Untimed runs before the timed ones, on both engines: each shape's figures come from a fresh process of the
# embedded engine, whose first runs fault in its memory (with one, a median of 10 carried that warm-up).
WARMUP = 3

TABLES = ["dim_contacts", "dim_campaigns", "fct_messages", "fct_activities", "fx_rates"]

COLD_DUCKDB = r"""
import duckdb, json, sys, time
wh, tenant, sql = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("CREATE SCHEMA marts")
for table in %r:
    con.execute(f"CREATE VIEW marts.{table} AS SELECT * FROM read_parquet('{wh}/marts/{table}/{tenant}/*.parquet')")
rows = con.execute(sql).fetchall()
print(json.dumps({"ms": (time.perf_counter() - t) * 1000, "rows": len(rows)}))
""" % (TABLES,)


def duckdb_views(con, wh, tenant):
    con.execute("CREATE SCHEMA marts")
    for table in TABLES:
        con.execute(f"CREATE VIEW marts.{table} AS SELECT * FROM read_parquet('{wh}/marts/{table}/{tenant}/*.parquet')")


def duckdb_warm(con, sql, runs, warmup):
    rows = len(con.execute(sql).fetchall())
    for _ in range(1, warmup):
        con.execute(sql).fetchall()
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        ms.append((time.perf_counter() - t) * 1000)
    return {"median_ms": statistics.median(ms), "rows": rows}


def inda_warm(peer, wh, tenant, shapes, runs):
    """The lines benches/peer.rs prints for `shapes` (none: it only generates the data when there is none)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(shapes, f)
        f.flush()
        env = dict(os.environ, PEER_WAREHOUSE=wh, PEER_SHAPES=f.name, PEER_RUNS=str(runs), PEER_WARMUP=str(WARMUP))
        if tenant:
            env["PEER_TENANT"] = tenant
        r = subprocess.run([peer, "--bench"], stdout=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"the embedded engine's bench failed ({r.returncode})")
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def duckdb_cold(wh, tenant, sql):
    r = subprocess.run([sys.executable, "-c", COLD_DUCKDB, wh, tenant, sql], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])["ms"]


def inda_cold(inda, data_dir, token, sql):
    t = time.perf_counter()
    r = subprocess.run([inda, "--data-dir", data_dir, "sql", sql, "--format", "json"], capture_output=True, text=True,
                       env=dict(os.environ, INDA_TOKEN=token))
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"inda sql failed ({r.returncode}): {r.stderr[-500:]}")
    return ms


def machine():
    """The CPU model, its cores and the memory: what the figures depend on."""
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "CPU")
    kib = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return f"{model}, {os.cpu_count()} cores, {kib / 2**20:.0f} GiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--inda", required=True)
    ap.add_argument("--peer", required=True, help="the binary of crates/warehouse/benches/peer.rs")
    ap.add_argument("--shapes", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    shapes = json.load(open(a.shapes))
    wh = os.path.join(a.data_dir, "warehouse")
    inda_warm(a.peer, wh, None, [], 1)
    manifest = json.load(open(os.path.join(wh, "manifest.json")))
    largest = max(manifest["tenants"], key=lambda t: t["messages"])
    tenant, mine = largest["tenant_id"], largest["messages"]
    total = sum(t["messages"] for t in manifest["tenants"])
    r = subprocess.run([a.inda, "--data-dir", a.data_dir, "token", "mint", "--tenant", tenant, "--user", "bench@example.com"],
                       capture_output=True, text=True, check=True)
    token = r.stdout.strip().splitlines()[-1]
    import duckdb
    con = duckdb.connect()
    # No progress bar: it would print into the figures' output on queries over two seconds.
    con.execute("SET enable_progress_bar = false")
    duckdb_views(con, wh, tenant)
    warm = {s["shape"]: ([], []) for s in shapes}
    for _ in range(a.rounds):
        for s in shapes:
            ours_now = inda_warm(a.peer, wh, tenant, [s], a.runs)[0]
            theirs_now = duckdb_warm(con, s["sql"], a.runs, WARMUP)
            if ours_now["rows"] != theirs_now["rows"]:
                sys.exit(f"{s['shape']}: inda returned {ours_now['rows']} rows, DuckDB {theirs_now['rows']}")
            warm[s["shape"]][0].append(ours_now["median_ms"])
            warm[s["shape"]][1].append(theirs_now["median_ms"])
    print(f"scale {manifest['scale']}: {total:,} messages in all, {mine:,} for {tenant}; DuckDB {duckdb.__version__}")
    print(f"{time.strftime('%Y-%m-%d')}, {machine()}; warm: median of {a.rounds} rounds' medians of {a.runs}, "
          f"cold: median of {a.cold_runs}, the engines in turns")
    head = ["shape", "inda warm ms", "DuckDB warm ms", "ratio", "ratio per round", "inda cold ms", "DuckDB cold ms", "ratio"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for s in shapes:
        ours, theirs = warm[s["shape"]]
        rounds = sorted(o / t for o, t in zip(ours, theirs))
        cold = [(inda_cold(a.inda, a.data_dir, token, s["sql"]), duckdb_cold(wh, tenant, s["sql"])) for _ in range(a.cold_runs)]
        ic, dc = (statistics.median(c) for c in zip(*cold))
        iw, dw = statistics.median(ours), statistics.median(theirs)
        print(f"| {s['shape']} | {iw:.1f} | {dw:.1f} | {iw / dw:.2f}× | {rounds[0]:.2f}–{rounds[-1]:.2f}× "
              f"| {ic:.0f} | {dc:.0f} | {ic / dc:.2f}× |")


main()
