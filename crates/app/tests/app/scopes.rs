//! The proof of isolation for wider scopes, metamorphic like the analyst's: every statement of the guard's
//! attack and benign corpora (and the hostile SQL corpus's isolation cases) returns, for
//! - a partner admin of `indigital` over the full warehouse, exactly what a platform admin gets over a
//!   warehouse generated with only that partner's tenants;
//! - a platform admin over the full warehouse, exactly what the guard's rewrite returns with its tenant
//!   filter taken out again (nothing is dropped);
//! - a partner admin narrowed to one tenant (`--scope acme_corp`), exactly what an analyst of that tenant
//!   gets over a warehouse holding that tenant alone;
//! - an analyst, exactly that too (unchanged).
//!
//! A refusal must be a refusal on both sides. Tenants overlap in ids and differ in size, so a leak, a lost
//! row or a cross-tenant join changes a result.

use inda_app::{App, Cancel, DataDir, DemoOptions};
use inda_core::{ErrorCode, Scope, Session, Value};
use inda_warehouse::QueryLimits;
use std::sync::OnceLock;

const INDIGITAL: [&str; 4] = ["acme_corp", "globex", "initech", "umbrella"];

struct Warehouses {
    _dirs: Vec<tempfile::TempDir>,
    /// Every tenant of both partners.
    full: App,
    /// Only partner indigital's tenants.
    partner: App,
    /// Only acme_corp.
    acme: App,
    rt: tokio::runtime::Runtime,
}

fn setup() -> &'static Warehouses {
    static W: OnceLock<Warehouses> = OnceLock::new();
    W.get_or_init(|| {
        let make = |tenants: Option<&[&str]>| {
            let dir = tempfile::tempdir().unwrap();
            // One thread per query: ties under a LIMIT (which rows a query leaves open) come out the same way
            // on both sides of every comparison.
            std::fs::write(dir.path().join("config.toml"), "[warehouse]\nthreads = 1\n").unwrap();
            let mut app = App::open(DataDir::new(dir.path())).unwrap();
            let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
            let tenants = tenants.map(|t| t.iter().map(|s| s.to_string()).collect());
            app.demo_init(&DemoOptions { scale: 0.05, seed: 42, as_of, tenants }, &|_| {}).unwrap();
            // The first token registers the development issuer in this app's config; later ones are minted
            // on other handles of the same data dir and change nothing.
            app.mint_token(&mint_request("acme_corp", "indigital", "analyst")).unwrap();
            (dir, app)
        };
        let (d1, full) = make(None);
        let (d2, partner) = make(Some(&INDIGITAL));
        let (d3, acme) = make(Some(&["acme_corp"]));
        let rt = tokio::runtime::Runtime::new().unwrap();
        Warehouses { _dirs: vec![d1, d2, d3], full, partner, acme, rt }
    })
}

/// A development token of the proof's user.
fn mint_request(tenant: &str, partner: &str, role: &str) -> inda_app::MintRequest {
    inda_app::MintRequest {
        tenant_id: tenant.into(),
        user_id: "proof@indigital.local".into(),
        partner_id: partner.into(),
        user_name: None,
        roles: vec![role.into()],
        ttl_seconds: 3600,
    }
}

/// A token minted for `app`'s data dir. Minting needs a mutable app (it may register the issuer); the test
/// apps are shared, so it mints on a second handle of the same data dir.
fn mint(app: &App, tenant: &str, partner: &str, role: &str) -> String {
    App::open(app.dir.clone()).unwrap().mint_token(&mint_request(tenant, partner, role)).unwrap()
}

/// A session of `role` for a user of `tenant` (partner from the warehouse's directory), narrowed to
/// `scope` when given.
fn session(
    app: &App,
    rt: &tokio::runtime::Runtime,
    tenant: &str,
    role: &str,
    scope: Option<&str>,
) -> Session {
    let partner = app.partner_of(tenant).unwrap().unwrap();
    let token = mint(app, tenant, &partner, role);
    let scope = scope.map(|s| Scope::parse_list(s).unwrap());
    rt.block_on(app.session(Some(&token), scope.as_ref())).unwrap()
}

/// What a statement gives: its rows (sorted, as text), or the error code of its refusal. A result cut at
/// the row cap holds an arbitrary page of rows (no order is asked for), so only its size is compared.
#[derive(Debug, PartialEq)]
enum Outcome {
    Rows(Vec<String>),
    Capped(usize),
    Refused(ErrorCode),
}

