//! The UI's TypeScript types are generated from the Rust types that cross the boundary (API and IPC), so
//! they are never written twice by hand. This test renders them and compares with the committed file;
//! `INDA_BLESS=1 cargo test -p inda-app --test app bindings` rewrites it after a deliberate change.

use ts_rs::TS;

const COMMITTED: &str = include_str!("../../../../ui/src/lib/api/generated.ts");

fn render() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by crates/app/tests/bindings.rs: do not edit by hand.\n\
         // Regenerate with `INDA_BLESS=1 cargo test -p inda-app --test app bindings`.\n\n\
         /** One cell: numbers (integers, floats, decimals), ISO 8601 strings for dates and timestamps, \
         booleans, null. */\nexport type Value = string | number | boolean | null;\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n",
    );
    // Defaults, not the environment: the output must not depend on who runs the test.
    // JSON numbers, not bigint: no count or id here comes near 2^53.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        inda_core::Column::decl(&cfg),
        inda_core::Grain::decl(&cfg),
        inda_core::CaveatCode::decl(&cfg),
        inda_core::Caveat::decl(&cfg),
        inda_core::ChartKind::decl(&cfg),
        inda_core::ChartSpec::decl(&cfg),
        inda_core::ErrorCode::decl(&cfg),
        inda_core::Error::decl(&cfg),
        inda_app::Answer::decl(&cfg),
        inda_core::Scope::decl(&cfg),
        inda_app::SavedAnswer::decl(&cfg),
        inda_app::SavedAnalysis::decl(&cfg),
        inda_app::ExecutionStatus::decl(&cfg),
        inda_app::Trigger::decl(&cfg),
        inda_app::Execution::decl(&cfg),
        inda_app::Dashboard::decl(&cfg),
        inda_app::Tile::decl(&cfg),
        inda_app::DashboardView::decl(&cfg),
        inda_app::TileView::decl(&cfg),
        inda_app::DashboardFilters::decl(&cfg),
        inda_app::TileUpdate::decl(&cfg),
        inda_app::FilterDimension::decl(&cfg),
        inda_app::FilterChoice::decl(&cfg),
        inda_app::FilterChoices::decl(&cfg),
        inda_app::ExportSummary::decl(&cfg),
        inda_core::Role::decl(&cfg),
        inda_app::SessionInfo::decl(&cfg),
        inda_app::SignedInUser::decl(&cfg),
        inda_app::SignIn::decl(&cfg),
        inda_app::Colors::decl(&cfg),
        inda_app::Branding::decl(&cfg),
        // The requests and the other responses of the API and IPC (crates/server/src/routes.rs,
        // src-tauri/src/commands.rs).
        inda_core::Lang::decl(&cfg),
        inda_app::Provider::decl(&cfg),
        inda_app::AskRequest::decl(&cfg),
        inda_app::Drill::decl(&cfg),
        inda_app::SaveRequest::decl(&cfg),
        inda_app::ExportFormat::decl(&cfg),
        inda_app::ExportTarget::decl(&cfg),
        inda_app::ExportAnswerRequest::decl(&cfg),
        inda_app::WarehouseKind::decl(&cfg),
        inda_app::UiConfig::decl(&cfg),
        inda_app::Suggestions::decl(&cfg),
        inda_app::Deleted::decl(&cfg),
        inda_app::ScopeChoice::decl(&cfg),
        inda_app::Embedding::decl(&cfg),
        inda_app::AvailableUpdate::decl(&cfg),
        inda_app::UpdateCheck::decl(&cfg),
        // Alerts (`/api/alerts`): the desktop polls `AlertEvent`s to notify its user.
        inda_app::ConditionKind::decl(&cfg),
        inda_app::DeliveryStatus::decl(&cfg),
        inda_app::Alert::decl(&cfg),
        inda_app::AlertRequest::decl(&cfg),
        inda_app::AlertDelivery::decl(&cfg),
        inda_app::AlertEvent::decl(&cfg),
    ];
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[test]
fn the_ui_types_are_generated_from_rust() {
    let fresh = render();
    if std::env::var_os("INDA_BLESS").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api/generated.ts");
        std::fs::write(path, &fresh).unwrap();
        return;
    }
    assert!(
        fresh == COMMITTED,
        "ui/src/lib/api/generated.ts is out of date: run INDA_BLESS=1 cargo test -p inda-app --test app bindings"
    );
}
