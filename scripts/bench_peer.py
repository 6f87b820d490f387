"""DuckDB beside the embedded engine on the very same Parquet files (called by scripts/bench-peer.sh).

Warm: the embedded engine's figures come from crates/warehouse/benches/peer.rs (one process, after an untimed
run); DuckDB's from one connection here, after an untimed run, with views over the same tenant's files.
Cold: a fresh `inda sql` process, timed from spawn to exit (everything a user waits for); a fresh DuckDB
process timed from `connect()` to the fetched rows (its interpreter and import left out, in DuckDB's favour).
DuckDB is a reference only: it lives in the script's private venv, never in the product."""
import argparse, json, os, statistics, subprocess, sys, time

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


def duckdb_warm(wh, tenant, shapes, runs):
    import duckdb
    # No progress bar: it would print into the figures' output on queries over two seconds.
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    duckdb_views(con, wh, tenant)
    out = {}
    for s in shapes:
        rows = len(con.execute(s["sql"]).fetchall())
        ms = []
        for _ in range(runs):
            t = time.perf_counter()
            con.execute(s["sql"]).fetchall()
            ms.append((time.perf_counter() - t) * 1000)
        out[s["shape"]] = {"median_ms": statistics.median(ms), "rows": rows}
    return out


def duckdb_cold(wh, tenant, sql, runs):
    ms = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", COLD_DUCKDB, wh, tenant, sql], capture_output=True, text=True, check=True)
        ms.append(json.loads(r.stdout.strip().splitlines()[-1])["ms"])
    return statistics.median(ms)


def inda_cold(inda, data_dir, token, sql, runs):
    env = dict(os.environ, INDA_TOKEN=token)
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run([inda, "--data-dir", data_dir, "sql", sql, "--format", "json"], capture_output=True, text=True, env=env)
        ms.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            sys.exit(f"inda sql failed ({r.returncode}): {r.stderr[-500:]}")
    return statistics.median(ms)


def machine():
    """The CPU model, its cores and the memory: what the figures depend on."""
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "CPU")
    kib = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return f"{model}, {os.cpu_count()} cores, {kib / 2**20:.0f} GiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--inda", required=True)
    ap.add_argument("--warm", required=True, help="the JSON lines of benches/peer.rs")
    ap.add_argument("--shapes", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--cold-runs", type=int, default=5)
    a = ap.parse_args()
    shapes = json.load(open(a.shapes))
    inda = {}
    for line in open(a.warm):
        d = json.loads(line)
        inda[d["shape"]] = d
    tenant = next(iter(inda.values()))["tenant"]
    wh = os.path.join(a.data_dir, "warehouse")
    manifest = json.load(open(os.path.join(wh, "manifest.json")))
    total = sum(t["messages"] for t in manifest["tenants"])
    mine = next(t["messages"] for t in manifest["tenants"] if t["tenant_id"] == tenant)
    r = subprocess.run([a.inda, "--data-dir", a.data_dir, "token", "mint", "--tenant", tenant, "--user", "bench@example.com"],
                       capture_output=True, text=True, check=True)
    token = r.stdout.strip().splitlines()[-1]
    import duckdb
    warm = duckdb_warm(wh, tenant, shapes, a.runs)
    print(f"scale {manifest['scale']}: {total:,} messages in all, {mine:,} for {tenant}; DuckDB {duckdb.__version__}")
    print(f"{time.strftime('%Y-%m-%d')}, {machine()}")
    head = ["shape", "inda warm ms", "DuckDB warm ms", "ratio", "inda cold ms", "DuckDB cold ms", "ratio"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for s in shapes:
        name = s["shape"]
        if inda[name]["rows"] != warm[name]["rows"]:
            sys.exit(f"{name}: inda returned {inda[name]['rows']} rows, DuckDB {warm[name]['rows']}")
        ic = inda_cold(a.inda, a.data_dir, token, s["sql"], a.cold_runs)
        dc = duckdb_cold(wh, tenant, s["sql"], a.cold_runs)
        iw, dw = inda[name]["median_ms"], warm[name]["median_ms"]
        print(f"| {name} | {iw:.1f} | {dw:.1f} | {iw / dw:.2f}× | {ic:.0f} | {dc:.0f} | {ic / dc:.2f}× |")


main()
