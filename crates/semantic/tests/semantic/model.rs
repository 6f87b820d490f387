//! Loading and validating the semantic model, and merging partner/tenant overrides.

use chrono::NaiveDate;
use inda_semantic::{Lang, SemanticModel, interpret};

const BUILTIN: &str = include_str!("../../../../semantic/model.yaml");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")
}

fn load_err(yaml: &str) -> String {
    match SemanticModel::from_yaml_str(yaml) {
        Ok(_) => panic!("should not load"),
        Err(e) => e.message,
    }
}

#[test]
fn builtin_is_consistent() {
    let m = SemanticModel::builtin().expect("builtin");
    assert_eq!(m.tables().len(), 5, "four marts tables and the exchange rates");
    for name in [
        "contacts",
        "customers",
        "new_contacts",
        "messages",
        "messages_sent",
        "messages_received",
        "delivered_messages",
        "failed_messages",
        "delivery_rate",
        "read_rate",
        "messaging_cost",
        "purchases",
        "revenue",
        "average_order_value",
        "refunds",
        "support_tickets",
        "campaigns",
        "campaign_budget",
        "average_cost_per_message",
        "opt_out_rate",
        "conversion_rate",
        "reply_rate",
        "time_to_read",
        "time_to_deliver",
    ] {
        assert!(m.metric(name).is_some(), "semantics.md metric {name} missing");
    }
    assert_eq!(
        m.metric("revenue").map(|r| r.filter.clone()),
        Some(vec!["activity_type IN ('purchase','refund')".to_string()])
    );
    assert!(m.examples().len() >= 15);
    assert!(SemanticModel::from_yaml_str(BUILTIN).is_ok());
}

#[test]
fn rejects_unknown_table_in_metric() {
    let bad = BUILTIN.replacen(
        "    table: fct_activities\n    expr: SUM(amount * rate)",
        "    table: fct_sales\n    expr: SUM(amount * rate)",
        1,
    );
    let e = load_err(&bad);
    assert!(e.contains("revenue") && e.contains("fct_sales"), "{e}");
}

#[test]
fn rejects_unknown_column_in_metric_expression_and_filter() {
    let e = load_err(&BUILTIN.replacen("expr: SUM(amount * rate)", "expr: SUM(amount_usd * rate)", 1));
    assert!(e.contains("amount_usd") && e.contains("revenue"), "{e}");
    let e = load_err(&BUILTIN.replacen(
        "filter: [\"direction = 'outbound'\"]",
        "filter: [\"way = 'outbound'\"]",
        1,
    ));
    assert!(e.contains("way"), "{e}");
    let e = load_err(&BUILTIN.replacen("expr: SUM(cost)", "expr: SUM(m.cost)", 1));
    assert!(e.contains("unqualified"), "{e}");
}

#[test]
fn converted_money_needs_rates_and_a_currency_column() {
    let e = load_err(&BUILTIN.replacen("rates: { table: fx_rates,", "rates: { table: fx_rate,", 1));
    assert!(e.contains("fx_rate"), "{e}");
    let e = load_err(&BUILTIN.replacen("rate_column: rate }", "rate_column: fx }", 1));
    assert!(e.contains("no column 'fx'"), "{e}");
    // A converted metric may read the rate; an unconverted one may not.
    let e = load_err(&BUILTIN.replacen("    expr: SUM(cost)\n", "    expr: SUM(cost * rate)\n", 1));
    assert!(e.contains("rate") && e.contains("messaging_cost"), "{e}");
}

#[test]
fn rejects_unknown_dimension_column_and_missing_join_table() {
    let e = load_err(&BUILTIN.replacen("column: city", "column: town", 1));
    assert!(e.contains("city") && e.contains("town"), "{e}");
    let e = load_err(&BUILTIN.replacen(
        "{ from: fct_messages, to: dim_campaigns, on: campaign_id }",
        "{ from: fct_messages, to: dim_templates, on: campaign_id }",
        1,
    ));
    assert!(e.contains("dim_templates"), "{e}");
    let e = load_err(&BUILTIN.replacen(
        "{ from: fct_messages, to: dim_campaigns, on: campaign_id }",
        "{ from: fct_messages, to: dim_campaigns, on: template_name }",
        1,
    ));
    assert!(e.contains("template_name"), "{e}");
}

#[test]
fn rejects_duplicates_and_bad_yaml() {
    let e = load_err(&BUILTIN.replacen("  - name: customers\n", "  - name: contacts\n", 1));
    assert!(e.contains("duplicate metric 'contacts'"), "{e}");
    let e = load_err(&BUILTIN.replacen("  - name: city\n", "  - name: country\n", 1));
    assert!(e.contains("duplicate dimension 'country'"), "{e}");
    let e = load_err("tables: [");
    assert!(e.contains("YAML"), "{e}");
    let e = load_err(&BUILTIN.replacen("version: 1", "version: 1\nsurprise: true", 1));
    assert!(e.contains("surprise"), "{e}");
}

