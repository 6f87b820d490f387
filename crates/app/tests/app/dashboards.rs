//! Dashboards end to end over a real demo warehouse: arranging tiles (text tiles, move, resize, rename,
//! delete), and filters applied to every analysis tile through the guard: the filtered numbers equal the
//! same numbers computed by hand with SQL, a filter that does not reach a tile says so, filtered results are
//! never cached, the choices come from the tenant's data, and a partner admin's dashboard over several
//! companies is filtered within each company.

use inda_app::{
    App, Cancel, DashboardFilters, DashboardView, DataDir, DemoOptions, ExportRequest, FilterDimension,
    SaveRequest, TileUpdate,
};
use inda_core::{ErrorCode, Session, Value};
use std::sync::OnceLock;

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    analyst: Session,
    admin: Session,
    rt: tokio::runtime::Runtime,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(DataDir::new(dir.path())).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let tenants = Some(vec!["acme_corp".into(), "globex".into()]);
        app.demo_init(&DemoOptions { scale: 0.05, seed: 42, as_of, tenants }, &|_| {}).unwrap();
        let mint = |app: &mut App, roles: Vec<String>| {
            let req = inda_auth::MintRequest {
                tenant_id: "acme_corp".into(),
                user_id: "boards@acme.example".into(),
                partner_id: "indigital".into(),
                user_name: None,
                roles,
                ttl_seconds: 3600,
            };
            app.mint_token(&req).unwrap()
        };
        let rt = tokio::runtime::Runtime::new().unwrap();
        let token = mint(&mut app, vec![]);
        let analyst = app.identity(Some(&token)).unwrap();
        let token = mint(&mut app, vec!["partner_admin".into()]);
        let scope = inda_core::Scope::parse_list("acme_corp,globex").unwrap();
        let admin = rt.block_on(app.session(Some(&token), Some(&scope))).unwrap();
        Setup { _dir: dir, app, analyst, admin, rt }
    })
}

fn save_sql(s: &Setup, session: &Session, name: &str, sql: &str) -> String {
    let req = SaveRequest { name: name.into(), sql: Some(sql.into()), ..SaveRequest::default() };
    s.rt.block_on(s.app.save_analysis(session, &req)).unwrap().id
}

fn count(s: &Setup, session: &Session, sql: &str) -> i64 {
    let answer = s.rt.block_on(s.app.run_sql(session, sql, &Cancel::new())).unwrap();
    int(&answer.rows[0][0])
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("not an integer: {other:?}"),
    }
}

fn show(s: &Setup, session: &Session, id: &str) -> DashboardView {
    s.rt.block_on(s.app.show_dashboard(session, id, &Cancel::new())).unwrap()
}

/// The sum of the integer column `n` of a tile's rows.
fn total(view: &DashboardView, tile: usize) -> i64 {
    let result = view.tiles[tile]
        .result
        .as_ref()
        .unwrap_or_else(|| panic!("tile {tile}: {:?}", view.tiles[tile].error));
    let n = result.answer.columns.iter().position(|c| c.name == "n").expect("column n");
    result.answer.rows.iter().map(|r| int(&r[n])).sum()
}