fn outcome(rows: Vec<Vec<Value>>, truncated: bool) -> Outcome {
    if truncated {
        return Outcome::Capped(rows.len());
    }
    let mut out: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    out.sort();
    Outcome::Rows(out)
}

fn guarded(app: &App, rt: &tokio::runtime::Runtime, session: &Session, sql: &str) -> Outcome {
    match rt.block_on(app.run_sql(session, sql, &Cancel::new())) {
        Ok(answer) => outcome(answer.rows, answer.truncated),
        Err(e) => Outcome::Refused(e.code),
    }
}

/// The guard's rewrite for `session` with its tenant filter taken out again: everything the full
/// warehouse holds for the statement, through the same rewrites (canonical names, FILTER, the LIMIT).
fn unfiltered(app: &App, rt: &tokio::runtime::Runtime, session: &Session, sql: &str) -> Outcome {
    let guarded = match app.guard(session, sql) {
        Ok(g) => g,
        Err(e) => return Outcome::Refused(e.code),
    };
    let list: Vec<String> = session.scope.tenants().iter().map(|t| format!("'{t}'")).collect();
    let filter = format!(" WHERE tenant_id IN ({})", list.join(", "));
    assert!(guarded.tables.is_empty() || guarded.sql.contains(&filter), "{}", guarded.sql);
    let sql = guarded.sql.replace(&filter, "");
    let limits = QueryLimits { max_rows: guarded.limit as usize, ..QueryLimits::default() };
    match rt.block_on(app.warehouse().query(session, &sql, &limits, &Cancel::new())) {
        Ok(rs) => {
            let capped = rs.truncated || (guarded.capped && rs.rows.len() as u64 >= guarded.limit);
            outcome(rs.rows, capped)
        }
        Err(e) => Outcome::Refused(e.code),
    }
}

/// Every statement of the corpora, compiled in (a test binary reused from another checkout must not look
/// for files at the path it was built from).
fn corpus() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let lines = |text: &str, comment: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with(comment))
            .map(String::from)
            .collect()
    };
    all.extend(lines(include_str!("../../../guard/tests/fixtures/attacks-scoped.sql"), "--"));
    all.extend(lines(include_str!("../../../guard/tests/fixtures/attacks-scoped-several.sql"), "--"));
    all.extend(
        lines(include_str!("../../../guard/tests/fixtures/attacks-refused.tsv"), "#")
            .into_iter()
            .filter_map(|l| l.split('\t').next().map(String::from)),
    );
    all.extend(lines(include_str!("../../../guard/tests/fixtures/nl-dev.sql"), "--"));
    let analyst = include_str!("../../../guard/tests/fixtures/analyst.sql");
    all.push(analyst.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n"));
    for file in [
        include_str!("../../../cli/tests/hostile/dev.jsonl"),
        include_str!("../../../cli/tests/hostile/holdout.jsonl"),
    ] {
        for line in file.lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            // The hostile corpus's time and memory cases test the engine's limits, not isolation (each takes
            // its full time limit to be stopped); its other cases are isolation cases like the guard's.
            if matches!(case["category"].as_str(), Some("time" | "memory")) {
                continue;
            }
            all.push(case["sql"].as_str().unwrap().to_string());
        }
    }
    all
}

/// Runs every statement on both sides and reports each difference.
fn compare(name: &str, left: impl Fn(&str) -> Outcome, right: impl Fn(&str) -> Outcome) -> usize {
    let corpus = corpus();
    let mut mismatches = Vec::new();
    let mut answered = 0;
    for sql in &corpus {
        let (l, r) = (left(sql), right(sql));
        answered += usize::from(matches!(l, Outcome::Rows(_)));
        if l != r {
            let short = |o: &Outcome| format!("{o:?}").chars().take(300).collect::<String>();
            let excerpt: String = sql.chars().take(160).collect();
            mismatches.push(format!("{excerpt}\n    left:  {}\n    right: {}", short(&l), short(&r)));
        }
    }
    eprintln!("{name}: {} statements, {answered} answered, {} differ", corpus.len(), mismatches.len());
    assert!(mismatches.is_empty(), "{name}:\n{}", mismatches.join("\n"));
    answered
}