#[test]
fn overrides_add_synonyms_metrics_and_examples() {
    let base = SemanticModel::builtin().expect("builtin");
    assert!(interpret(&base, "facturación consolidada por canal", None, today()).is_err());
    let over = r#"
synonyms:
  revenue: { es: [facturación consolidada] }
values:
  channel:
    - { value: whatsapp, es: [zap] }
metrics:
  - name: page_views
    label: { en: page views, es: páginas vistas }
    table: fct_activities
    expr: COUNT(*)
    filter: ["activity_type = 'page_view'"]
    time_column: occurred_at
    kind: count
    format: number
examples:
  - { lang: es, question: "Facturación consolidada por canal", sql: "SELECT channel, SUM(amount) AS ingresos FROM marts.fct_activities WHERE activity_type IN ('purchase','refund') GROUP BY channel" }
"#;
    let m = base.with_override(over).expect("override merges");
    let p =
        interpret(&m, "facturación consolidada por canal", None, today()).expect("new synonym understood");
    assert_eq!(p.intent.metrics, ["revenue"]);
    let p = interpret(&m, "ingresos por zap", None, today()).expect("new value synonym");
    assert!(p.sql.contains("'whatsapp'"));
    let p = interpret(&m, "page views by channel last month", None, today()).expect("new metric");
    assert!(p.sql.contains("activity_type = 'page_view'"), "{}", p.sql);
    assert!(m.suggestions(Lang::Es).iter().any(|s| s == "Facturación consolidada por canal"));
    // The builtin is untouched.
    assert!(interpret(&base, "facturación consolidada por canal", None, today()).is_err());
}

#[test]
fn overrides_are_validated() {
    let base = SemanticModel::builtin().expect("builtin");
    let e = base.with_override("synonyms:\n  profit: { en: [margin] }\n").expect_err("unknown target");
    assert!(e.message.contains("profit"), "{}", e.message);
    let bad_metric = "metrics:\n  - { name: x, label: { en: x, es: x }, table: fct_activities, expr: SUM(nope), time_column: occurred_at, kind: sum, format: number }\n";
    let e = base.with_override(bad_metric).expect_err("bad column");
    assert!(e.message.contains("nope"), "{}", e.message);
    let e = base.with_override("values:\n  planet: [{ value: mars, en: [mars] }]\n").expect_err("bad family");
    assert!(e.message.contains("planet"), "{}", e.message);
}

/// A tenant's own campaign names become values of the campaign dimension; a one-word name, or one that is
/// already a phrase of the model, never takes over a word that means something else.
#[test]
fn data_values_add_the_tenants_names() {
    let m = SemanticModel::builtin().expect("builtin");
    let names: Vec<String> =
        ["Black Friday 2025", "Día de la Madre 2026", "WhatsApp", "Bienvenida", "mensajes enviados"]
            .map(String::from)
            .to_vec();
    let t = m.with_data_values("campaign", &names).expect("campaign names");
    let p = interpret(&t, "revenue of the Black Friday 2025 campaign", None, today()).expect("understood");
    assert!(p.sql.contains("campaign_name = 'Black Friday 2025'"), "{}", p.sql);
    let p = interpret(&t, "ingresos de día de la madre 2026", None, today()).expect("understood");
    assert!(p.sql.contains("'Día de la Madre 2026'"), "{}", p.sql);
    // Names that would shadow the model's words are not added.
    let p = interpret(&t, "mensajes enviados por canal", None, today()).expect("understood");
    assert!(!p.sql.contains("campaign_name"), "{}", p.sql);
    assert!(interpret(&m, "revenue of the Black Friday 2025 campaign", None, today()).is_err());
    assert!(m.with_data_values("country", &names).is_err(), "only data-valued dimensions");
}

#[test]
fn cities_are_understood_by_their_one_word_names_unless_a_word_is_a_measures() {
    let m = SemanticModel::builtin().expect("builtin");
    let cities: Vec<String> = ["Bogotá", "Ciudad de México", "La Plata", "Panamá"].map(String::from).to_vec();
    let t = m.with_data_values("city", &cities).expect("cities");
    let p = interpret(&t, "ventas en Bogotá este año", None, today()).expect("understood");
    assert!(p.sql.contains("c.city = 'Bogotá'"), "{}", p.sql);
    let p = interpret(&t, "contactos en Ciudad de México", None, today()).expect("understood");
    assert!(p.sql.contains("city = 'Ciudad de México'"), "{}", p.sql);
    // "La plata" is money; "Panamá" is the country. A city of every company: no company column beside it.
    assert!(
        !interpret(&t, "la plata del mes pasado", None, today()).expect("understood").sql.contains("city")
    );
    assert!(
        interpret(&t, "contacts in Panama", None, today())
            .expect("understood")
            .sql
            .contains("country = 'PA'")
    );
}

/// "cdmx" is Ciudad de México for a tenant that has it; a nickname of a city the tenant lacks means nothing.
#[test]
fn cities_are_understood_by_their_nicknames_when_the_tenant_has_them() {
    let m = SemanticModel::builtin().expect("builtin");
    let t = m.with_data_values("city", &["Ciudad de México".to_string()]).expect("cities");
    for q in ["contactos de cdmx", "contacts in mexico city"] {
        let p = interpret(&t, q, None, today()).expect("understood");
        assert!(p.sql.contains("city = 'Ciudad de México'"), "{q}: {}", p.sql);
    }
    assert!(interpret(&t, "contactos de bsas", None, today()).is_err());
}