#[test]
fn tiles_are_arranged_text_tiles_included() {
    let s = setup();
    let session = &s.analyst;
    let a = save_sql(
        s,
        session,
        "Messages by channel",
        "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1",
    );
    let b = save_sql(s, session, "Contacts", "SELECT COUNT(*) AS n FROM marts.dim_contacts");
    let d = s.app.create_dashboard(session, "Weekly").unwrap();
    let id = d.dashboard.id.clone();
    s.app.dashboard_add(session, &id, &a).unwrap();
    s.app.dashboard_add(session, &id, &b).unwrap();
    let view = s.app.dashboard_add_text(session, &id, "  Numbers as of Monday.\nAsk Ana.  ").unwrap();
    let text = &view.tiles[2].tile;
    assert!(text.id.starts_with("text-"));
    assert_eq!(
        (text.text.as_deref(), text.analysis_id.as_deref(), text.name.as_str()),
        (Some("Numbers as of Monday.\nAsk Ana."), None, "")
    );
    let text_id = text.id.clone();
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["tiles"][0]["id"], a.as_str());
    assert_eq!(json["tiles"][0]["analysis_id"], a.as_str());
    assert!(json["tiles"][2].get("analysis_id").is_none());
    assert_eq!(json["filters"], serde_json::json!({}));
    // Move the text first, resize it, edit it.
    let update =
        TileUpdate { position: Some(1), width: Some(12), height: Some(2), text: Some("Edited".into()) };
    let view = s.app.dashboard_update_tile(session, &id, &text_id, &update).unwrap();
    let order: Vec<(&str, i64, i64, i64)> = view
        .tiles
        .iter()
        .map(|t| (t.tile.id.as_str(), t.tile.position, t.tile.width, t.tile.height))
        .collect();
    assert_eq!(order, vec![(text_id.as_str(), 1, 12, 2), (a.as_str(), 2, 6, 4), (b.as_str(), 3, 6, 4)]);
    assert_eq!(view.tiles[0].tile.text.as_deref(), Some("Edited"));
    // Out of range, empty, too long, text on an analysis tile, someone else's tile: refused.
    let usage = |update: TileUpdate, tile: &str| {
        s.app.dashboard_update_tile(session, &id, tile, &update).unwrap_err().code
    };
    assert_eq!(usage(TileUpdate { width: Some(2), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate { width: Some(13), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate { height: Some(1), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate { height: Some(9), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate { position: Some(4), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate::default(), &a), ErrorCode::Usage);
    assert_eq!(usage(TileUpdate { text: Some("x".into()), ..Default::default() }, &a), ErrorCode::Usage);
    assert_eq!(
        usage(TileUpdate { text: Some(" ".into()), ..Default::default() }, &text_id),
        ErrorCode::Usage
    );
    assert_eq!(
        usage(TileUpdate { text: Some("x".repeat(2001)), ..Default::default() }, &text_id),
        ErrorCode::Usage
    );
    assert_eq!(usage(TileUpdate { width: Some(6), ..Default::default() }, "text-nope"), ErrorCode::NotFound);
    assert_eq!(s.app.dashboard_add_text(session, &id, &"y".repeat(2001)).unwrap_err().code, ErrorCode::Usage);
    // Showing skips the text tile and fills the analyses.
    let shown = show(s, session, &id);
    assert!(shown.tiles[0].result.is_none() && shown.tiles[0].error.is_none());
    assert!(shown.tiles[1].result.is_some() && shown.tiles[2].result.is_some());
    // Remove by tile id (text) and by analysis id (as before).
    let view = s.app.dashboard_remove(session, &id, &text_id).unwrap();
    let view = s.app.dashboard_remove(session, &view.dashboard.id, &a).unwrap();
    assert_eq!(
        view.tiles.iter().map(|t| (t.tile.id.as_str(), t.tile.position)).collect::<Vec<_>>(),
        vec![(b.as_str(), 1)]
    );
    // Rename, then delete.
    assert_eq!(s.app.rename_dashboard(session, &id, "  Monthly ").unwrap().dashboard.name, "Monthly");
    assert_eq!(s.app.rename_dashboard(session, &id, "  ").unwrap_err().code, ErrorCode::Usage);
    assert_eq!(s.app.rename_dashboard(session, &id, &"n".repeat(256)).unwrap_err().code, ErrorCode::Usage);
    assert!(s.app.delete_dashboard(session, &id).unwrap().deleted);
    assert_eq!(s.app.dashboard_layout(session, &id).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(s.app.delete_dashboard(session, &id).unwrap_err().code, ErrorCode::NotFound);
    assert!(s.app.get_analysis(session, &b).is_ok(), "the analyses stay");
    let entries = s.app.store().unwrap().audit_list(&session.tenant_id, &session.user_id, 1000).unwrap();
    assert!(entries.iter().any(|e| e.action == "delete" && e.details["dashboard_id"] == id.as_str()));
}

#[test]
fn filters_narrow_every_tile_through_the_guard_and_are_never_cached() {
    let s = setup();
    let session = &s.analyst;
    let messages = save_sql(
        s,
        session,
        "By channel",
        "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1",
    );
    let contacts = save_sql(
        s,
        session,
        "By country",
        "SELECT country, COUNT(*) AS n FROM marts.dim_contacts GROUP BY 1",
    );
    let rates = save_sql(s, session, "Rates", "SELECT COUNT(*) AS n FROM marts.fx_rates");
    let id = s.app.create_dashboard(session, "Filtered").unwrap().dashboard.id;
    for a in [&messages, &contacts, &rates] {
        s.app.dashboard_add(session, &id, a).unwrap();
    }
    let plain = show(s, session, &id);
    let all_messages = total(&plain, 0);
    assert_eq!(all_messages, count(s, session, "SELECT COUNT(*) FROM marts.fct_messages"));
    assert!(plain.tiles.iter().all(|t| t.unfiltered.is_empty()));

    let channel = count_text(s, session, "SELECT MIN(channel) FROM marts.fct_messages");
    let filters = DashboardFilters {
        from: Some("2026-09-01".into()),
        to: Some("2026-10-31".into()),
        channel: vec![channel.clone()],
        country: vec!["CO".into(), "O'Higgins".into()],
        ..DashboardFilters::default()
    };
    let view = s.app.set_dashboard_filters(session, &id, &filters).unwrap();
    assert_eq!(view.filters, filters);
    assert_eq!(s.app.dashboard_layout(session, &id).unwrap().filters, filters, "kept with the dashboard");
    let filtered = show(s, session, &id);
    // Messages: channel, contacts of CO, sent in the range; the same number by hand.
    let by_hand = count(
        s,
        session,
        &format!(
            "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c ON c.contact_id = m.contact_id \
             WHERE m.channel = '{channel}' AND c.country = 'CO' AND m.sent_at >= TIMESTAMP '2026-09-01 00:00:00' \
             AND m.sent_at < TIMESTAMP '2026-11-01 00:00:00'"
        ),
    );
    assert!(by_hand > 0 && by_hand < all_messages, "{by_hand} of {all_messages}");
    assert_eq!(total(&filtered, 0), by_hand);
    let m = filtered.tiles[0].result.as_ref().unwrap();
    assert!(!m.cached && m.answer.sql.contains("country IN ('CO', 'O''Higgins')"), "{}", m.answer.sql);
    assert!(filtered.tiles[0].unfiltered.is_empty());
    // Contacts: country (and, reading no fact table, the date on created_at) apply; channel does not.
    assert_eq!(filtered.tiles[1].unfiltered, vec!["channel"]);
    let contacts_by_hand = count(
        s,
        session,
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE country = 'CO' AND created_at >= TIMESTAMP '2026-09-01 00:00:00' \
         AND created_at < TIMESTAMP '2026-11-01 00:00:00'",
    );
    assert_eq!(total(&filtered, 1), contacts_by_hand);
    // Rates: no filter reaches them; the usual (cached) result, and the reader is told.
    assert_eq!(filtered.tiles[2].unfiltered, vec!["channel", "country", "date"]);
    assert!(filtered.tiles[2].result.as_ref().unwrap().cached);
    // Refresh is filtered the same way, and neither touched the analyses' caches.
    let refreshed = s.rt.block_on(s.app.refresh_dashboard(session, &id, &Cancel::new())).unwrap();
    assert_eq!(total(&refreshed, 0), by_hand);
    let own = s.rt.block_on(s.app.show_analysis(session, &messages, &Cancel::new())).unwrap();
    assert!(own.cached);
    assert_eq!(own.answer.rows.iter().map(|r| int(&r[1])).sum::<i64>(), all_messages);
    // Exports take the filters too.
    let out = s._dir.path().join("filtered.csv");
    let req = ExportRequest { analysis: None, dashboard: Some(id.clone()), format: "csv".into(), out };
    let summary = s.rt.block_on(s.app.export(session, &req, &Cancel::new())).unwrap();
    let rows = |v: &DashboardView| {
        v.tiles.iter().filter_map(|t| t.result.as_ref()).map(|r| r.answer.row_count as u64).sum::<u64>()
    };
    assert_eq!(summary.rows, rows(&filtered));
    // Offline, a filtered tile cannot be computed; a tile no filter reaches still shows its cache.
    let mut offline = App::open(DataDir::new(s.app.dir.root())).unwrap();
    offline.offline = true;
    let view = s.rt.block_on(offline.show_dashboard(session, &id, &Cancel::new())).unwrap();
    assert_eq!(view.tiles[0].error.as_ref().map(|e| e.code), Some(ErrorCode::Engine));
    assert!(view.tiles[2].result.is_some());
    // Cleared, it is the plain dashboard again.
    s.app.set_dashboard_filters(session, &id, &DashboardFilters::default()).unwrap();
    let cleared = show(s, session, &id);
    assert_eq!(total(&cleared, 0), all_messages);
    assert!(cleared.tiles[0].result.as_ref().unwrap().cached);
    let entries = s.app.store().unwrap().audit_list(&session.tenant_id, &session.user_id, 1000).unwrap();
    assert!(entries.iter().any(|e| e.action == "run" && e.details["trigger"] == "dashboard"));
}

fn count_text(s: &Setup, session: &Session, sql: &str) -> String {
    let answer = s.rt.block_on(s.app.run_sql(session, sql, &Cancel::new())).unwrap();
    match &answer.rows[0][0] {
        Value::Text(t) => t.clone(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn a_question_tile_is_filtered_too() {
    let s = setup();
    let session = &s.analyst;
    let req = SaveRequest {
        name: "Contacts by country".into(),
        question: Some("contacts by country".into()),
        ..Default::default()
    };
    let a = s.rt.block_on(s.app.save_analysis(session, &req)).unwrap().id;
    let id = s.app.create_dashboard(session, "Questions").unwrap().dashboard.id;
    s.app.dashboard_add(session, &id, &a).unwrap();
    let filters = DashboardFilters { country: vec!["CO".into()], ..Default::default() };
    s.app.set_dashboard_filters(session, &id, &filters).unwrap();
    let view = show(s, session, &id);
    let result = view.tiles[0].result.as_ref().unwrap_or_else(|| panic!("{:?}", view.tiles[0].error));
    assert_eq!(result.answer.rows.len(), 1, "{:?}", result.answer.rows);
    assert_eq!(result.answer.rows[0][0], Value::Text("CO".into()));
    assert_eq!(result.answer.lang.as_deref(), Some("en"));
}

#[test]
fn filters_are_checked() {
    let s = setup();
    let session = &s.analyst;
    let id = s.app.create_dashboard(session, "Checked").unwrap().dashboard.id;
    let refused = |f: DashboardFilters| s.app.set_dashboard_filters(session, &id, &f).unwrap_err().code;
    let dates = |from: &str, to: &str| DashboardFilters {
        from: Some(from.into()),
        to: Some(to.into()),
        ..Default::default()
    };
    assert_eq!(refused(dates("2026-02-30", "2026-03-01")), ErrorCode::Usage);
    assert_eq!(refused(dates("2026-3-1", "2026-03-02")), ErrorCode::Usage);
    assert_eq!(refused(dates("2026-03-02", "2026-03-01")), ErrorCode::Usage);
    let many = DashboardFilters { channel: (0..51).map(|i| format!("c{i}")).collect(), ..Default::default() };
    assert_eq!(refused(many), ErrorCode::Usage);
    let long = DashboardFilters { campaign: vec!["x".repeat(201)], ..Default::default() };
    assert_eq!(refused(long), ErrorCode::Usage);
    let slash = DashboardFilters { campaign: vec!["a\\b".into()], ..Default::default() };
    assert_eq!(refused(slash), ErrorCode::Usage);
    // Kept tidy: trimmed, empty values and repeats dropped.
    let messy = DashboardFilters {
        channel: vec![" sms ".into(), "".into(), "sms".into()],
        ..dates("2026-03-01", "2026-03-01")
    };
    let kept = s.app.set_dashboard_filters(session, &id, &messy).unwrap().filters;
    assert_eq!(kept.channel, vec!["sms"]);
    // A dashboard that is not the caller's is not found.
    let missing = s.app.set_dashboard_filters(session, "no-such-dashboard", &DashboardFilters::default());
    assert_eq!(missing.unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn filter_choices_come_from_the_tenants_data_for_dimensions_every_tile_takes() {
    let s = setup();
    let session = &s.analyst;
    let messages = save_sql(s, session, "M", "SELECT COUNT(*) AS n FROM marts.fct_messages");
    let contacts = save_sql(s, session, "C", "SELECT COUNT(*) AS n FROM marts.dim_contacts");
    let id = s.app.create_dashboard(session, "Choices").unwrap().dashboard.id;
    let choices =
        |id: &str| s.rt.block_on(s.app.dashboard_filter_choices(session, id, &Cancel::new())).unwrap();
    s.app.dashboard_add_text(session, &id, "text only").unwrap();
    assert!(choices(&id).dimensions.is_empty(), "no analysis tile, no choices");
    s.app.dashboard_add(session, &id, &messages).unwrap();
    let all = choices(&id);
    let dims: Vec<FilterDimension> = all.dimensions.iter().map(|c| c.dimension).collect();
    assert_eq!(
        dims,
        vec![
            FilterDimension::Channel,
            FilterDimension::Country,
            FilterDimension::Segment,
            FilterDimension::Campaign
        ]
    );
    let countries = &all.dimensions[1].values;
    let by_hand =
        s.rt.block_on(s.app.run_sql(
            session,
            "SELECT DISTINCT country FROM marts.dim_contacts ORDER BY 1",
            &Cancel::new(),
        ))
        .unwrap();
    let expected: Vec<String> = by_hand
        .rows
        .iter()
        .map(|r| match &r[0] {
            Value::Text(t) => t.clone(),
            v => panic!("{v:?}"),
        })
        .collect();
    assert_eq!(countries, &expected);
    assert!(all.dimensions.iter().all(|c| !c.values.is_empty() && c.values.windows(2).all(|w| w[0] < w[1])));
    // Contacts take no channel or campaign: only what both tiles take is offered.
    s.app.dashboard_add(session, &id, &contacts).unwrap();
    let dims: Vec<FilterDimension> = choices(&id).dimensions.iter().map(|c| c.dimension).collect();
    assert_eq!(dims, vec![FilterDimension::Country, FilterDimension::Segment]);
    let json = serde_json::to_value(choices(&id)).unwrap();
    assert_eq!(json["dimensions"][0]["dimension"], "country");
}

#[test]
fn a_partner_admins_dashboard_is_filtered_within_each_company() {
    let s = setup();
    let admin = &s.admin;
    let a = save_sql(
        s,
        admin,
        "By company",
        "SELECT tenant_id, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1",
    );
    let id = s.app.create_dashboard(admin, "Companies").unwrap().dashboard.id;
    s.app.dashboard_add(admin, &id, &a).unwrap();
    let filters = DashboardFilters { country: vec!["CO".into()], ..Default::default() };
    s.app.set_dashboard_filters(admin, &id, &filters).unwrap();
    let view = show(s, admin, &id);
    let by_hand = count(
        s,
        admin,
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c \
         ON c.contact_id = m.contact_id AND c.tenant_id = m.tenant_id WHERE c.country = 'CO'",
    );
    assert!(by_hand > 0);
    assert_eq!(total(&view, 0), by_hand);
    let result = view.tiles[0].result.as_ref().unwrap();
    assert_eq!(result.answer.rows.len(), 2, "both companies");
}