#[test]
fn a_partner_admin_sees_exactly_a_warehouse_of_its_partners_tenants() {
    let w = setup();
    let admin = session(&w.full, &w.rt, "globex", "partner_admin", None);
    assert_eq!(admin.scope.tenants(), INDIGITAL, "every active tenant of the partner");
    // The reference: everything there is in a warehouse generated with those tenants alone.
    let reference = session(&w.partner, &w.rt, "acme_corp", "platform_admin", None);
    assert_eq!(reference.scope.tenants(), INDIGITAL);
    let answered = compare(
        "partner admin, full warehouse = partner's tenants only",
        |sql| guarded(&w.full, &w.rt, &admin, sql),
        |sql| guarded(&w.partner, &w.rt, &reference, sql),
    );
    assert!(answered > 100, "most of the corpus runs: {answered}");
}

#[test]
fn a_platform_admin_sees_exactly_the_full_warehouse() {
    let w = setup();
    let admin = session(&w.full, &w.rt, "initech", "platform_admin", None);
    assert_eq!(admin.scope.tenants().len(), 5);
    compare(
        "platform admin = the full warehouse with no tenant filter",
        |sql| guarded(&w.full, &w.rt, &admin, sql),
        |sql| unfiltered(&w.full, &w.rt, &admin, sql),
    );
}

#[test]
fn a_scope_of_one_tenant_and_an_analyst_see_exactly_that_tenant_alone() {
    let w = setup();
    let narrowed = session(&w.full, &w.rt, "umbrella", "partner_admin", Some("acme_corp"));
    assert_eq!(narrowed.scope.tenants(), ["acme_corp"]);
    let analyst = session(&w.full, &w.rt, "acme_corp", "analyst", None);
    assert_eq!(analyst.scope.tenants(), ["acme_corp"]);
    let alone = session(&w.acme, &w.rt, "acme_corp", "analyst", None);
    compare(
        "--scope acme_corp = acme_corp alone",
        |sql| guarded(&w.full, &w.rt, &narrowed, sql),
        |sql| guarded(&w.acme, &w.rt, &alone, sql),
    );
    compare(
        "analyst = acme_corp alone",
        |sql| guarded(&w.full, &w.rt, &analyst, sql),
        |sql| guarded(&w.acme, &w.rt, &alone, sql),
    );
}

#[test]
fn scopes_beyond_the_role_and_mismatched_partners_are_refused() {
    let w = setup();
    let app = &w.full;
    let mint = |tenant: &str, partner: &str, role: &str| mint(app, tenant, partner, role);
    let refused = |token: &str, scope: Option<&str>| {
        let scope = scope.map(|s| Scope::parse_list(s).unwrap());
        w.rt.block_on(app.session(Some(token), scope.as_ref())).err().map(|e| (e.code, e.message))
    };
    // An analyst cannot widen; a partner admin cannot reach another partner's tenant.
    let analyst = mint("acme_corp", "indigital", "analyst");
    let (code, message) = refused(&analyst, Some("acme_corp,globex")).unwrap();
    assert_eq!(code, ErrorCode::Auth);
    assert!(message.contains("globex"), "{message}");
    let partner = mint("acme_corp", "indigital", "partner_admin");
    assert_eq!(refused(&partner, Some("stark_ind")).map(|e| e.0), Some(ErrorCode::Auth));
    assert_eq!(refused(&partner, Some("globex,stark_ind")).map(|e| e.0), Some(ErrorCode::Auth));
    assert!(refused(&partner, Some("globex")).is_none());
    // A token whose partner is not its tenant's is refused for every role.
    for role in ["analyst", "partner_admin", "platform_admin"] {
        let wrong = mint("stark_ind", "indigital", role);
        let (code, message) = refused(&wrong, None).unwrap();
        assert_eq!(code, ErrorCode::Auth, "{role}");
        assert!(message.contains("partner"), "{message}");
    }
    // A role names nothing it does not know: unknown roles grant an analyst's scope.
    let other = mint("stark_ind", "other_partner", "partner_admin");
    let s = w.rt.block_on(app.session(Some(&other), None)).unwrap();
    assert_eq!(s.scope.tenants(), ["stark_ind"]);
    let crm = mint("globex", "indigital", "admin");
    let s = w.rt.block_on(app.session(Some(&crm), None)).unwrap();
    assert_eq!(s.scope.tenants(), ["globex"]);
}
