//! The question engine end to end: the 40 dev questions against their gold SQL (by meaning), paraphrases in
//! both languages (typos, word numbers, other grammar), follow-ups, and questions it must refuse.

use crate::common;

use chrono::NaiveDate;
use inda_semantic::{
    Began, DaysOfWeek, Grain, Intent, Lang, SemanticModel, TimeRange, detect_lang, interpret,
};

fn model() -> SemanticModel {
    SemanticModel::builtin().expect("builtin model loads")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")
}

struct Gold {
    id: String,
    question: String,
    lang: String,
    sql: String,
    ordered: bool,
}

fn gold() -> Vec<Gold> {
    include_str!("../fixtures/nl-dev.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Gold {
                id: s("id"),
                question: s("question"),
                lang: s("lang"),
                sql: s("sql"),
                ordered: v["ordered"] == true,
            }
        })
        .collect()
}

fn gold_by_id(id: &str) -> Gold {
    gold().into_iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no gold {id}"))
}

#[test]
fn every_dev_question_matches_its_gold_sql() {
    let m = model();
    let mut failures = Vec::new();
    let all = gold();
    assert_eq!(all.len(), 40);
    for g in &all {
        match interpret(&m, &g.question, None, today()) {
            Ok(plan) => {
                if let Err(e) = common::equivalent(&g.sql, &plan.sql, g.ordered) {
                    failures.push(format!("{} {:?}: {e}\n  ours: {}", g.id, g.question, plan.sql));
                }
                let want = if g.lang == "es" { Lang::Es } else { Lang::En };
                if plan.lang != want {
                    failures.push(format!("{} {:?}: language {:?}", g.id, g.question, plan.lang));
                }
            }
            Err(e) => failures.push(format!("{} {:?}: not understood: {}", g.id, g.question, e.message)),
        }
    }
    assert!(failures.is_empty(), "{} of 40 failed:\n{}", failures.len(), failures.join("\n"));
}

/// Other phrasings of the dev questions: same meaning, so the same SQL (by meaning) as the gold.
const PARAPHRASES: &[(&str, &str)] = &[
    ("dev01", "How many contacts are in our database?"),
    ("dev01", "cuántos contactos tenemos"),
    ("dev01", "Total number of contacts"),
    ("dev01", "Show me how many contacts we have, please"),
    ("dev02", "Show me the number of customers"),
    ("dev02", "¿Cuántos clientes hay?"),
    ("dev03", "Número de contactos por país"),
    ("dev03", "contacts per country"),
    ("dev04", "¿Cuántos mensajes enviamos por canal el mes pasado?"),
    ("dev04", "Outbound messages per channel in the previous month"),
    ("dev04", "mensajes enviados por canal el mes anterior"),
    ("dev05", "tasa de entrega por canal en lo que va del año"),
    ("dev05", "delivery rate per channel year to date"),
    ("dev05", "DELIVERABILITY BY CHANNEL THIS YEAR!!"),
    ("dev06", "Revenue per month for the past 12 months"),
    ("dev06", "ingresos mensuales de los últimos 12 meses"),
    ("dev06", "monthly sales over the last twelve months"),
    ("dev07", "top five campaigns by revenue"),
    ("dev07", "las 5 campañas con más ingresos"),
    ("dev07", "5 best campaigns by sales"),
    ("dev08", "compras en los últimos 30 días"),
    ("dev08", "number of orders in the past 30 days"),
    ("dev08", "¿cuántos pedidos en los últimos treinta días?"),
    ("dev09", "ticket promedio por país"),
    ("dev09", "AOV by country"),
    ("dev10", "new contacts per week this quarter"),
    ("dev10", "Nuevos contactos por semana este trimestre"),
    ("dev11", "tasa de lectura de mensajes de WhatsApp el mes pasado"),
    ("dev11", "whatsap read rate last month"),
    ("dev11", "open rate of wsp messages last month"),
    ("dev12", "mesajes fallidos por canal este mes"),
    ("dev12", "failed messages per channel so far this month"),
    ("dev13", "costo de mensajes por tipo de campaña"),
    ("dev13", "message cost by type of campaign"),
    ("dev14", "ventas por segmento"),
    ("dev14", "reveneu per segment"),
    ("dev15", "cuantas campañas activas hay"),
    ("dev15", "¿Cuántas campañas están activas?"),
    ("dev15", "number of active campaigns"),
    ("dev16", "presupuesto total de campañas por canal"),
    ("dev16", "campaign budget per channel"),
    ("dev17", "tickets de soporte por mes este año"),
    ("dev17", "monthly support tickets this year"),
    ("dev18", "reembolsos del año pasado"),
    ("dev18", "cantidad de devoluciones el año pasado"),
    ("dev19", "contactos por etapa del ciclo de vida"),
    ("dev19", "contacts per lifecycle stage"),
    ("dev20", "mensajes recibidos ayer"),
    ("dev20", "How many messages did we receive yesterday?"),
    ("dev20", "inbound messages yesterday"),
    ("dev21", "How many contacts in Colombia?"),
    ("dev21", "contactos en colombia"),
    ("dev22", "revenue by channel this year"),
    ("dev22", "ventas por canal este año"),
    ("dev23", "messages sent per month over the last six months"),
    ("dev23", "mensajes enviados mensuales en los últimos seis meses"),
    ("dev24", "delivery rate by channel last month"),
    ("dev24", "tasa de entrega por canal del mes anterior"),
    ("dev25", "top 10 customers by revenue"),
    ("dev25", "los 10 clientes con más ingresos"),
    ("dev25", "top ten contacts by sales"),
    ("dev26", "purchases by segment"),
    ("dev26", "pedidos por segmento"),
    ("dev27", "messaging cost per channel this month"),
    ("dev27", "gasto en mensajes por canal este mes"),
    ("dev28", "new contacts by week this month"),
    ("dev28", "contactos nuevos semanales este mes"),
    ("dev29", "cuántos contactos tienen consentimiento"),
    ("dev29", "number of contacts that opted in"),
    ("dev30", "ingresos de marzo de 2026"),
    ("dev30", "revenue for March 2026"),
    ("dev30", "ventas en marzo 2026"),
    ("dev30", "revenue in March"),
    ("dev31", "mensajes enviados diarios en los últimos 7 días"),
    ("dev31", "messages sent per day in the past 7 days"),
    ("dev32", "¿Qué canal tuvo más compras este año?"),
    ("dev32", "which channel had the highest number of purchases this year"),
    ("dev32", "¿Cuál fue el canal con más compras este año?"),
    ("dev33", "ingresos trimestrales del año pasado"),
    ("dev33", "revenue by quarter last year"),
    ("dev34", "campañas por estado"),
    ("dev34", "number of campaigns by status"),
    ("dev35", "ticket promedio este mes"),
    ("dev35", "average order value month to date"),
    ("dev36", "mensajes por dirección"),
    ("dev36", "messages per direction"),
    ("dev37", "ingresos por campaña de las campañas de WhatsApp"),
    ("dev37", "revenue per campaign for wsp campaigns"),
    ("dev38", "tasa de entrega esta semana"),
    ("dev38", "delivery rate so far this week"),
    ("dev39", "new contacts last year"),
    ("dev39", "nuevos contactos del año pasado"),
    ("dev40", "support tickets by channel in the last 90 days"),
    ("dev40", "tickets por canal en los ultimos noventa dias"),
    ("dev01", "Dame el total de contactos"),
    ("dev01", "How big is our contact base?"),
    ("dev02", "¿Cuántos clientes tenemos actualmente?"),
    ("dev02", "Give me the customer count"),
    ("dev03", "Contactos agrupados por país"),
    ("dev03", "Break down contacts by country"),
    ("dev04", "Envíos por canal durante el mes pasado"),
    ("dev04", "Number of messages we sent per channel last month"),
    ("dev05", "Porcentaje de entrega por canal este año"),
    ("dev06", "Ingresos por mes en los últimos doce meses"),
    ("dev06", "Show me monthly revenue for the past year"),
    ("dev07", "Las cinco campañas que más ingresos generaron"),
    ("dev07", "What are our top 5 campaigns in terms of revenue?"),
    ("dev07", "Which 5 campaigns generated the most revenue?"),
    ("dev08", "¿Cuántas compras se hicieron en los últimos 30 días?"),
    ("dev08", "How many orders did we get in the last 30 days?"),
    ("dev09", "Valor promedio del pedido por país"),
    ("dev10", "Contactos nuevos semanales en este trimestre"),
    ("dev11", "Tasa de lectura de WhatsApp del mes pasado"),
    ("dev12", "Mensajes fallidos por canal en lo que va del mes"),
    ("dev12", "How many messages failed per channel this month?"),
    ("dev13", "Costo de mensajería por tipo de campaña"),
    ("dev15", "Número de campañas activas"),
    ("dev15", "Count of active campaigns"),
    ("dev16", "Presupuesto de campañas por canal"),
    ("dev16", "Sum of campaign budgets per channel"),
    ("dev17", "Tickets de soporte mensuales este año"),
    ("dev17", "How many support tickets did we get each month this year?"),
    ("dev18", "¿Cuántos reembolsos hubo el año pasado?"),
    ("dev19", "Contactos por etapa"),
    ("dev19", "Breakdown of contacts by lifecycle stage"),
    ("dev20", "¿Cuántos mensajes recibimos ayer?"),
    ("dev22", "¿Cuánto vendimos por canal este año?"),
    ("dev23", "Mensajes enviados cada mes durante los últimos 6 meses"),
    ("dev25", "Los 10 contactos con mayores ingresos"),
    ("dev25", "Top 10 de contactos por ingresos"),
    ("dev26", "¿Cuántas compras hubo por segmento?"),
    ("dev27", "¿Cuánto gastamos en mensajes por canal este mes?"),
    ("dev28", "Contactos nuevos cada semana de este mes"),
    ("dev29", "How many contacts have opted in?"),
    ("dev29", "Contactos que aceptaron marketing"),
    ("dev30", "Ventas de marzo del 2026"),
    ("dev32", "¿Qué canal registró más compras este año?"),
    ("dev32", "What channel had the most purchases this year?"),
    ("dev33", "Ingresos por trimestre del año anterior"),
    ("dev34", "Número de campañas por estado"),
    ("dev34", "How many campaigns are in each status?"),
    ("dev35", "Ticket promedio del mes"),
    ("dev37", "Revenue per campaign, WhatsApp campaigns only"),
    ("dev37", "Ingresos de campañas de WhatsApp por campaña"),
    ("dev38", "Tasa de entrega de esta semana"),
    ("dev39", "New contacts in the previous year"),
    ("dev39", "¿Cuántos contactos nuevos tuvimos el año pasado?"),
    ("dev40", "Support tickets per channel, past 90 days"),
];

#[test]
fn paraphrases_give_the_gold_answer() {
    let m = model();
    let mut failures = Vec::new();
    for (id, q) in PARAPHRASES {
        let g = gold_by_id(id);
        match interpret(&m, q, None, today()) {
            Ok(plan) => {
                if let Err(e) = common::equivalent(&g.sql, &plan.sql, g.ordered) {
                    failures.push(format!("{id} {q:?}: {e}\n  ours: {}", plan.sql));
                }
            }
            Err(e) => failures.push(format!("{id} {q:?}: not understood: {}", e.message)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        PARAPHRASES.len(),
        failures.join("\n")
    );
}

fn ask(q: &str) -> inda_semantic::Plan {
    interpret(&model(), q, None, today()).unwrap_or_else(|e| panic!("{q:?} not understood: {}", e.message))
}

fn ask_after(prev: &Intent, q: &str) -> inda_semantic::Plan {
    interpret(&model(), q, Some(prev), today())
        .unwrap_or_else(|e| panic!("{q:?} not understood: {}", e.message))
}

#[test]
fn several_metrics_share_one_query() {
    let p = ask("messages sent and delivered by channel");
    assert_eq!(p.intent.metrics, ["messages_sent", "delivered_messages"]);
    assert_eq!(p.intent.breakdowns, ["message_channel"]);
    assert!(p.sql.contains("WHERE direction = 'outbound'"), "{}", p.sql);
    assert!(
        p.sql.contains("COUNT(CASE WHEN status IN ('delivered', 'read') THEN 1 END) AS delivered_messages"),
        "{}",
        p.sql
    );
    let p = ask("mensajes enviados y fallidos por canal");
    assert_eq!(p.intent.metrics, ["messages_sent", "failed_messages"]);
    assert_eq!(
        p.measures.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["mensajes_enviados", "mensajes_fallidos"]
    );
}

#[test]
fn a_share_asked_with_a_breakdown_is_each_row_s_fraction_of_the_whole() {
    // A window over the groups, before the limit: a top 3's shares are of every channel's revenue.
    let p = ask("top 3 channels by revenue this year, with each one's share of total revenue");
    assert_eq!(p.share_column.as_deref(), Some("share_of_revenue"));
    assert!(p.sql.contains("SUM(SUM(a.amount * f.rate)) OVER ()"), "{}", p.sql);
    assert!(p.sql.ends_with("LIMIT 3"), "{}", p.sql);
    let p = ask("share of revenue by channel this year");
    assert_eq!(
        (p.intent.metrics.as_slice(), p.share_column.as_deref()),
        (["revenue".to_string()].as_slice(), Some("share_of_revenue"))
    );
    // In a series split by a breakdown, of each period's whole.
    let p = ask("porcentaje de mensajes por canal y por mes");
    assert_eq!(p.share_column.as_deref(), Some("porcentaje_de_mensajes"));
    assert!(p.sql.contains("OVER (PARTITION BY DATE_TRUNC('month', sent_at))"), "{}", p.sql);
    // Not for a fraction of a whole, a rate, or a plain breakdown.
    assert_eq!(ask("what percentage of contacts are customers").share_column, None);
    assert_eq!(ask("delivery rate by channel").share_column, None);
    assert_eq!(ask("messages by channel").share_column, None);
    // Through a join the rows without a group (no campaign) are a group of their own: the join is LEFT,
    // and the shares are of the whole.
    assert!(ask("distribution of revenue by segment").share_column.is_some());
    let p = ask("share of purchases by campaign");
    assert!(p.share_column.is_some() && p.sql.contains("LEFT OUTER JOIN marts.dim_campaigns"), "{}", p.sql);
    // "% of all purchases each one is": the purchases are the whole, not a part of the activities.
    // ... and through the campaigns' join the groups hold less than the whole: refused, not answered
    // without the percentage asked for.
    let q = "top 5 campaigns by number of purchases last year and what % of all purchases each one is";
    let e = interpret(&model(), q, None, today()).expect_err(q);
    assert!(e.message.contains("percentage of the whole"), "{}", e.message);
    assert!(ask("what % of all purchases is each channel's").share_column.is_some());
}

#[test]
fn the_unit_a_metric_is_in_is_understood_with_it_only() {
    let p = ask("avg time to read whatsapp msgs last week, in minutes");
    assert_eq!(p.intent.metrics, ["time_to_read"]);
    assert_eq!(
        ask("cuánto nos costaron los mensajes de whatsapp el mes pasado? (en dólares)").intent.metrics,
        ["messaging_cost"]
    );
    // No unit is converted: minutes of a count, or dollars of revenue in the reporting currency, are not.
    for q in ["messages sent last month in minutes", "revenue last month in dollars"] {
        let e = interpret(&model(), q, None, today()).expect_err(q);
        assert!(e.message.contains("\"in "), "{q}: {}", e.message);
    }
    // "In the original currency": the amounts per currency, never added up.
    let p = ask("revenue last year in the original currency");
    assert_eq!(p.intent.breakdowns, ["currency"]);
    assert!(p.sql.contains("SUM(amount)") && !p.sql.contains("rate"), "{}", p.sql);
}

#[test]
fn analysts_wording_that_changes_nothing_or_names_the_shape() {
    // A list of a table's rows with a column of its own named as a sum: each row shows it.
    let p = ask("list the active campaigns with their budget");
    assert!(p.intent.list && p.sql.contains("budget") && !p.sql.contains("SUM("), "{}", p.sql);
    assert!(!ask("show me the campaign budget").intent.list);
    // "Contacts in Colombia" say whose purchases: the part is the purchases narrowed through the join.
    let p = ask("what share of purchases came from contacts in Colombia this year?");
    assert!(p.sql.contains("COUNT(CASE WHEN c.country = 'CO' THEN 1 END) * 1.0 / COUNT(*)"), "{}", p.sql);
    // "The same days" belong to a comparison, which compares them already; alone they are refused.
    let p = ask("cómo van las ventas de este mes comparado con los mismos días del mes pasado?");
    assert!(p.same_days_column.is_some());
    assert!(interpret(&model(), "revenue same period last year", None, today()).is_err());
    // One currency kept: its amounts as they are, in it.
    let p = ask("ventas mensuales en pesos mexicanos (MXN) sin convertir, este año");
    assert!(p.sql.contains("SUM(amount)") && p.sql.contains("currency = 'MXN'"), "{}", p.sql);
    // Revenue is net of refunds already; "all time" is no period; "attributed" adds nothing.
    assert_eq!(ask("total revenu for october 2026 (net of refunds pls)").intent.metrics, ["revenue"]);
    assert!(interpret(&model(), "purchases net", None, today()).is_err());
    assert_eq!(ask("AOV for the vip segment vs the regular segment, all time").intent.time_range, None);
    assert_eq!(
        ask("compras atribuidas por canal de campaña el trimestre pasado").intent.metrics,
        ["purchases"]
    );
}

#[test]
fn rates_refuse_a_different_population() {
    assert!(interpret(&model(), "messages received and delivery rate by channel", None, today()).is_err());
}

#[test]
fn comparisons_of_two_periods() {
    for q in [
        "revenue this month vs last month",
        "ingresos de este mes comparado con el mes pasado",
        "revenue compared to last month",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.time_range, Some(TimeRange::This { unit: Grain::Month }), "{q}");
        assert_eq!(p.intent.comparison, Some(TimeRange::Last { unit: Grain::Month }), "{q}");
        assert!(p.time_column.is_some(), "{q}");
        assert!(p.sql.contains("ORDER BY period") || p.sql.contains("ORDER BY periodo"), "{}", p.sql);
    }
}

#[test]
fn the_period_before_the_previous_one() {
    let earlier = Some(TimeRange::Earlier { unit: Grain::Month, n: 2 });
    for q in [
        "revenue last month vs the month before",
        "ventas del mes pasado vs el mes antepasado",
        "revenue last month compared with the previous month",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }), "{q}");
        assert_eq!(p.intent.comparison, earlier, "{q}");
        assert!(
            p.sql.contains("- INTERVAL '2 months' AND a.occurred_at < DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month'"),
            "{}",
            p.sql
        );
    }
    assert_eq!(ask("revenue the month before last").intent.time_range, earlier);
    let p = ask("purchases in the last 30 days compared with the 30 days before that");
    assert_eq!(p.intent.comparison, Some(TimeRange::DaysBefore { n: 30 }));
    assert!(p.sql.contains("occurred_at >= CURRENT_DATE - INTERVAL '60 days' AND occurred_at < CURRENT_DATE - INTERVAL '30 days'"), "{}", p.sql);
    // Alone, "the previous month" is last month; "last month" said twice in a comparison of values is one.
    assert_eq!(
        ask("ventas del mes anterior").intent.time_range,
        Some(TimeRange::Last { unit: Grain::Month })
    );
    let p = ask("delivery rate sms last month vs whatsapp last month");
    assert_eq!(
        (p.intent.comparison, p.intent.breakdowns.as_slice()),
        (None, &["message_channel".to_string()][..])
    );
}

#[test]
fn counts_of_two_values_compared_are_one_row_per_value() {
    let p = ask("purchases vs refunds in Q3 2026");
    assert_eq!(
        (p.intent.metrics.as_slice(), p.intent.breakdowns.as_slice()),
        (&["activities".to_string()][..], &["activity_type".to_string()][..])
    );
    assert!(p.sql.contains("activity_type IN ('purchase', 'refund')"), "{}", p.sql);
    assert_eq!(ask("mensajes enviados vs recibidos el mes pasado").intent.breakdowns, ["direction"]);
    // Together without "vs" they stay two measures of one row.
    assert_eq!(ask("purchases and refunds last month").intent.metrics, ["purchases", "refunds"]);
    // A metric and another value of its column, said apart, are two rows; "churned customers" are one stage.
    for q in
        ["leads vs customers", "how many customers and how many leads", "cuántos clientes y prospectos hay"]
    {
        assert_eq!(ask(q).intent.breakdowns, ["lifecycle_stage"], "{q}");
    }
    assert!(ask("how many churned customers").intent.breakdowns.is_empty());
    // A part against its whole is a percentage, never the part alone.
    assert!(interpret(&model(), "customers vs contacts", None, today()).is_err());
    // A year said once, after the second period, is the first one's too; half-years are periods.
    let p = ask("first half vs second half of 2025 revenue");
    assert!(
        p.sql.contains("THEN DATE '2025-01-01'") && p.sql.contains("THEN DATE '2025-07-01'"),
        "{}",
        p.sql
    );
    assert!(ask("Q1 vs Q2 2025 purchases").sql.contains("THEN DATE '2025-01-01'"));
    // Two months named in a comparison are two periods, not the span between them.
    let p = ask("compará los pedidos de octubre y noviembre 2026");
    assert!(p.intent.comparison.is_some() && p.sql.contains("DATE '2026-11-01'"), "{}", p.sql);
}

#[test]
fn contacts_counted_with_another_measures_verb_are_counted_once() {
    for q in [
        "cuántos contactos compraron el mes pasado",
        "how many unique contacts made a purchase last month",
        "how many buyers last month",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["buyers"], "{q}");
        assert!(p.sql.contains("COUNT(DISTINCT contact_id)"), "{}", p.sql);
    }
    // "Customers" are the customer stage, kept as a filter; "vip" narrows the contacts the same way.
    let p = ask("how many customers bought this year");
    assert!(
        p.sql.contains("c.lifecycle_stage = 'customer'") && p.sql.contains("COUNT(DISTINCT a.contact_id)"),
        "{}",
        p.sql
    );
    // The measure's own count when it comes first; a thing the model cannot count among a measure is refused.
    assert_eq!(ask("how many purchases did vip contacts make").intent.metrics, ["purchases"]);
    assert!(interpret(&model(), "how many campaigns sent messages last month", None, today()).is_err());
    // "Unique" is understood only where each thing is counted once.
    assert!(interpret(&model(), "how many unique page views", None, today()).is_err());
    assert_eq!(ask("cuántos clientes únicos tenemos").intent.metrics, ["customers"]);
    // A distinct count does not add up across groups: no share of a total beside it.
    assert!(interpret(&model(), "share of buyers by channel", None, today()).is_err());
    assert!(ask("buyers by channel").share_column.is_none());
    // Contacts who wrote to us are counted once among the inbound messages, not as the messages.
    for q in [
        "cuantos contactos unicos nos escribieron por wsp el mes pasado",
        "how many contacts wrote in last month",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["contacts_writing_in"], "{q}");
        assert!(p.sql.contains("COUNT(DISTINCT contact_id)") && p.sql.contains("'inbound'"), "{}", p.sql);
    }
}

/// Contacts counted with an activity that has no count of its own ("logged in", "support ticket") are the
/// contacts among that activity's rows, each once: "how many contacts logged in" had been the contacts
/// created in the period, "logged" read as a filler word.
#[test]
fn contacts_counted_with_one_activity_are_counted_once() {
    for (q, value) in [
        ("how many contacts logged in last week", "login"),
        ("cuántos contactos distintos hicieron login en los últimos 7 días", "login"),
        ("how many contacts opened a support ticket this year", "support_ticket"),
        ("cuantos contactos pidieron reembolso este año", "refund"),
        ("how many contacts submitted a form last month", "form_submit"),
        ("cuántos contactos iniciaron un chat este mes", "chat_started"),
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["contacts_with_activity"], "{q}");
        let sql = &p.sql;
        assert!(sql.contains("COUNT(DISTINCT contact_id)"), "{sql}");
        assert!(sql.contains(&format!("activity_type = '{value}'")) && !sql.contains("created_at"), "{sql}");
    }
    let p = ask("how many customers logged in last month");
    assert!(p.sql.contains("c.lifecycle_stage = 'customer'") && p.sql.contains("'login'"), "{}", p.sql);
    // A value the counted things have themselves still narrows them.
    assert!(ask("how many contacts from whatsapp").sql.contains("source_channel = 'whatsapp'"));
}

/// Which side sent a message depends on who is speaking: "contacts who received a message" got one from the
/// company (they had been counted among the messages the company received), so counting contacts among a
/// measure named by "received"/"enviaron" is refused; "contacts send us", "nos mandaron" are the inbound ones.
#[test]
fn contacts_among_two_sided_messages_are_refused() {
    for q in [
        "how many contacts received a whatsapp message last month",
        "cuántos contactos recibieron mensajes el mes pasado",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    for q in
        ["how many messages did contacts send us last month", "cuantos mensajes nos mandaron los contactos"]
    {
        assert_eq!(ask(q).intent.metrics, ["messages_received"], "{q}");
    }
    assert_eq!(ask("cuantos contactos respondieron el mes pasado").intent.metrics, ["contacts_writing_in"]);
}

/// "Entrantes y salientes, todo junto" is one figure, every message: not a row per direction.
#[test]
fn values_said_together_are_one_figure() {
    let p = ask("cuantos mensajes hubo el mes pasado? entrantes y salientes, todo junto");
    assert!(p.sql.contains("direction IN ('inbound', 'outbound')") && !p.sql.contains("CASE"), "{}", p.sql);
    let p = ask("purchases and refunds combined last month");
    assert!(
        p.sql.contains("activity_type IN ('purchase', 'refund')") && p.sql.contains("COUNT(*)"),
        "{}",
        p.sql
    );
    // Without the word, a row (or a column) each.
    assert!(ask("cuantos mensajes entrantes y salientes el mes pasado").sql.contains("CASE WHEN direction"));
}

/// Revenue is net of refunds (semantics.md); "gross", "before refunds" is the purchases alone, never the net.
#[test]
fn gross_revenue_is_the_purchases_alone() {
    for q in [
        "ventas brutas del año pasado, sin restar los reembolsos",
        "gross revenue last year",
        "sales before refunds last year",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["gross_revenue"], "{q}");
        assert!(p.sql.contains("activity_type = 'purchase'") && !p.sql.contains("'refund'"), "{}", p.sql);
    }
    assert_eq!(ask("net revenue last year").intent.metrics, ["revenue"]);
}

#[test]
fn values_joined_to_a_fractions_whole_narrow_it() {
    // "De los contactos de Colombia, qué parte son VIP": Colombia narrows the whole, VIP is the part.
    for q in [
        "qué porcentaje de los contactos de Colombia son vip",
        "what percentage of contacts in Colombia are VIP",
    ] {
        let p = ask(q);
        assert!(
            p.sql.contains("COUNT(CASE WHEN segment = 'vip' THEN 1 END)")
                && p.sql.contains("WHERE country = 'CO'"),
            "{}",
            p.sql
        );
    }
    let p = ask("qué porcentaje de los clientes vip tiene el opt-in activado?");
    assert!(p.sql.contains("CASE WHEN opted_in = true") && p.sql.contains("segment = 'vip'"), "{}", p.sql);
    // What is said of the whole before the fraction word narrows it.
    let p = ask("de las compras que entraron por whatsapp este año, qué porcentaje fueron de Colombia?");
    assert!(
        p.sql.contains("COUNT(CASE WHEN c.country = 'CO' THEN 1 END)")
            && p.sql.contains("a.channel = 'whatsapp'"),
        "{}",
        p.sql
    );
    // "Made by contacts in Mexico" says whose purchases, not a breakdown by contact.
    assert!(
        ask("avg order value for purchases made by contacts in Mexico last quarter")
            .intent
            .breakdowns
            .is_empty()
    );
    // A ranking never ranks rows with no value ("which 3 templates").
    assert!(
        ask("which 3 templates had the most failed msgs last quarter?")
            .sql
            .contains("template_name IS NOT NULL")
    );
    // Alone, the value is the part.
    assert!(ask("porcentaje de contactos de Colombia").sql.contains("CASE WHEN country = 'CO'"));
}

#[test]
fn a_list_names_the_columns_it_shows() {
    // "Correo" is a list column of contacts here, not the email channel; "fecha de inicio" a campaign's.
    let p = ask("regáleme la lista de contactos VIP con correo y teléfono");
    assert!(p.intent.list && p.intent.filters.len() == 1, "{:?}", p.intent.filters);
    assert!(ask("list the active whatsapp campaigns w/ their budget and start date").intent.list);
    // Its own columns named alone are shown, not grouped by ("by channel" still groups).
    let p = ask("listame las campañas que arrancaron este mes con su canal y el estado en que están");
    assert!(p.intent.list && p.intent.breakdowns.is_empty(), "{}", p.sql);
    assert!(!ask("list the campaigns by channel").intent.list);
    // Outside a list of their table the words are values, or not understood.
    assert!(ask("mensajes enviados por correo").sql.contains("channel = 'email'"));
    assert!(interpret(&model(), "revenue by phone", None, today()).is_err());
}

#[test]
fn the_newest_rows_of_a_list() {
    let p = ask("list the 10 newest customers from Mexico w/ name, email and city");
    assert!(p.intent.list && p.intent.top_n == Some(10), "{:?}", p.intent);
    assert!(
        p.sql.contains("ORDER BY created_at DESC NULLS LAST") && p.sql.ends_with("LIMIT 10"),
        "{}",
        p.sql
    );
    assert_eq!(ask("los 3 contactos más recientes").intent.top_n, Some(3));
    assert_eq!(ask("the newest campaign").intent.top_n, Some(1));
    assert!(ask("the oldest campaigns").sql.contains("ORDER BY started_at ASC NULLS LAST"));
    // Only rows are newest: "recent purchases" is not a list.
    assert!(interpret(&model(), "recent purchases", None, today()).is_err());
}

#[test]
fn orders_and_durations_in_analysts_words() {
    let p = ask("cuántos clientes tenemos en cada segmento? ordenado de mayor a menor");
    assert!(p.sql.contains("DESC") && p.intent.top_n.is_none(), "{}", p.sql);
    assert!(ask("revenue by country lowest to highest").sql.contains("ORDER BY revenue ASC"));
    assert_eq!(ask("how long do emails take to get delivered").intent.metrics, ["time_to_deliver"]);
    assert_eq!(ask("cuánto se demoran en leer los correos").intent.metrics, ["time_to_read"]);
    // "Average revenue per customer" is revenue ÷ customers, which is not each customer's average order.
    assert!(interpret(&model(), "average revenue per customer", None, today()).is_err());
    assert_eq!(ask("average order value per customer").intent.metrics, ["average_order_value"]);
    // "Por día de la semana" is no daily series of this week; what a segment "spends" is not our cost.
    for q in [
        "ventas por día de la semana",
        "revenue by hour",
        "segment that spends the most",
        "el segmento que más gasta",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    // "How long" belongs to a duration: said of anything else it is not understood.
    assert!(interpret(&model(), "how long is the campaign", None, today()).is_err());
}

#[test]
fn rankings_superlatives_and_limits() {
    let p = ask("Which channel has the lowest delivery rate?");
    assert_eq!(p.intent.top_n, Some(1));
    assert!(p.intent.sort.as_ref().is_some_and(|s| !s.descending));
    assert!(p.sql.contains("ORDER BY delivery_rate ASC"), "{}", p.sql);
    let p = ask("bottom 3 countries by revenue");
    assert_eq!((p.intent.top_n, p.intent.breakdowns.as_slice()), (Some(3), &["country".to_string()][..]));
    assert!(p.sql.ends_with("LIMIT 3"));
    let p = ask("top tres canales por ingresos");
    assert_eq!(p.intent.top_n, Some(3));
    assert_eq!(p.intent.breakdowns, ["activity_channel"]);
    let p = ask("los cinco países con menos contactos");
    assert_eq!(p.intent.top_n, Some(5));
    assert!(p.intent.sort.as_ref().is_some_and(|s| !s.descending));
    let p = ask("what month had the most revenue this year");
    assert_eq!(p.intent.grain, Some(Grain::Month));
    assert_eq!(p.intent.top_n, Some(1));
    assert!(p.sql.contains("ORDER BY revenue DESC"), "{}", p.sql);
    let p = ask("which countries have the most customers");
    assert_eq!(p.intent.top_n, None, "plural keeps every country");
}

#[test]
fn filters_from_values_and_qualifiers() {
    let p = ask("delivery rate by channel excluding email");
    assert_eq!(p.intent.filters.len(), 1);
    assert!(p.intent.filters[0].negated);
    assert!(p.sql.contains("channel <> 'email'"), "{}", p.sql);
    let p = ask("WhatsApp and SMS messages sent last week");
    assert!(p.sql.contains("channel IN ('whatsapp', 'sms')"), "{}", p.sql);
    assert!(p.sql.contains("DATE_TRUNC('week', CURRENT_DATE) - INTERVAL '7 days'"), "{}", p.sql);
    let p = ask("how many leads in Colombia");
    assert_eq!(p.intent.metrics, ["contacts"]);
    assert!(p.sql.contains("lifecycle_stage = 'lead'") && p.sql.contains("country = 'CO'"), "{}", p.sql);
    let p = ask("how many churned customers");
    assert_eq!(p.intent.metrics, ["contacts"]);
    assert!(p.sql.contains("lifecycle_stage = 'churned'") && !p.sql.contains("'customer'"), "{}", p.sql);
    let p = ask("revenue from VIP customers in Mexico");
    assert!(p.sql.contains("c.segment = 'vip'") && p.sql.contains("c.country = 'MX'"), "{}", p.sql);
    let p = ask("How many WhatsApp campaigns are active?");
    assert!(p.sql.contains("channel = 'whatsapp'") && p.sql.contains("status = 'active'"), "{}", p.sql);
    let p = ask("contactos de Estados Unidos en riesgo");
    assert!(p.sql.contains("country = 'US'") && p.sql.contains("segment = 'at_risk'"), "{}", p.sql);
    // A message's own channel is its campaign's only when it has one: conversational messages are no
    // campaign's.
    let p = ask("messages from WhatsApp campaigns");
    assert!(
        p.sql.contains("JOIN marts.dim_campaigns") && p.sql.contains("cp.channel = 'whatsapp'"),
        "{}",
        p.sql
    );
    // A fraction's part read through a join keeps the whole's rows that have no campaign.
    let p = ask("qué porcentaje de los mensajes fallidos de este año venían de campañas de whatsapp?");
    assert!(p.sql.contains("LEFT OUTER JOIN marts.dim_campaigns"), "{}", p.sql);
    let p = ask("contacts by channel");
    assert_eq!(p.intent.breakdowns, ["source_channel"]);
    let p = ask("logins last week");
    assert_eq!(p.intent.metrics, ["activities"]);
    assert!(p.sql.contains("activity_type = 'login'"), "{}", p.sql);
}

#[test]
fn time_expressions() {
    let p = ask("revenue between january and march 2026");
    assert!(p.sql.contains("DATE '2026-01-01'") && p.sql.contains("DATE '2026-04-01'"), "{}", p.sql);
    let p = ask("ventas del primer trimestre de 2026");
    assert!(p.sql.contains("DATE '2026-01-01'") && p.sql.contains("DATE '2026-04-01'"), "{}", p.sql);
    let p = ask("revenue in 2025");
    assert!(p.sql.contains("DATE '2025-01-01'") && p.sql.contains("DATE '2026-01-01'"), "{}", p.sql);
    let p = ask("ingresos en diciembre");
    assert!(p.sql.contains("DATE '2025-12-01'"), "month without a year is the latest one: {}", p.sql);
    let p = ask("messages sent today");
    assert!(p.sql.contains("sent_at >= CURRENT_DATE") && !p.sql.contains("INTERVAL"), "{}", p.sql);
    let p = ask("compras desde marzo");
    assert!(p.sql.contains(">= DATE '2026-03-01'") && !p.sql.contains('<'), "{}", p.sql);
    let p = ask("revenue last quarter");
    assert!(p.sql.contains("DATE_TRUNC('quarter', CURRENT_DATE) - INTERVAL '3 months'"), "{}", p.sql);
    let p = ask("contactos nuevos en las últimas 2 semanas");
    assert_eq!(p.intent.time_range, Some(TimeRange::LastN { unit: Grain::Week, n: 2 }));
    let p = ask("revenue trend this year");
    assert_eq!(p.intent.grain, Some(Grain::Month));
    let p = ask("evolución diaria de mensajes enviados este mes");
    assert_eq!(p.intent.grain, Some(Grain::Day));
}

#[test]
fn follow_ups_refine_the_previous_intent() {
    let p1 = ask("Messages sent by channel last month");
    let p2 = ask_after(&p1.intent, "and by country?");
    assert_eq!(p2.intent.breakdowns, ["country"]);
    assert_eq!(p2.intent.time_range, p1.intent.time_range);
    let p3 = ask_after(&p2.intent, "only WhatsApp");
    assert_eq!(p3.intent.filters.len(), 1);
    assert_eq!(p3.intent.filters[0].values, ["whatsapp"]);
    let p4 = ask_after(&p3.intent, "what about this month?");
    assert_eq!(p4.intent.time_range, Some(TimeRange::This { unit: Grain::Month }));
    assert_eq!(p4.intent.filters, p3.intent.filters);
    let p5 = ask_after(&p4.intent, "top 3");
    assert_eq!(p5.intent.top_n, Some(3));
    assert!(p5.sql.ends_with("LIMIT 3"));
    let p6 = ask_after(&p5.intent, "also by segment");
    assert_eq!(p6.intent.breakdowns, ["country", "segment"]);
    // A complete new question replaces the conversation.
    let p7 = ask_after(&p6.intent, "How many contacts do we have?");
    assert!(p7.intent.filters.is_empty() && p7.intent.breakdowns.is_empty());
}

#[test]
fn spanish_follow_ups_keep_spanish() {
    let p1 = ask("Ingresos por canal este año");
    let p2 = ask_after(&p1.intent, "¿y por país?");
    assert_eq!((p2.lang, p2.intent.breakdowns.as_slice()), (Lang::Es, &["country".to_string()][..]));
    let p3 = ask_after(&p2.intent, "solo WhatsApp");
    assert!(p3.sql.contains("a.channel = 'whatsapp'"), "{}", p3.sql);
    let p4 = ask_after(&p3.intent, "¿y el mes anterior?");
    assert_eq!(p4.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    let p5 = ask_after(&p4.intent, "top 3");
    assert_eq!(p5.lang, Lang::Es, "no language evidence: stays in the conversation's language");
    assert!(p5.measures[0].name == "ingresos");
    let p6 = ask_after(&p5.intent, "¿y las compras?");
    assert_eq!(p6.intent.metrics, ["purchases"]);
    assert_eq!(p6.intent.breakdowns, ["country"]);
    let p7 = ask_after(&p1.intent, "¿y los mensajes enviados?");
    assert_eq!(
        p7.intent.breakdowns,
        ["message_channel"],
        "channel carries over to the message's own channel"
    );
}

#[test]
fn refuses_what_it_cannot_map() {
    let m = model();
    let long = "revenue ".repeat(300);
    let cases = [
        "revenue by age",
        "revenue since the pandemic",
        "revenue of globex",
        "'; DROP TABLE x; --",
        "",
        "   ",
        long.as_str(),
        "hello",
        "by country",
        "top 5",
        "what is the weather like",
        "contacts by campaign",
        "revenue in the last 0 days",
        "average delivery rate per message",
        "🙂🙂🙂",
        "ingresos hasta marzo",
        "revenue last 5",
    ];
    for q in cases {
        let r = interpret(&m, q, None, today());
        assert!(r.is_err(), "{q:?} should not be understood: {:?}", r.map(|p| p.sql));
    }
    let e = interpret(&m, "revenue by age", None, today()).expect_err("refused");
    assert!(e.message.contains("age") && e.understood.contains(&"revenue".to_string()), "{}", e.message);
    assert!(!e.suggestions.is_empty());
    let es = interpret(&m, "ingresos por edad", None, today()).expect_err("refused");
    assert!(es.message.starts_with("Entendí: ingresos"), "{}", es.message);
    let core: inda_core::Error = es.into();
    assert_eq!(core.code, inda_core::ErrorCode::NotUnderstood);
    assert!(core.message.contains('|') || core.message.contains("—"));
}

#[test]
fn never_splices_question_text_into_sql() {
    let m = model();
    let hostile = [
        "revenue by channel'; DELETE FROM marts.dim_contacts; --",
        "contacts in 'Colombia' OR 1=1",
        "revenue \" UNION SELECT * FROM admin.tenants",
        "messages sent by channel /* tenant_id = 'globex' */",
        "contactos en Colombia; drop table x",
    ];
    for q in hostile {
        if let Ok(p) = interpret(&m, q, None, today()) {
            for bad in ["DELETE", "UNION", "admin", "globex", "1=1", "drop", "/*", "--"] {
                assert!(!p.sql.contains(bad), "{q:?} leaked into {}", p.sql);
            }
        }
    }
}

#[test]
fn no_panic_on_odd_input() {
    let m = model();
    let odd = [
        "¿¡",
        "%%%",
        "top 99999999999999 campaigns by revenue",
        "últimos 99999 días",
        "q5 2026",
        "march 1800",
        "\u{0}\u{1}",
        "ñññññ",
        "by by by",
        "top top top",
        "revenue revenue revenue",
        "y",
        "and",
        "2026",
    ];
    for q in odd {
        let _ = interpret(&m, q, None, today());
    }
}

#[test]
fn detects_language() {
    let m = model();
    assert_eq!(detect_lang(&m, "¿Cuántos contactos tenemos?"), Lang::Es);
    assert_eq!(detect_lang(&m, "Ingresos por canal este año"), Lang::Es);
    assert_eq!(detect_lang(&m, "Revenue by channel this year"), Lang::En);
    assert_eq!(detect_lang(&m, "How many customers do we have?"), Lang::En);
    assert_eq!(detect_lang(&m, "ventas por segmento"), Lang::Es);
}

#[test]
fn detects_language_with_the_words_of_an_override() {
    let base = model();
    assert_eq!(detect_lang(&base, "recaudo total"), Lang::En);
    let m = base.with_override("synonyms:\n  revenue: { es: [recaudo] }\n").expect("override merges");
    assert_eq!(detect_lang(&m, "recaudo total"), Lang::Es);
}

#[test]
fn titles_and_measures_follow_the_language() {
    let p = ask("Messages sent by channel last month");
    assert_eq!(p.title, "Messages sent by channel, last month");
    assert_eq!(p.measures[0].name, "messages_sent");
    let p = ask("Mensajes enviados por canal el mes pasado");
    assert_eq!(p.title, "Mensajes enviados por canal, el mes pasado");
    assert_eq!(p.measures[0].name, "mensajes_enviados");
    let p = ask("Mensajes enviados por mes en los últimos 6 meses");
    assert_eq!(p.time_column.as_deref(), Some("mes"));
    let p = ask("tasa de entrega este mes");
    assert_eq!(p.measures[0].format.as_str(), "percent");
}

#[test]
fn intents_round_trip_through_json() {
    let p = ask("top 5 campaigns by revenue for WhatsApp campaigns last month vs this month");
    let json = serde_json::to_string(&p.intent).expect("serialize");
    let back: Intent = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, p.intent);
    // Older, minimal intents still load.
    let minimal: Intent = serde_json::from_str(r#"{"metrics":["revenue"]}"#).expect("minimal");
    assert_eq!(minimal.metrics, ["revenue"]);
    let t: TimeRange = serde_json::from_str(r#"{"kind":"last_n","unit":"month","n":6}"#).expect("range");
    assert_eq!(t, TimeRange::LastN { unit: Grain::Month, n: 6 });
}

#[test]
fn suggestions_in_both_languages() {
    let m = model();
    assert!(m.suggestions(Lang::En).iter().any(|s| s.contains("Top 5 campaigns")));
    assert!(
        m.suggestions(Lang::Es).iter().all(|s| detect_lang(&m, s) == Lang::Es),
        "{:?}",
        m.suggestions(Lang::Es)
    );
}

/// Phrasings of the held-out style (eval/nl-heldout-style.jsonl) that once failed, each with the SQL
/// semantics.md gives it.
const HELDOUT_STYLE: &[(&str, &str, bool)] = &[
    (
        "¿cuántos contactos aceptaron recibir marketing?",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE opted_in = TRUE",
        false,
    ),
    (
        "cuantos contactos dieron consentimiento",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE opted_in = TRUE",
        false,
    ),
    (
        "contacts subscribed to marketing",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE opted_in = TRUE",
        false,
    ),
    ("how many contacts consented", "SELECT COUNT(*) FROM marts.dim_contacts WHERE opted_in = TRUE", false),
    (
        "contactos que no aceptaron recibir marketing",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE opted_in = FALSE",
        false,
    ),
    (
        "how many messages came in today",
        "SELECT COUNT(*) FROM marts.fct_messages WHERE direction = 'inbound' AND sent_at >= CURRENT_DATE",
        false,
    ),
    (
        "mensajes que nos llegaron hoy",
        "SELECT COUNT(*) FROM marts.fct_messages WHERE direction = 'inbound' AND sent_at >= CURRENT_DATE",
        false,
    ),
    (
        "how many messages went out today",
        "SELECT COUNT(*) FROM marts.fct_messages WHERE direction = 'outbound' AND sent_at >= CURRENT_DATE",
        false,
    ),
    (
        "cuántos mensajes se abrieron hoy",
        "SELECT COUNT(*) FROM marts.fct_messages WHERE direction = 'outbound' AND status = 'read' AND sent_at >= CURRENT_DATE",
        false,
    ),
    (
        "tickets abiertos hoy",
        "SELECT COUNT(*) FROM marts.fct_activities WHERE activity_type = 'support_ticket' AND occurred_at >= CURRENT_DATE",
        false,
    ),
    (
        "cuánta plata entró hoy",
        "SELECT SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) WHERE a.activity_type IN ('purchase','refund') AND a.occurred_at >= CURRENT_DATE",
        false,
    ),
    (
        "ventas del día de hoy",
        "SELECT SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) WHERE a.activity_type IN ('purchase','refund') AND a.occurred_at >= CURRENT_DATE",
        false,
    ),
    (
        "cuántas ventas hubo hoy",
        "SELECT COUNT(*) FROM marts.fct_activities WHERE activity_type = 'purchase' AND occurred_at >= CURRENT_DATE",
        false,
    ),
    (
        "which segment brought in the most revenue",
        "SELECT c.segment, SUM(a.amount * f.rate) AS r FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase','refund') GROUP BY c.segment ORDER BY r DESC LIMIT 1",
        true,
    ),
    (
        "el canal con la tasa de entrega más baja",
        "SELECT channel, SUM(CASE WHEN status IN ('delivered','read') THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS r FROM marts.fct_messages WHERE direction = 'outbound' GROUP BY channel ORDER BY r ASC LIMIT 1",
        true,
    ),
    (
        "la campaña con más mensajes enviados",
        "SELECT c.campaign_name, COUNT(*) AS n FROM marts.fct_messages m JOIN marts.dim_campaigns c ON m.campaign_id = c.campaign_id WHERE m.direction = 'outbound' GROUP BY c.campaign_name ORDER BY n DESC LIMIT 1",
        true,
    ),
    (
        "valor medio de los pedidos por país",
        "SELECT c.country, AVG(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type = 'purchase' GROUP BY c.country",
        false,
    ),
    (
        "monto promedio por compra",
        "SELECT AVG(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) WHERE a.activity_type = 'purchase'",
        false,
    ),
    ("contacts outside Colombia", "SELECT COUNT(*) FROM marts.dim_contacts WHERE country <> 'CO'", false),
    (
        "contactos que no están en Colombia",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE country <> 'CO'",
        false,
    ),
    (
        "mensajes enviados por whats",
        "SELECT COUNT(*) FROM marts.fct_messages WHERE direction = 'outbound' AND channel = 'whatsapp'",
        false,
    ),
    (
        "what's the total number of customers in Peru",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE lifecycle_stage = 'customer' AND country = 'PE'",
        false,
    ),
    ("cuál es el total de contactos", "SELECT COUNT(*) FROM marts.dim_contacts", false),
    (
        "cuántos leads nuevos hubo hoy",
        "SELECT COUNT(*) FROM marts.dim_contacts WHERE lifecycle_stage = 'lead' AND created_at >= CURRENT_DATE",
        false,
    ),
    (
        "how much have we spent on messaging today",
        "SELECT SUM(cost) FROM marts.fct_messages WHERE sent_at >= CURRENT_DATE",
        false,
    ),
    (
        "revenue by contry",
        "SELECT c.country, SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase','refund') GROUP BY c.country",
        false,
    ),
    (
        "how are our contacts distributed by segment",
        "SELECT segment, COUNT(*) FROM marts.dim_contacts GROUP BY segment",
        false,
    ),
    (
        "how many campaigns did we launch today",
        "SELECT COUNT(*) FROM marts.dim_campaigns WHERE started_at >= CURRENT_DATE",
        false,
    ),
];

#[test]
fn held_out_style_phrasings() {
    let m = model();
    let mut failures = Vec::new();
    for (q, sql, ordered) in HELDOUT_STYLE {
        match interpret(&m, q, None, today()) {
            Ok(plan) => {
                if let Err(e) = common::equivalent(sql, &plan.sql, *ordered) {
                    failures.push(format!("{q:?}: {e}\n  ours: {}", plan.sql));
                }
            }
            Err(e) => failures.push(format!("{q:?}: not understood: {}", e.message)),
        }
    }
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn refuses_averages_and_spending_it_cannot_map() {
    // Customers' spending is not messaging cost.
    for q in ["los 5 clientes que más gastaron", "average purchases last month"] {
        let r = interpret(&model(), q, None, today());
        assert!(r.is_err(), "{q:?} should not be understood: {:?}", r.map(|p| p.sql));
    }
    // An average of a count per period is the mean of each period's count, never an average order.
    for q in ["average purchases per month", "promedio de compras por día"] {
        let p = ask(q);
        assert!(p.intent.per_period && p.intent.metrics == ["purchases"], "{q}: {}", p.sql);
    }
}

/// The question shapes of semantics.md: shares, lists, value comparisons, averages, the new metrics, plural
/// metric names — each with the SQL it must mean.
#[test]
fn question_shapes_mean_their_sql() {
    let fx = "JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)";
    let cases: Vec<(&str, String)> = vec![
        (
            "What percentage of contacts are customers?",
            "SELECT COUNT(CASE WHEN lifecycle_stage = 'customer' THEN 1 END) * 1.0 / COUNT(*) AS share FROM marts.dim_contacts".into(),
        ),
        (
            "qué porcentaje de los contactos son de México",
            "SELECT COUNT(CASE WHEN country = 'MX' THEN 1 END) * 1.0 / COUNT(*) AS p FROM marts.dim_contacts".into(),
        ),
        (
            "what share of revenue comes from WhatsApp",
            format!("SELECT SUM(CASE WHEN a.channel = 'whatsapp' THEN a.amount * f.rate END) * 1.0 / SUM(a.amount * f.rate) AS s FROM marts.fct_activities a {fx} WHERE a.activity_type IN ('purchase','refund')"),
        ),
        (
            "porcentaje de mensajes enviados que fueron leídos el mes pasado",
            "SELECT COUNT(CASE WHEN status = 'read' THEN 1 END) * 1.0 / COUNT(*) AS p FROM marts.fct_messages WHERE direction = 'outbound' AND sent_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month' AND sent_at < DATE_TRUNC('month', CURRENT_DATE)".into(),
        ),
        (
            "list the paused campaigns",
            "SELECT campaign_name, channel, campaign_type, status, started_at, ended_at, budget FROM marts.dim_campaigns WHERE status = 'paused'".into(),
        ),
        (
            "cuáles campañas de email están activas",
            "SELECT campaign_name, channel, campaign_type, status, started_at, ended_at, budget FROM marts.dim_campaigns WHERE channel = 'email' AND status = 'active'".into(),
        ),
        (
            "SMS vs WhatsApp delivery rate last month",
            "SELECT channel, SUM(CASE WHEN status IN ('delivered','read') THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS r FROM marts.fct_messages WHERE direction = 'outbound' AND channel IN ('sms', 'whatsapp') AND sent_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month' AND sent_at < DATE_TRUNC('month', CURRENT_DATE) GROUP BY channel".into(),
        ),
        (
            "costo promedio por mensaje por canal",
            "SELECT channel, AVG(cost) AS c FROM marts.fct_messages WHERE direction = 'outbound' GROUP BY channel".into(),
        ),
        (
            "reply rate by channel",
            "SELECT channel, SUM(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END) * 1.0 / SUM(CASE WHEN direction = 'outbound' THEN 1 ELSE 0 END) AS r FROM marts.fct_messages GROUP BY channel".into(),
        ),
        (
            "opt-out rate",
            "SELECT SUM(CASE WHEN opted_in = FALSE THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS r FROM marts.dim_contacts".into(),
        ),
        (
            "tasa de conversion por pais",
            "SELECT country, SUM(CASE WHEN lifecycle_stage = 'customer' THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS r FROM marts.dim_contacts GROUP BY country".into(),
        ),
        (
            "average time to read this year",
            "SELECT AVG(DATEDIFF('second', sent_at, read_at) / 60.0) AS t FROM marts.fct_messages WHERE read_at IS NOT NULL AND sent_at >= DATE_TRUNC('year', CURRENT_DATE)".into(),
        ),
        (
            "delivery rates by channel",
            "SELECT channel, SUM(CASE WHEN status IN ('delivered','read') THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS r FROM marts.fct_messages WHERE direction = 'outbound' GROUP BY channel".into(),
        ),
        (
            "revenue by currency",
            "SELECT currency, SUM(amount) AS r FROM marts.fct_activities WHERE activity_type IN ('purchase','refund') GROUP BY currency".into(),
        ),
    ];
    let m = model();
    let mut failures = Vec::new();
    for (q, gold) in &cases {
        match interpret(&m, q, None, today()) {
            Ok(plan) => {
                if let Err(e) = common::equivalent(gold, &plan.sql, false) {
                    failures.push(format!("{q:?}: {e}\n  ours: {}", plan.sql));
                }
            }
            Err(e) => failures.push(format!("{q:?}: not understood: {}", e.message)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A list is rows, not a count; "how many" keeps it a count.
    assert!(ask("show me the active campaigns").intent.list);
    assert!(!ask("how many active campaigns are there").intent.list);
    assert!(!ask("show me revenue by month").intent.list);
}

/// Precision first: a word that would change the question, and that the model has no data for, is refused
/// and named — never bent into a near word ("vendedor" is not "vendemos").
#[test]
fn refuses_words_that_would_change_the_question() {
    let m = model();
    for (q, word) in [
        ("ventas por vendedor este mes", "vendedor"),
        ("revenue by product", "product"),
        ("profit margin by channel", "profit"),
        ("what percentage of revenue", "percentage"),
    ] {
        match interpret(&m, q, None, today()) {
            Ok(p) => panic!("{q:?} should be refused, got {}", p.sql),
            Err(e) => assert!(
                e.message.to_lowercase().contains(word) || !e.understood.is_empty(),
                "{q:?}: {}",
                e.message
            ),
        }
    }
}

/// "Contacts with no email" is whether the column is empty (a `present` dimension); it had been read as
/// contacts whose source channel is not email. The channel itself is still understood.
#[test]
fn having_an_email_or_a_phone_is_not_read_as_a_channel() {
    for (q, cond) in [
        ("how many contacts have no email", "email IS NULL"),
        ("cuántos contactos no tienen correo", "email IS NULL"),
        ("contacts without a phone", "phone IS NULL"),
    ] {
        let p = ask(q);
        assert!(p.sql.contains(cond) && !p.sql.contains("source_channel"), "{q}: {}", p.sql);
    }
    assert!(ask("how many contacts came from email").sql.contains("source_channel = 'email'"));
}

#[test]
fn a_period_against_the_same_one_last_year() {
    // Never the whole of last year: the first period, a year earlier.
    for q in
        ["revenue this month vs the same month last year", "revenue this month vs the same period last year"]
    {
        let p = ask(q);
        assert_eq!(p.intent.comparison, Some(TimeRange::Earlier { unit: Grain::Month, n: 12 }), "{q}");
        assert!(!p.sql.contains("DATE_TRUNC('year'"), "{}", p.sql);
        // This month runs: the same days of last year's month are summed beside it.
        assert!(p.sql.contains("revenue_same_days"), "{}", p.sql);
    }
    let p = ask("ventas de noviembre 2025 vs el mismo mes del año pasado");
    let (start, end) = (d(2024, 11, 1), d(2024, 12, 1));
    assert_eq!(p.intent.comparison, Some(TimeRange::Between { start, end }));
    assert_eq!(
        ask("buyers this quarter vs the same quarter last year").intent.comparison,
        Some(TimeRange::Earlier { unit: Grain::Quarter, n: 4 })
    );
    // The last 30 days have no calendar counterpart a year back: not understood, not last year.
    assert!(
        interpret(&model(), "messages last 30 days vs the same period last year", None, today()).is_err()
    );
}

#[test]
fn days_of_a_month_are_a_range() {
    for q in [
        "compras del 1 al 15 de marzo de 2026",
        "purchases between 1 and 15 march 2026",
        "purchases mar 1-15 2026",
    ] {
        let p = ask(q);
        assert!(
            p.sql.contains("occurred_at >= DATE '2026-03-01' AND occurred_at < DATE '2026-03-16'"),
            "{}",
            p.sql
        );
    }
    assert!(ask("mensajes enviados el 3 de marzo").sql.contains("sent_at < DATE '2026-03-04'"));
}

#[test]
fn refunds_over_purchases_is_the_refund_rate() {
    for q in
        ["what % of orders got refunded in 2025?", "tasa de reembolsos por canal", "refund rate last month"]
    {
        assert_eq!(ask(q).intent.metrics, ["refund_rate"], "{q}");
    }
}

#[test]
fn what_a_buyer_spent_is_purchases_over_buyers() {
    for q in [
        "in march 2026 how much did each buyer spend on average? per person, not per order",
        "gasto promedio por comprador el mes pasado",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["spend_per_buyer"], "{q}");
        assert!(p.sql.contains("/ COUNT(DISTINCT a.contact_id)") && p.sql.contains("fx_rates"), "{}", p.sql);
    }
}

#[test]
fn an_average_beside_the_rows_it_is_taken_over_is_that_average() {
    let p = ask("cuanto se demoran en promedio en leer los wsp q mandamos la semana pasada? en minutos");
    assert_eq!(p.intent.metrics, ["time_to_read"]);
}

#[test]
fn cuanta_gente_counts_people() {
    assert_eq!(ask("cuanta gente compro algo el mes pasado").intent.metrics, ["buyers"]);
    // "Cuánta" alone is still "how much".
    assert_eq!(ask("cuanta plata entró el mes pasado").intent.metrics, ["revenue"]);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

#[test]
fn a_fractions_whole_is_refined_and_a_percent_sign_is_never_dropped() {
    // "Que nos llegan" makes the whole the messages received, not every message.
    let p = ask("que proporcion de los mensajes que nos llegan entran por whatsapp? ultimos 90 dias");
    assert!(p.sql.contains("direction = 'inbound'") && p.sql.contains("channel = 'whatsapp'"), "{}", p.sql);
    // "Qué %" is a fraction, never the count of the part.
    let p = ask("de los contactos q llegaron x instagram, que % ya son clientes?");
    assert!(
        p.sql.contains("* 1.0 / COUNT(*)") && p.sql.contains("source_channel = 'instagram'"),
        "{}",
        p.sql
    );
    // A percent sign with nothing to split is refused; beside a rate it restates it.
    assert!(interpret(&model(), "contactos de instagram clientes %", None, today()).is_err());
    assert_eq!(ask("reply rate % last month").intent.metrics, ["reply_rate"]);
}

#[test]
fn days_of_the_week_filter_by_the_metrics_time() {
    let p = ask("cuantos mensajes mandamos los lunes de marzo 2026?");
    assert_eq!(p.intent.days, Some(DaysOfWeek::MONDAY));
    assert!(
        p.sql.contains("EXTRACT(DOW FROM sent_at) = 1") && p.sql.contains("direction = 'outbound'"),
        "{}",
        p.sql
    );
    assert!(p.title.contains("los lunes"), "{}", p.title);
    let p = ask("how many msgs came in on weekends during march 2026?");
    assert!(p.sql.contains("EXTRACT(DOW FROM sent_at) IN (0, 6)"), "{}", p.sql);
    assert!(
        ask("revenue on weekdays last month")
            .sql
            .contains("EXTRACT(DOW FROM a.occurred_at) IN (1, 2, 3, 4, 5)")
    );
    // One date ("on monday", "el fin de semana pasado") and a breakdown by weekday are not understood.
    for q in ["messages on monday", "mensajes enviados el fin de semana pasado", "revenue by weekday"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    // A follow-up keeps the days, or changes them.
    let first = ask("messages sent on weekends last month");
    assert_eq!(ask_after(&first.intent, "and by channel?").intent.days, Some(DaysOfWeek::WEEKEND));
    assert_eq!(ask_after(&first.intent, "and on fridays?").intent.days, Some(DaysOfWeek::FRIDAY));
}

#[test]
fn an_average_of_a_count_per_contact_is_the_count_over_the_contacts() {
    for q in [
        "average messages sent per contact last month",
        "on avg how many msgs did we send per contact last month? only counting ppl we actually messaged",
        "promedio de mensajes enviados por contacto el mes pasado",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["messages_per_contact"], "{q}");
        assert!(p.intent.breakdowns.is_empty(), "{q}");
    }
    // Never the average cost of a message, nor another count's average per contact the model lacks.
    for q in ["average messages sent last month", "average purchases per contact last month"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    assert_eq!(ask("average purchase last month").intent.metrics, ["average_order_value"]);
}

#[test]
fn contacts_with_a_delivered_message_are_counted_once() {
    let p = ask("top 3 campaigns in march 2026 by how many unique contacts got a delivered msg");
    assert_eq!(p.intent.metrics, ["contacts_delivered"]);
    assert!(
        p.sql.contains("COUNT(DISTINCT m.contact_id)") && p.sql.contains("'delivered', 'read'"),
        "{}",
        p.sql
    );
}

#[test]
fn an_average_per_day_is_the_mean_of_each_days_total() {
    // Not the average purchase of each day: each complete day's total, averaged.
    for q in [
        "average daily revenue last month",
        "on average how many messages a day did we send last month",
        "promedio diario de mensajes el mes pasado",
    ] {
        let p = ask(q);
        assert!(p.intent.per_period && p.intent.grain == Some(Grain::Day), "{q}");
        assert!(p.sql.contains("AS per_period"), "{}", p.sql);
        assert!(!p.sql.contains("AVG(a.amount"), "{}", p.sql);
    }
    // This month's running day is left out of the average.
    let p = ask("average monthly revenue this year");
    assert!(p.sql.contains("a.occurred_at < DATE_TRUNC('month', CURRENT_DATE)"), "{}", p.sql);
    // By a breakdown: each channel's days averaged.
    let p = ask("average daily messages by channel last month");
    assert!(p.sql.contains("GROUP BY channel") && p.sql.contains("AS messages_per_day"), "{}", p.sql);
    // Over a range, a day without rows counts as zero: the total over the range's complete days.
    let p = ask("promedio diario de mensajes el mes pasado");
    assert!(p.sql.contains("SUM(mensajes) * 1.0 / NULLIF(DATEDIFF('day', "), "{}", p.sql);
    // Over all time, the mean of the months that have rows.
    assert!(ask("average purchases per month").sql.starts_with("SELECT AVG(purchases)"));
    // A monthly average order value is still the series of each month's average order.
    assert!(!ask("monthly average order value this year").intent.per_period);
}

#[test]
fn averages_per_buyer_campaign_and_budget_are_their_own_measures() {
    let cases = [
        ("ventas netas entre compradores unicos el mes pasado", "revenue_per_buyer"),
        ("average purchases per buyer this year", "purchases_per_buyer"),
        ("average messages per campaign last month", "messages_per_campaign"),
        ("wena, cual es el presupuesto promedio de las campañas de whatsapp?", "average_campaign_budget"),
        ("average spend per buyer in 2025? just purchases, ignore refunds", "spend_per_buyer"),
    ];
    for (q, metric) in cases {
        assert_eq!(ask(q).intent.metrics, [metric], "{q}");
    }
    // The label of an average is no breakdown's words: these stay a count by campaign and by contact.
    let p = ask("mensajes enviados por campaña en marzo 2026");
    assert_eq!(
        (p.intent.metrics.as_slice(), p.intent.breakdowns.as_slice()),
        (&["messages_sent".to_string()][..], &["campaign".to_string()][..])
    );
    // Per contact, purchases have no one reading (per buyer, or per contact of the base): not understood.
    assert!(interpret(&model(), "average purchases per contact last month", None, today()).is_err());
}

#[test]
fn a_distribution_by_a_joined_column_is_of_every_row() {
    // Shares by the contacts' country: every purchase counts in the whole (the join kept LEFT).
    let p = ask("distribucion de las ventas por pais este año en porcentaje");
    assert!(
        p.sql.contains("OVER ()") && p.sql.contains("LEFT OUTER JOIN marts.dim_contacts AS c"),
        "{}",
        p.sql
    );
    // Messages without a campaign are a group of their own, not left out of the whole.
    assert!(
        ask("share of messages by campaign last month").sql.contains("LEFT OUTER JOIN marts.dim_campaigns")
    );
    // A top N of a joined column would rank that group too: its shares are still refused; every order has
    // a contact, so a city, and each city's share of all orders is given.
    assert!(interpret(&model(), "top 3 campaigns by messages sent with their share", None, today()).is_err());
    let p = ask("top 5 cities by orders this year and what % of all orders each is");
    assert!(p.sql.contains("OVER ()") && p.intent.top_n == Some(5), "{}", p.sql);
    let p = ask("top 3 countries by messages sent, with each one's share of all messages sent");
    assert_eq!(p.intent.metrics, ["messages_sent"]);
    assert!(p.sql.contains("OVER ()"), "{}", p.sql);
    // The share of the top ones together is one figure the engine does not compute: refused, never each one's.
    for q in [
        "what share of this year's revenue came from our top 3 cities?",
        "what share of revenue came from our top 3 channels",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    // "By contact country" is the contacts' country, never each contact.
    let p = ask("delivery rate by contact country for last month");
    assert_eq!(p.intent.breakdowns, ["country"]);
}

/// "Todos los canales menos sms": "menos" before a value is "except", and the dimension said alone before
/// an exclusion is what it excludes from, not a breakdown; "el canal con menos mensajes" still ranks.
#[test]
fn menos_before_a_value_excludes_it() {
    let p = ask("cuánto nos costaron los mensajes el trimestre pasado? todos los canales menos sms po");
    assert!(p.intent.breakdowns.is_empty(), "{:?}", p.intent.breakdowns);
    assert!(p.sql.contains("channel <> 'sms'"), "{}", p.sql);
    assert!(p.intent.sort.is_none(), "{:?}", p.intent.sort);
    let p = ask("mensajes enviados por canal menos whatsapp");
    assert_eq!(p.intent.breakdowns, ["message_channel"]);
    assert!(p.sql.contains("channel <> 'whatsapp'"), "{}", p.sql);
    let p = ask("el canal con menos mensajes enviados");
    assert!(p.sql.contains("ASC") && p.sql.contains("LIMIT 1"), "{}", p.sql);
    let p = ask("failed messages yesterday by channel, everything but sms");
    assert!(p.sql.contains("channel <> 'sms'"), "{}", p.sql);
    let p = ask("how many active campaigns do we have that aren't email?");
    assert!(p.sql.contains("channel <> 'email'") && p.sql.contains("status = 'active'"), "{}", p.sql);
    // The rows' own noun may stand between the word and its value.
    let p = ask("presupuesto total por canal, no incluyas las campañas pausadas");
    assert!(p.sql.contains("status <> 'paused'"), "{}", p.sql);
}

/// Measures listed with "and" are each measured, a generic head noun too ("contacts, customers and
/// conversion rate"); "contactos clientes" still counts the customers.
#[test]
fn listed_measures_are_each_measured() {
    let p = ask("contacts, customers and conversion rate by segment");
    assert_eq!(p.intent.metrics, ["contacts", "customers", "conversion_rate"]);
    assert_eq!(ask("contactos y clientes por pais").intent.metrics, ["contacts", "customers"]);
    assert_eq!(ask("contactos clientes por pais").intent.metrics, ["customers"]);
    // A measure that cannot be had beside the others is refused, never dropped.
    assert!(interpret(&model(), "campaigns and revenue by campaign type this year", None, today()).is_err());
}

/// "Growth", "% change", "variación": the later period, the earlier one (the same days when the later one
/// is running) and the change as a fraction, in one row; the period before when only one is said.
#[test]
fn a_change_is_one_row_with_both_periods() {
    let p = ask("messages sent MTD vs the same days last month, whats the % change?");
    assert!(p.intent.change);
    assert_eq!(
        p.measures.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["messages_sent", "messages_sent_previous", "change"]
    );
    assert!(p.sql.contains("CURRENT_DATE + INTERVAL '1 day' - INTERVAL '1 month'"), "{}", p.sql);
    assert!(p.sql.contains("* 1.0 / NULLIF("), "{}", p.sql);
    assert!(!p.sql.contains("GROUP BY"), "{}", p.sql);
    let p = ask("revenue growth last month");
    assert_eq!(p.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    assert_eq!(p.intent.comparison, Some(TimeRange::Earlier { unit: Grain::Month, n: 2 }));
    assert!(!p.sql.contains("INTERVAL '1 day'"), "whole months: {}", p.sql);
    // Said in either order, the later period is the one changed to.
    let p = ask("purchases growth the month before last vs last month");
    assert_eq!(p.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    let p = ask("oye cuánto crecieron los pedidos el trimestre pasado vs el anterior? en porcentaje porfa");
    assert_eq!(p.intent.comparison, Some(TimeRange::Earlier { unit: Grain::Quarter, n: 2 }));
    let p = ask("Which channel grew the most in % on messages sent last month compared to the month before?");
    assert_eq!(p.intent.top_n, Some(1));
    assert!(p.sql.contains("ORDER BY change DESC"), "{}", p.sql);
    let p = ask("cual pais cayo mas en ventas el mes pasado");
    assert!(p.sql.contains("ORDER BY variacion ASC"), "{}", p.sql);
    for q in ["growth of delivery rate this month", "revenue growth", "monthly revenue growth this year"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// "Cuánto más vendimos en Colombia que en México" asks for a difference the engine does not compute: it
/// is refused, never the two added up. Asked as yes or no ("¿tuvimos más ventas este mes que el mes
/// pasado?"), both periods are shown.
#[test]
fn a_difference_is_refused_not_added_up() {
    for q in [
        "cuanto mas vendimos en colombia que en mexico el año pasado?",
        "how many more messages did we send via whatsapp than sms last month",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    assert!(ask("tuvimos mas ventas este mes que el mes pasado?").intent.comparison.is_some());
    assert!(ask("que canal tuvo mas ventas el mes pasado").sql.contains("LIMIT 1"));
}

#[test]
fn sales_not_counting_refunds_are_gross_revenue() {
    assert_eq!(
        ask("me regala las ventas del mes pasado sin contar los reembolsos").intent.metrics,
        ["gross_revenue"]
    );
    assert_eq!(
        ask("sales by channel this quarter, gross - don't net out refunds").intent.metrics,
        ["gross_revenue"]
    );
    assert_eq!(ask("revenue last month").intent.metrics, ["revenue"]);
}

/// "The second best city": that one row of the ranking; "la segunda semana de noviembre" is no ranking.
#[test]
fn an_ordinal_keeps_that_place_of_the_ranking() {
    let p = ask("what was our second best city by revenue last quarter?");
    assert!(p.intent.nth);
    assert!(p.sql.contains("LIMIT 1 OFFSET 1"), "{}", p.sql);
    let p = ask("cual es el segundo canal con mas mensajes recibidos en lo q va del año");
    assert!(p.sql.contains("DESC") && p.sql.contains("LIMIT 1 OFFSET 1"), "{}", p.sql);
    assert!(ask("tercer pais con mas contactos").sql.contains("LIMIT 1 OFFSET 2"));
    assert!(ask("the second worst campaign by delivery rate").sql.contains("ASC"));
    for q in ["mensajes de la segunda semana de noviembre", "second month revenue"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// "How many campaigns are active and what's their total budget": the count is measured beside the sum (it
/// had been dropped); "how many contacts are customers" still counts the customers.
#[test]
fn rows_counted_beside_a_sum_of_them_are_measured() {
    let p = ask("how many campaigns are active right now and what's their total budget?");
    assert_eq!(p.intent.metrics, ["campaigns", "campaign_budget"]);
    assert_eq!(ask("cuantas campañas activas hay y cuanto presupuesto tienen").intent.metrics.len(), 2);
    assert_eq!(ask("how many contacts are customers").intent.metrics, ["customers"]);
    assert_eq!(ask("budget of the active campaigns").intent.metrics, ["campaign_budget"]);
}

/// No date says when a contact opted out: "unsubscribed last week" is refused, never the contacts created
/// last week who are opted out; messages to opted-in contacts in a period are fine.
#[test]
fn an_undated_state_of_the_rows_counted_takes_no_period() {
    for q in ["How many people unsubscribed last week?", "contactos sin consentimiento este mes"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    assert!(ask("how many contacts opted out").sql.contains("opted_in = false"));
    assert!(ask("messages sent last month to opted in contacts").sql.contains("opted_in = true"));
}

/// "How much does each message cost", "cuánto nos cuesta cada SMS": a sum per one of its own rows is their
/// average, never the total (it had answered the whole messaging cost); "top campaigns by messages" ranks.
#[test]
fn a_sum_per_one_of_its_rows_is_their_average() {
    for q in [
        "how much does each message cost",
        "cuánto cuesta cada mensaje",
        "cuánto nos cuesta en promedio cada mensaje",
        "costo en promedio de cada mensaje",
    ] {
        assert_eq!(ask(q).intent.metrics, ["average_cost_per_message"], "{q}");
    }
    let p = ask("cuánto nos cuesta cada sms");
    assert_eq!(p.intent.metrics, ["average_cost_per_message"]);
    assert!(p.sql.contains("channel = 'sms'"), "{}", p.sql);
    let p = ask("how much does each message cost by channel");
    assert_eq!(p.intent.metrics, ["average_cost_per_message"]);
    assert_eq!(p.intent.breakdowns, ["message_channel"]);
    assert_eq!(ask("revenue per purchase").intent.metrics, ["average_order_value"]);
    assert_eq!(ask("top campaigns by messages").intent.metrics, ["messages"]);
    assert_eq!(ask("costo por canal").intent.metrics, ["messaging_cost"]);
    assert_eq!(ask("revenue for each country").intent.metrics, ["revenue"]);
}

/// Round 13: "how many leads came in through the website" counts the leads by their date (it had counted
/// messages received from leads on a "web" channel); campaigns that "kicked off" or "partieron"; "for the
/// monthly review" is no series; a range "hasta fin de mes" and "desde el 16 de noviembre".
#[test]
fn named_things_and_calendar_dates() {
    let p = ask("how many leads came in through the website since september?");
    assert_eq!(p.intent.metrics, ["contacts"]);
    assert!(p.sql.contains("source_channel = 'web'") && p.sql.contains("created_at >="), "{}", p.sql);
    assert_eq!(ask("how many messages came in yesterday").intent.metrics, ["messages_received"]);
    assert_eq!(ask("cuantos llegaron por whatsapp ayer").intent.metrics, ["messages_received"]);
    assert!(ask("which campaigns kicked off in Q4 2026?").sql.contains("started_at >="));
    assert!(
        ask("presupuesto total de las campañas drip que partieron el 2025").sql.contains("started_at >=")
    );
    let p =
        ask("for the monthly review: how many purchases did our VIP contacts make from August to October?");
    assert_eq!(p.intent.grain, None);
    let p = ask("ingresos de whatsapp del 16 de noviembre hasta fin de mes");
    assert!(matches!(p.intent.time_range, Some(TimeRange::Between { .. })), "{:?}", p.intent.time_range);
    let p = ask("mensajes enviados desde el 16 de noviembre");
    assert!(matches!(p.intent.time_range, Some(TimeRange::Since { .. })), "{:?}", p.intent.time_range);
}

/// "Mensajes enviados excluyendo los fallidos", "messages sent that did not fail": the rows of a narrower
/// count of the same table left out, as its narrowing values negated.
#[test]
fn a_narrower_measure_excluded_is_its_value_left_out() {
    for q in [
        "mensajes enviados excluyendo los fallidos",
        "messages sent except failed",
        "mensajes enviados sin contar los fallidos",
        "how many messages did we send that did not fail",
        "mensajes enviados que no fallaron",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["messages_sent"], "{q}");
        assert!(p.sql.contains("status <> 'failed'"), "{q}: {}", p.sql);
    }
    assert!(ask("mensajes enviados excluyendo los fallidos").title.contains("sin mensajes fallidos"));
    assert!(interpret(&model(), "delivery rate excluding failed", None, today()).is_err());
    // Of the generic head noun: every message but the failed ones; a denial counts only those that could
    // have been delivered (messages sent), every status but delivered and read.
    let p = ask("cuantos mensajes hubo el mes pasado excluyendo los fallidos");
    assert_eq!(p.intent.metrics, ["messages"]);
    assert!(p.sql.contains("WHERE status <> 'failed'"), "{}", p.sql);
    for q in
        ["cuantos mensajes no se entregaron la semana pasada", "messages that were not delivered last week"]
    {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["messages_sent"], "{q}");
        assert!(p.sql.contains("status NOT IN ('delivered', 'read')"), "{q}: {}", p.sql);
    }
    assert_eq!(ask("ventas sin contar los reembolsos").intent.metrics, ["gross_revenue"]);
}

/// Round 14 (how analysts type): context before a pivot word is dropped ("… anyway: how many msgs …",
/// "first one: …"), but only after one; "how many messages did we send … this month vs last month" compares
/// the periods (it had been refused as a part compared with its whole).
#[test]
fn context_before_the_question_and_chat_wording() {
    let p = ask(
        "ok so the client asked me for a quick sanity check before tmrw's QBR, they think whatsapp volume dropped... anyway: how many msgs did we send on whatsap this month vs last month?",
    );
    assert_eq!(p.intent.metrics, ["messages_sent"]);
    assert!(p.intent.comparison.is_some(), "{:?}", p.intent);
    let p = ask(
        "my manager is out today and left me a list lol. first one: which country brought in the most revenue last month?",
    );
    assert_eq!(p.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    // Without a pivot the context stays part of the question.
    assert!(
        interpret(&model(), "the client asked for a sanity check: messages sent", None, today()).is_err()
    );
    for q in [
        "che fijate cual fue la tasa de entrga x canal el mes pasado, q el jefe la quiere ver antes del comite",
        "cuanta plata entro en marzo 2026? ingresos netos digo",
        "top 3 ciudades cn mas contactos nuevos este año",
        "how much have we spnt on mesaging so far this wk? usd is fine",
    ] {
        assert!(interpret(&model(), q, None, today()).is_ok(), "{q}");
    }
    assert!(interpret(&model(), "messages sent vs messages", None, today()).is_err());
}

/// A refining verb in a fraction question: "contacts that came in thru WhatsApp" narrows the whole (the
/// WhatsApp contacts had been the part); "messages sent that were read" is read ÷ sent (it had answered the
/// share of all messages that are outbound, dropping "read"); "messages received … were read" mixes two
/// measures and is refused.
#[test]
fn a_refining_verb_in_a_fraction_narrows_the_whole_or_is_the_part() {
    let p = ask("what share of contacts that came in thru whatsapp are churned?");
    assert!(p.sql.contains("WHERE source_channel = 'whatsapp'"), "{}", p.sql);
    assert!(p.sql.contains("CASE WHEN lifecycle_stage = 'churned'"), "{}", p.sql);
    let p = ask("what share of messages sent were read");
    assert_eq!(p.intent.metrics, ["messages_sent"]);
    assert_eq!(p.intent.share_of.and_then(|s| s.metric).as_deref(), Some("read_messages"));
    for q in [
        "what share of messages received through whatsapp were read",
        "what share of messages that came in through whatsapp were read",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    let p = ask("what percentage of messages failed");
    assert_eq!(p.intent.share_of.and_then(|s| s.metric).as_deref(), Some("failed_messages"));
    // Outside a fraction: the narrower count is what is counted ("how many messages sent were read" had
    // answered all messages sent); a count it does not narrow is refused, naming the words.
    assert_eq!(ask("how many messages sent were read").intent.metrics, ["read_messages"]);
    assert_eq!(
        ask("how many whatsapp messages sent got opened last month").intent.metrics,
        ["read_messages"]
    );
    for q in ["how many messages received were read", "how many messages sent came in"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
    assert_eq!(ask("how many new customers this month").intent.metrics, ["customers"]);
}

/// Context an analyst types around the question: before an ellipsis it is dropped only when nothing there
/// means anything ("for vip only… revenue by channel" keeps VIP); a reason after a question mark is dropped
/// (its "at risk" is no filter), a reason inside the question is not understood. "In our currency" is the
/// reporting currency, never a breakdown by currency; "esta semana vs la pasada".
#[test]
fn context_around_the_question_is_dropped_only_when_it_says_nothing() {
    let p = ask(
        "ok the cs team is prepping the monthly review and asked me (again) for this... delivery rate by segment last month",
    );
    assert_eq!((p.intent.grain, p.intent.breakdowns.as_slice()), (None, &["segment".to_string()][..]));
    let p = ask("for vip only... revenue by channel");
    assert!(p.intent.filters.iter().any(|f| f.values == ["vip"]), "{:?}", p.intent.filters);
    assert!(interpret(&model(), "excluding the gold tier... revenue by channel", None, today()).is_err());
    let p =
        ask("cual es la tasa de bajas x segmento? xq marketing dice q los at risk se estan dando de baja");
    assert!(p.intent.filters.is_empty(), "{:?}", p.intent.filters);
    assert!(
        interpret(&model(), "ventas por canal porque el jefe quiere ver las de mexico", None, today())
            .is_err()
    );
    let p = ask("can u compare revenue last month vs the month before? in our currency ofc");
    assert!(p.intent.breakdowns.is_empty() && p.intent.comparison.is_some(), "{:?}", p.intent);
    assert!(ask("cuantos tikets de soporte esta semana vs la pasada?").intent.comparison.is_some());
}

/// Chat around the question: greetings, thanks, hedges and what the boss thinks after the end of a sentence
/// are dropped; a reason that follows no question, or a word the engine does not know inside it, is not.
#[test]
fn the_small_talk_of_a_chat_is_not_part_of_the_question() {
    let p = ask(
        "Hi! Quick one: could you pull how many messages we sent last month? My boss is asking, thanks!!",
    );
    assert_eq!(p.intent.metrics, ["messages_sent"]);
    let p = ask(
        "Necesito para mañana el numero de tickets de soporte por mes de este año… es que mi jefa dice que subieron",
    );
    assert_eq!(p.intent.grain, Some(inda_semantic::Grain::Month));
    let p = ask("Holaa, cuántos reembolsos hubo la semana pasada? aprox nomás");
    assert!(p.sql.contains("'refund'"), "{}", p.sql);
    let p = ask("Hello, average cost per message by channel this year? in USD, it's for budget planning");
    assert!(!p.sql.contains("budget"), "{}", p.sql);
    // Before anything was asked, what the boss says is the question.
    let p = ask("Hi! My boss is asking: revenue by channel last month");
    assert!(p.sql.contains("GROUP BY a.channel"), "{}", p.sql);
    assert!(interpret(&model(), "messages last month? my boss wants them by hour", None, today()).is_err());
    assert!(interpret(&model(), "revenue last month for the zorblax", None, today()).is_err());
}

/// "Which active campaign sent the fewest messages", "top 5 WhatsApp campaigns by read rate": the value
/// qualifies the rows that are ranked and stays a filter (the first was answered with the total of active
/// campaigns' messages). One row's extreme ("the smallest purchase") is not a ranking and is refused.
#[test]
fn a_ranking_of_qualified_rows_keeps_the_qualifier() {
    let p = ask("Which active campaign has sent the fewest messages?");
    assert_eq!(p.intent.breakdowns, ["campaign"]);
    assert!(
        p.sql.contains("cp.status = 'active'") && p.sql.contains("ASC") && p.sql.contains("LIMIT 1"),
        "{}",
        p.sql
    );
    let p = ask("Bottom 5 WhatsApp campaigns by read rate");
    assert!(p.sql.contains("cp.channel = 'whatsapp'") && p.sql.contains("LIMIT 5"), "{}", p.sql);
    for q in [
        "What's the smallest purchase this month in each currency?",
        "¿Cuál fue la compra más barata del año pasado?",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// "Is A higher than B", "¿tuvimos más fallidos en SMS que en WhatsApp?": a yes-or-no comparison shows both
/// sides, as "vs" does. "Cuánto más" (a difference), "more than 5" (a threshold) and "which channels had more
/// … than …" (a pick of rows) stay not understood.
#[test]
fn a_yes_or_no_comparison_shows_both_sides() {
    let p = ask("Is WhatsApp's read rate higher than email's?");
    assert!(
        p.sql.contains("channel IN ('whatsapp', 'email')") && p.sql.contains("GROUP BY channel"),
        "{}",
        p.sql
    );
    let p = ask("¿Tuvimos más mensajes fallidos en SMS que en WhatsApp el mes pasado?");
    assert!(p.sql.contains("channel IN ('sms', 'whatsapp')") && p.sql.contains("'failed'"), "{}", p.sql);
    assert!(ask("¿Hubo más reembolsos esta semana que la pasada?").intent.comparison.is_some());
    // One of two: both shown, never added up (both were one sum).
    for q in ["which sold more, colombia or peru", "¿Vendimos más en Colombia o en Perú el mes pasado?"] {
        assert!(ask(q).sql.contains("GROUP BY c.country"), "{q}");
    }
    assert!(!ask("revenue more or less by channel").sql.contains("channel IN ("));
    for q in [
        "cuánto más vendimos en Colombia que en México",
        "contacts with more than 5 purchases",
        "contacts with more than five purchases",
        "which channels had more revenue this month than last month",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// A country written as its upper-case code is that country ("new contacts in CO"); in lower case "us" and
/// "co" stay words.
#[test]
fn a_country_code_in_capitals_is_the_country() {
    assert!(ask("new contacts in CO per month since June").sql.contains("country = 'CO'"));
    assert!(ask("contacts in US").sql.contains("country = 'US'"));
    assert!(!ask("tell us how many contacts").sql.contains("country"));
}

/// "Purchases by contacts who opted out": people qualified by a clause of their own made the rows, one
/// figure (it had listed 741 contacts); "purchases by contacts" and "top 10 contacts by revenue" still break
/// down by contact.
#[test]
fn rows_by_people_qualified_by_a_clause_are_theirs() {
    let p = ask("purchases by contacts who opted out");
    assert!(p.intent.breakdowns.is_empty() && p.sql.contains("opted_in = false"), "{}", p.sql);
    assert_eq!(ask("purchases by contacts").intent.breakdowns, ["contact"]);
    assert_eq!(ask("top 10 contacts by revenue").intent.breakdowns, ["contact"]);
    assert_eq!(ask("revenue per buyer this year").intent.metrics, ["revenue_per_buyer"]);
}

/// A period said of when another table's rows began filters those rows by their own date, never the
/// measure's ("the campaigns that started in 2025" had counted the messages sent in 2025); the question's
/// other periods stay the measure's; of a table the measure does not join it is refused; of the measure's
/// own rows it is its date as before.
#[test]
fn a_period_of_when_something_else_began_filters_those_rows() {
    let began = |q: &str, table: &str, range: TimeRange| {
        let p = ask(q);
        assert_eq!(p.intent.began, [Began { table: table.into(), range }], "{q}: {}", p.sql);
        p
    };
    let y2025 = TimeRange::Between {
        start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        end: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    };
    let p = began(
        "How many messages in total did the campaigns that started in 2025 send?",
        "dim_campaigns",
        y2025,
    );
    assert_eq!(
        (p.intent.metrics.as_slice(), p.intent.time_range),
        (["messages_sent".to_string()].as_slice(), None)
    );
    assert!(
        p.sql.contains("cp.started_at >= DATE '2025-01-01'") && p.intent.breakdowns.is_empty(),
        "{}",
        p.sql
    );
    let p = began("ingresos del mes pasado que vinieron de contactos creados en 2025", "dim_contacts", y2025);
    assert_eq!(p.intent.metrics, ["revenue"]);
    assert_eq!(p.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    assert!(p.sql.contains("c.created_at >= DATE '2025-01-01'"), "{}", p.sql);
    assert!(p.title.contains("contactos creados: 2025"), "{}", p.title);
    let p = began("How many contacts created in 2025 made a purchase this year?", "dim_contacts", y2025);
    assert_eq!(p.intent.metrics, ["buyers"]);
    assert_eq!(p.intent.time_range, Some(TimeRange::This { unit: Grain::Year }));
    // Said twice, the period is both the contacts' and the purchases'.
    let q = "cuantas compras hicieron en los ultimos 30 dias los contactos que se crearon en los ultimos 30 dias?";
    let p = began(q, "dim_contacts", TimeRange::LastNDays { n: 30 });
    assert_eq!(p.intent.time_range, Some(TimeRange::LastNDays { n: 30 }));
    began(
        "revenue from campaigns launched this year",
        "dim_campaigns",
        TimeRange::This { unit: Grain::Year },
    );
    assert!(interpret(&model(), "new contacts from campaigns launched in 2025", None, today()).is_err());
    for q in [
        "contacts created last month",
        "campaigns started last quarter",
        "cuantos contactos se crearon este mes",
    ] {
        let p = ask(q);
        assert!(p.sql.contains(">= DATE_TRUNC") && p.intent.began.is_empty(), "{q}");
    }
    assert!(ask("how many leads came in this month").sql.contains("created_at >="));
    assert!(ask("cuántos contactos iniciaron un chat este mes").sql.contains("occurred_at >="));
}

/// "Los contactos que llegaron por Instagram": after people and a refining verb of their own, the value is
/// where they came from (it had filtered the tickets' own channel).
#[test]
fn a_value_in_a_clause_of_people_is_theirs() {
    let p = ask("cuantos tickets de soporte abrieron este año los contactos que llegaron por instagram?");
    assert!(p.sql.contains("c.source_channel = 'instagram'"), "{}", p.sql);
    assert!(ask("cuantos mensajes nos llegaron por whatsapp").sql.contains("AND channel = 'whatsapp'"));
}

/// A negation covers a list of values of one column, not the next value said after it ("los contactos sin
/// opt-in son de Colombia" had read "not Colombia" into the part); a negated value joined to a fraction's
/// whole narrows the whole.
#[test]
fn a_negation_ends_at_its_own_list() {
    let p = ask("que proporcion de los contactos sin opt-in son de colombia?");
    assert!(
        p.sql.contains("CASE WHEN country = 'CO'") && p.sql.contains("WHERE opted_in <> true"),
        "{}",
        p.sql
    );
    assert!(ask("contacts without opt-in in colombia").sql.contains("country = 'CO'"));
    assert!(ask("revenue excluding email and sms").sql.contains("NOT IN ('email', 'sms')"));
    assert!(ask("revenue excluding email sms").sql.contains("NOT IN ('email', 'sms')"));
}

/// People named by a word that is also their stage ("clientes": the customer stage) beside another table's
/// measure are those people (the word had been dropped, counting every contact's messages); plural people
/// after "by" with their value are who did it, not a breakdown of one row per contact.
#[test]
fn customers_beside_another_measure_are_the_customer_stage() {
    let p = ask("cuantos mensajes les mandamos a los clientes de Peru?");
    assert_eq!(p.intent.metrics, ["messages_sent"]);
    assert!(
        p.sql.contains("c.lifecycle_stage = 'customer'") && p.sql.contains("c.country = 'PE'"),
        "{}",
        p.sql
    );
    let p = ask("what's the average order value of in-store purchases by customers in Mexico this year?");
    assert!(p.intent.breakdowns.is_empty(), "{:?}", p.intent.breakdowns);
    assert!(
        p.sql.contains("c.lifecycle_stage = 'customer'") && p.sql.contains("c.country = 'MX'"),
        "{}",
        p.sql
    );
    // Counted, or broken down by, they are themselves.
    assert!(!ask("how many customers in Peru").sql.contains("JOIN"));
    assert_eq!(ask("revenue by customer in Mexico").intent.breakdowns, ["contact"]);
    assert!(!ask("purchases by contacts who opted out").sql.contains("lifecycle_stage"));
}

/// People doing a verb whose side depends on who speaks ("recibieron los contactos", "did contacts
/// receive", "received by contacts") turn the measure around: refused (it had counted inbound messages),
/// unless the company is named beside the verb.
#[test]
fn people_doing_a_two_sided_verb_are_refused() {
    for q in [
        "cuantos mensajes recibieron los contactos vip el mes pasado?",
        "how many messages did vip contacts receive last month",
        "messages received by contacts in Mexico",
        "cuantos mensajes enviaron los contactos de Mexico",
    ] {
        let e = interpret(&model(), q, None, today()).err().unwrap_or_else(|| panic!("{q} answered"));
        assert!(
            e.message.contains("messages we sent to") || e.message.contains("mensajes que enviamos"),
            "{q}"
        );
    }
    for q in ["mensajes recibidos de los contactos vip", "how many messages did we send to vip contacts"] {
        assert!(ask(q).sql.contains("c.segment = 'vip'"), "{q}");
    }
    let q = "last month how many messages did each contact get from us on average? only the contacts we actually sent something to";
    assert_eq!(ask(q).intent.metrics, ["messages_per_contact"]);
    let q = "a cuantos contactos que llegaron por instagram les mandamos algun sms en noviembre 2026?";
    assert_eq!(ask(q).intent.metrics, ["contacts_messaged"]);
}

/// "Contacts who bought this year" with no counting word counts the contacts among the purchases, each
/// once (it had counted the purchases); a list of them by what they did is refused, never a count of
/// something else.
#[test]
fn people_with_a_clause_of_another_measure_are_counted_once() {
    for q in [
        "contacts who bought this year",
        "contactos que compraron este año",
        "contacts in Mexico who bought this year",
    ] {
        assert_eq!(ask(q).intent.metrics, ["buyers"], "{q}");
    }
    for q in ["list contacts who bought this year", "cuales contactos compraron este mes"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// Words that had been read the wrong way round or dropped: "no solo los entregados" left the delivered ones
/// out; "cuánto nos costó la campaña" answered the messages' cost (its budget is another measure); "regular o
/// new" dropped "new"; "contando entrantes y salientes" is one figure.
#[test]
fn contrasts_alternatives_and_campaign_cost_are_read_as_said() {
    let p = ask(
        "cuantos mensajes les mandamos por whatsapp el mes pasado? todos los enviados, no solo los entregados",
    );
    assert!(!p.sql.contains("status"), "{}", p.sql);
    for q in ["cuanto nos costaron las campañas el mes pasado?", "cost by campaign"] {
        let e = interpret(&model(), q, None, today()).err().unwrap_or_else(|| panic!("{q} answered"));
        assert!(e.message.contains("budget") || e.message.contains("presupuesto"), "{q}: {}", e.message);
    }
    assert_eq!(ask("costo de los mensajes por campaña").intent.metrics, ["messaging_cost"]);
    assert_eq!(ask("costo por canal").intent.metrics, ["messaging_cost"]);
    let p = ask("cuantos compradores unicos tuvimos entre los contactos de segmento regular o new");
    assert!(p.sql.contains("c.segment IN ('regular', 'new')"), "{}", p.sql);
    let p = ask("cuantos mensajes hubo el mes pasado? contando entrantes y salientes");
    assert!(p.sql.contains("COUNT(*)") && !p.sql.contains("CASE"), "{}", p.sql);
}

/// "How many purchases did each one bring in" after the campaigns is a row per campaign (it had answered the
/// total); the campaigns' own words still say whose channel "WhatsApp" is.
#[test]
fn each_one_after_things_is_a_row_per_thing() {
    let p =
        ask("For the WhatsApp campaigns that started last month, how many purchases did each one bring in?");
    assert_eq!(p.intent.breakdowns, ["campaign"]);
    assert!(p.sql.contains("cp.channel = 'whatsapp'") && p.sql.contains("cp.started_at >="), "{}", p.sql);
    let p = ask("cuantas compras trajo cada una de las campañas de whatsapp");
    assert!(p.sql.contains("cp.channel = 'whatsapp'"), "{}", p.sql);
    assert!(ask("cuáles son las campañas transaccionales y cuánto presupuesto tiene cada una?").intent.list);
}

/// Comparisons and lists read whole: values of one family said together share the campaign word beside one
/// of them (the campaigns' SMS and the messages' email had both had to hold: zero rows); measures side by
/// side are compared in one period (it had compared this month with the last); a yes/no value against its
/// own negation is a row per side (it had been both at once); "vip vs non-vip" is refused.
#[test]
fn comparisons_keep_their_sides_together() {
    for q in [
        "failed messages for email vs SMS campaigns",
        "failed messages for email campaigns vs SMS",
        "mensajes fallidos de las campañas de email vs sms",
        "failed messages for email and SMS campaigns",
    ] {
        let p = ask(q);
        assert!(
            p.sql.contains("cp.channel IN ('email', 'sms')") && !p.sql.contains("m.channel"),
            "{q}: {}",
            p.sql
        );
    }
    let p = ask("a cuantos contactos que llegaron por instagram les mandamos algun sms en noviembre 2026?");
    assert!(
        p.sql.contains("c.source_channel = 'instagram'") && p.sql.contains("m.channel = 'sms'"),
        "{}",
        p.sql
    );
    for q in ["revenue vs refunds last month", "mensajes entregados vs fallidos por canal en octubre 2026"] {
        let p = ask(q);
        assert_eq!(p.intent.metrics.len(), 2, "{q}");
        assert!(p.intent.comparison.is_none(), "{q}");
    }
    assert!(ask("revenue this month compared to last month").intent.comparison.is_some());
    for q in ["contacts opted in vs not, by country", "contactos con opt-in vs sin opt-in por país"] {
        let p = ask(q);
        assert_eq!(p.intent.breakdowns, ["country", "opted_in"], "{q}");
        assert!(!p.sql.contains("WHERE"), "{q}: {}", p.sql);
    }
    assert!(interpret(&model(), "clientes vip vs no vip", None, today()).is_err());
}

/// "Las campañas de Navidad 2025": the plural of a campaign said with one name is that name and the names
/// that continue it; the singular, or several names, are exactly what is named. "Enviados por las campañas
/// de WhatsApp" is who sent them, not a row per campaign.
#[test]
fn a_campaign_name_said_in_the_plural_includes_its_continuations() {
    let names: Vec<String> = ["Navidad 2025", "Navidad 2025 - Recordatorio", "Navidad 2026"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let m = model().with_data_values("campaign", &names).expect("names");
    let sql = |q: &str| interpret(&m, q, None, today()).unwrap_or_else(|e| panic!("{q}: {}", e.message)).sql;
    for q in ["ventas de las campañas de Navidad 2025 por segmento", "revenue of the Navidad 2025 campaigns"]
    {
        assert!(
            sql(q).contains("cp.campaign_name IN ('Navidad 2025', 'Navidad 2025 - Recordatorio')"),
            "{q}"
        );
    }
    for q in ["ventas de la campaña Navidad 2025", "revenue of the Navidad 2025 and Navidad 2026 campaigns"]
    {
        assert!(!sql(q).contains("Recordatorio"), "{q}");
    }
    let p = ask("mensajes enviados por las campañas de whatsapp");
    assert!(p.intent.breakdowns.is_empty() && p.sql.contains("cp.channel = 'whatsapp'"), "{}", p.sql);
    assert_eq!(ask("mensajes enviados por campañas de whatsapp").intent.breakdowns, ["campaign"]);
}

/// Whether rows came from a campaign (`campaign_id` set or not): named ("not attributed to any campaign",
/// "sin campaña", "conversacionales"), as a row per side, and as where a measure came from ("revenue did our
/// campaigns bring in" had answered all revenue). "With and without" a yes/no value is a row per side.
#[test]
fn attribution_to_a_campaign_is_read_as_said() {
    for q in [
        "How many purchases last quarter were not attributed to any campaign?",
        "ventas sin campaña el mes pasado",
        "cuantos mensajes conversacionales mandamos",
    ] {
        assert!(ask(q).sql.contains("campaign_id IS NULL"), "{q}");
    }
    for q in [
        "What share of the messages we sent last month were part of a campaign?",
        "how much revenue did our campaigns bring in last month?",
        "compras atribuidas a una campaña este año por canal",
        "tiempo promedio de lectura de los whatsapp de campaña el mes pasado",
        "campaign messages this month",
    ] {
        assert!(ask(q).sql.contains("campaign_id IS NOT NULL"), "{q}");
    }
    let p = ask("messages sent from a campaign vs not last month");
    assert!(p.sql.contains("campaign_id IS NOT NULL AS message_attribution"), "{}", p.sql);
    assert_eq!(ask("revenue by campaign").intent.breakdowns, ["campaign"]);
    for q in ["contactos con y sin opt-in", "contacts with and without consent"] {
        assert_eq!(ask(q).intent.breakdowns, ["opted_in"], "{q}");
    }
    assert!(interpret(&model(), "mensajes enviados con y sin campaña", None, today()).is_err());
}

/// Said with a period, "ended"/"terminaron" is read on when campaigns ended (it had listed the completed
/// campaigns that started last month), and refused of rows with no end date; campaigns counted with when
/// they began, beside their budget, are measured too, but not when they only say whose budget; "embudo" is
/// no lifecycle stage.
#[test]
fn endings_budgets_and_funnels() {
    for q in ["which campaigns ended last month?", "cuantas campañas terminaron el mes pasado"] {
        let p = ask(q);
        assert!(p.sql.contains("ended_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month'"), "{q}");
        assert!(!p.sql.contains("started_at >="), "{q}: {}", p.sql);
    }
    let p = ask("budget of campaigns that finished in 2025 by channel");
    assert!(p.sql.contains("ended_at >= DATE '2025-01-01'") && p.intent.metrics == ["campaign_budget"]);
    assert!(interpret(&model(), "messages sent by campaigns that ended last month", None, today()).is_err());
    assert!(ask("which campaigns ended?").intent.list);
    let p = ask("campaigns started per month this year with their total budget");
    assert_eq!(p.intent.metrics, ["campaigns", "campaign_budget"]);
    for q in [
        "budget of the campaigns launched in 2026 by type",
        "presupuesto de las camp. lanzadas en 2026 x tipo",
    ] {
        assert_eq!(ask(q).intent.metrics, ["campaign_budget"], "{q}");
    }
    let p = ask("embudo mensual de los emails de campaña en 2026: enviados, entregados y leidos");
    assert!(p.intent.breakdowns.is_empty() && p.intent.metrics.len() == 3, "{:?}", p.intent);
    assert_eq!(ask("contactos por fase del funnel").intent.breakdowns, ["lifecycle_stage"]);
}

/// A campaign named by one word is a name beside its noun ("the Bienvenida campaign", "la campaña de
/// Bienvenida"), never alone (a word that may mean something else).
#[test]
fn a_one_word_campaign_name_is_a_name_beside_its_noun() {
    let m = model().with_data_values("campaign", &["Bienvenida".to_string()]).expect("names");
    for q in
        ["monthly messages sent by the Bienvenida campaign this year", "mensajes de la campaña de bienvenida"]
    {
        let p = interpret(&m, q, None, today()).unwrap_or_else(|e| panic!("{q}: {}", e.message));
        assert!(p.sql.contains("cp.campaign_name = 'Bienvenida'"), "{q}: {}", p.sql);
    }
    assert!(interpret(&m, "mensajes de bienvenida", None, today()).is_err());
}

/// Templates are named by their code beside the noun ("the estado_pedido template"), never as the campaign
/// of the same words (it had filtered a campaign "Estado de envío" and grouped by template).
#[test]
fn a_template_is_named_by_its_code_beside_its_noun() {
    let m = model().with_data_values("campaign", &["Estado de envío".to_string()]).expect("campaigns");
    let codes = ["estado_de_envio".to_string(), "bienvenida".to_string()];
    let m = m.with_data_values("template", &codes).expect("templates");
    for (q, code) in [
        ("delivery rate of the estado_de_envio template", "estado_de_envio"),
        ("tasa de lectura de la plantilla bienvenida este año", "bienvenida"),
    ] {
        let p = interpret(&m, q, None, today()).unwrap_or_else(|e| panic!("{q}: {}", e.message));
        assert!(p.sql.contains(&format!("template_name = '{code}'")), "{q}: {}", p.sql);
        assert!(p.intent.breakdowns.is_empty() && !p.sql.contains("campaign_name"), "{q}: {}", p.sql);
    }
}

/// What is not on file: contacts with no email or phone, messages with no template or campaign; in a list
/// of contacts "con correo y teléfono" still names the columns shown.
#[test]
fn what_is_not_on_file_is_a_filter() {
    for (q, cond) in [
        ("How many contacts don't have an email address?", "email IS NULL"),
        ("contacts with an email address by country", "email IS NOT NULL"),
        ("¿Cuántos contactos no tienen ni correo ni teléfono registrado?", "email IS NULL AND phone IS NULL"),
        ("mensajes enviados el mes pasado que no usaron ninguna plantilla", "template_name IS NULL"),
        ("mensajes que no pertenecían a ninguna campaña", "campaign_id IS NULL"),
        ("revenue p/ mes s/ campaña", "campaign_id IS NULL"),
    ] {
        assert!(ask(q).sql.contains(cond), "{q}: {}", ask(q).sql);
    }
    let p = ask("lista de contactos vip con correo y teléfono");
    assert!(p.intent.list && !p.sql.contains("IS NOT NULL"), "{}", p.sql);
    for (q, cond) in [
        ("What share of our customers have no phone number on file?", "CASE WHEN phone IS NULL"),
        ("¿Cuántas campañas todavía no tienen fecha de inicio?", "started_at IS NULL"),
        ("How many activities last month had no currency recorded?", "currency IS NULL"),
        (
            "¿Qué porcentaje de las compras de este año no tiene una campaña atribuida?",
            "CASE WHEN campaign_id IS NULL",
        ),
    ] {
        assert!(ask(q).sql.contains(cond), "{q}: {}", ask(q).sql);
    }
    // "Already started but no end date" would drop the start: refused, not answered as drafts too.
    assert!(
        interpret(
            &model(),
            "How many campaigns have already started but still have no end date?",
            None,
            today()
        )
        .is_err()
    );
}

/// Another date of the rows said with a period is read on that date ("contacts updated last week":
/// `updated_at`); without a period, or of another table's rows, it is not understood.
#[test]
fn a_period_said_of_another_date_is_read_on_it() {
    for q in [
        "How many contacts had their record updated last week?",
        "contactos actualizados el mes pasado por pais",
    ] {
        let p = ask(q);
        assert!(p.sql.contains("updated_at >= ") && !p.sql.contains("created_at"), "{q}: {}", p.sql);
        assert_eq!(p.intent.date_column.as_deref(), Some("updated_at"), "{q}");
    }
    for q in ["how many contacts were updated", "messages sent to contacts updated last week"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// "At least one" is no threshold and no ranking; "contacts with purchases" counts the contacts.
#[test]
fn contacts_with_at_least_one_purchase_are_the_buyers() {
    for q in [
        "how many unique contacts made at least one compra last month",
        "cuántos contactos hicieron al menos una compra el mes pasado",
        "contacts with a purchase",
        "contactos con compras este año",
        "number of contacts with at least one purchase this year",
    ] {
        let p = ask(q);
        assert_eq!(p.intent.metrics, ["buyers"], "{q}: {}", p.sql);
        assert!(p.intent.breakdowns.is_empty() && p.intent.sort.is_none(), "{q}: {:?}", p.intent);
    }
    assert!(interpret(&model(), "how many contacts made at least 3 purchases", None, today()).is_err());
}

/// Shorthand of chat: "p/ mes", "s/ campaña", month abbreviations alone ("oct vs nov 2026") and in a span.
#[test]
fn chat_shorthand_and_month_abbreviations() {
    assert_eq!(ask("revenue p/ mes last 6 months").intent.grain, Some(inda_semantic::Grain::Month));
    let p = ask("revenue oct vs nov 2026");
    assert!(p.sql.contains("DATE '2026-10-01'") && p.sql.contains("DATE '2026-11-01'"), "{}", p.sql);
    let p = ask("ventas de ene a mar 2026");
    assert!(p.sql.contains(">= DATE '2026-01-01'") && p.sql.contains("< DATE '2026-04-01'"), "{}", p.sql);
    assert!(p.intent.comparison.is_none());
    assert!(ask("¿Cuál fue la plantilla más usada el mes pasado?").sql.contains("GROUP BY template_name"));
}

/// Money said of counted rows, and net beside gross: "cuántos reembolsos y por cuánto dinero" is the
/// refunds' amount (it had answered all revenue), "gross and net revenue" both (it had dropped net).
#[test]
fn money_of_counted_rows_and_both_sides_of_revenue() {
    let p = ask("cuantos reembolsos hubo el trimestre pasado y por cuanto dinero");
    assert_eq!(p.intent.metrics, ["refunds", "refunded_amount"]);
    assert_eq!(
        ask("how many orders and how much money last month").intent.metrics,
        ["purchases", "gross_revenue"]
    );
    assert_eq!(ask("how many refunds and revenue last month").intent.metrics, ["refunds", "revenue"]);
    for q in ["ventas brutas y netas de noviembre 2026", "gross and net revenue last month"] {
        let mut m = ask(q).intent.metrics;
        m.sort();
        assert_eq!(m, ["gross_revenue", "revenue"], "{q}");
    }
}

/// "The last 3 complete months" leave the running one out (it had read "cerrados" as nothing and kept it);
/// ranking periods ranks the complete ones, and says the running one is left out.
#[test]
fn complete_periods_are_the_ones_before_the_running_one() {
    for q in [
        "Revenue by month for the last 3 complete months",
        "ticket promedio por mes en los ultimos 3 meses cerrados",
    ] {
        let p = ask(q);
        assert!(
            p.sql.contains(">= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '3 months'"),
            "{q}: {}",
            p.sql
        );
        assert!(p.sql.contains("< DATE_TRUNC('month', CURRENT_DATE)"), "{q}: {}", p.sql);
    }
    for q in ["peor mes de ventas de este año", "monthly revenue this year, complete months only"] {
        let p = ask(q);
        assert_eq!(p.intent.complete_only, Some(inda_semantic::Grain::Month), "{q}");
        assert!(p.sql.contains("occurred_at < DATE_TRUNC('month', CURRENT_DATE)"), "{q}: {}", p.sql);
    }
    let p = ask("ventas por dia de la semana pasada");
    assert_eq!(p.intent.grain, Some(inda_semantic::Grain::Day));
    assert!(interpret(&model(), "ventas por dia de la semana", None, today()).is_err());
}

/// A whole said again, or a word read as a value, is no second measure of a percentage.
#[test]
fn a_percentage_of_campaign_rows() {
    for q in [
        "what share of messages were campaign messages",
        "¿Qué porcentaje de las ventas de este año vino de campañas?",
    ] {
        let p = ask(q);
        assert!(p.sql.contains("CASE WHEN") && p.sql.contains("campaign_id IS NOT NULL"), "{q}: {}", p.sql);
    }
    assert!(interpret(&model(), "which was our best campaign?", None, today()).is_err());
    assert!(interpret(&model(), "best template this year", None, today()).is_err());
}

/// A year said after named periods is theirs ("Q3 vs Q2 revenue last year", "marzo vs abril, el año
/// pasado"), never a third period or only the second's; a year of when rows began stays theirs.
#[test]
fn a_year_said_after_named_periods_is_theirs() {
    for (q, first, second) in [
        ("Q3 vs Q2 revenue last year", "DATE '2025-07-01'", "DATE '2025-04-01'"),
        ("revenue in q3 vs q2 of last year", "DATE '2025-07-01'", "DATE '2025-04-01'"),
        ("ventas de marzo vs abril, el año pasado", "DATE '2025-03-01'", "DATE '2025-04-01'"),
    ] {
        let p = ask(q);
        assert!(p.sql.contains(first) && p.sql.contains(second) && !p.sql.contains("2026"), "{q}: {}", p.sql);
    }
    let p = ask("How many contacts created in 2025 made a purchase this year?");
    assert!(
        p.sql.contains("created_at >= DATE '2025-01-01'") && p.sql.contains("DATE_TRUNC('year'"),
        "{}",
        p.sql
    );
    let p = ask("By what percentage did revenue grow last month compared with the month before?");
    assert!(p.intent.change && p.intent.share_of.is_none(), "{:?}", p.intent);
}

/// Days of the week as the part of a percentage ("what share of this year's logins happened on weekends":
/// it had been the share of logins among weekend activities); two places of a ranking are refused (it had
/// answered only the third); dates with slashes, day first.
#[test]
fn weekends_as_a_part_two_places_and_slashed_dates() {
    let p = ask("What share of this year's logins happened on weekends?");
    let subset = p.intent.share_of.as_ref().expect("a fraction");
    assert!(subset.days.is_some() && p.intent.days.is_none(), "{:?}", p.intent);
    assert!(p.sql.contains("activity_type = 'login'"), "{}", p.sql);
    let p = ask("qué porcentaje de los mensajes del mes pasado se enviaron en fin de semana");
    assert!(p.intent.share_of.as_ref().is_some_and(|s| s.days.is_some()), "{:?}", p.intent);
    assert!(
        interpret(&model(), "¿Cuáles son el segundo y el tercer mejor canal por ingresos?", None, today())
            .is_err()
    );
    let p = ask("mensajes del 15/11/2025 al 30/11/2025");
    assert!(p.sql.contains(">= DATE '2025-11-15'") && p.sql.contains("< DATE '2025-12-01'"), "{}", p.sql);
    let p = ask("contactos nuevos en 11/2025 por segmento");
    assert!(p.sql.contains(">= DATE '2025-11-01'") && p.sql.contains("< DATE '2025-12-01'"), "{}", p.sql);
    assert_eq!(ask("how many messages have been read").intent.metrics, ["read_messages"]);
}

/// A period that runs to now, said with "hasta hoy" or "as of today", is that period (it had been "this
/// month vs today"); two periods one within the other, with no "vs" or "and", are refused rather than
/// compared; both said with "and" still stand side by side.
#[test]
fn a_period_to_today_is_one_period_and_nested_periods_are_no_comparison() {
    let refused = |q: &str| interpret(&model(), q, None, today()).is_err();
    for q in
        ["revenue this month up to today", "ventas de este mes hasta hoy", "revenue this month as of today"]
    {
        let p = ask(q);
        assert_eq!(p.intent.time_range, Some(TimeRange::This { unit: Grain::Month }), "{q}");
        assert!(p.intent.comparison.is_none(), "{q}: {:?}", p.intent);
    }
    let p = ask("ventas desde el 16 de abril hasta hoy");
    let start = NaiveDate::from_ymd_opt(2026, 4, 16).expect("date");
    assert_eq!(p.intent.time_range, Some(TimeRange::Since { start }));
    assert!(refused("revenue last 7 days through yesterday"));
    assert!(refused("messages this year last month"));
    let p = ask("ventas de hoy y de este mes");
    assert!(p.intent.comparison.is_some(), "{:?}", p.intent);
    let p = ask("revenue this month vs today");
    assert!(p.intent.comparison.is_some(), "{:?}", p.intent);
    let p = ask("valor promedio por pedido en el 3er trimestre 2025");
    assert!(p.sql.contains(">= DATE '2025-07-01'") && p.sql.contains("< DATE '2025-10-01'"), "{}", p.sql);
}

/// An exchange rate is one currency's: with one kept or by currency it reads `marts.fx_rates`; with
/// neither it is refused, never averaged across currencies.
#[test]
fn an_exchange_rate_is_one_currency_s() {
    let p = ask("qué tasa de cambio usamos para el MXN en noviembre 2025?");
    assert!(p.sql.contains("AVG(rate)") && p.sql.contains("currency = 'MXN'"), "{}", p.sql);
    let p = ask("exchange rate by currency last month");
    assert!(p.sql.contains("GROUP BY currency"), "{}", p.sql);
    for q in ["tipo de cambio de noviembre", "average exchange rate this year", "fx rates except MXN"] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// Composite questions (round 32): no measure is dropped and none is bent into a filter of the others.
#[test]
fn composite_questions_keep_every_measure_and_list_rows_with_theirs() {
    let p = ask("How many messages did we send this month, how many were read, and what did they cost?");
    assert_eq!(p.intent.metrics, ["messages_sent", "read_messages", "messaging_cost"], "{:?}", p.intent);
    let p = ask("Contacts by country and segment, along with how many of them are customers");
    assert_eq!(p.intent.metrics, ["contacts", "customers"], "{:?}", p.intent);
    for q in ["Active campaigns with their budget and channel", "Campañas activas con su presupuesto y canal"]
    {
        let p = ask(q);
        assert!(p.intent.list && p.intent.breakdowns.is_empty(), "{q}: {:?}", p.intent);
    }
    let p = ask("revenue by contacts' source channel, last 30 days");
    assert_eq!(p.intent.breakdowns, ["source_channel"], "{:?}", p.intent);
    let p = ask("Support tickets by channel and month over the last 3 months");
    assert_eq!(p.intent.grain, Some(Grain::Month), "{:?}", p.intent);
    let p = ask("Support tickets and refunds by channel in the last 90 days");
    assert!(p.sql.contains("(activity_type = 'support_ticket' OR activity_type = 'refund')"), "{}", p.sql);
    for q in [
        "Campañas activas con su presupuesto y cuánto llevan gastado hasta ahora",
        "Presupuesto total y número de campañas por canal, y además cuántas están activas",
        "cuántas compras en MXN y por cuánto",
        "How many messages did we send in early November?",
        "ventas de los últimos días por canal",
    ] {
        assert!(interpret(&model(), q, None, today()).is_err(), "{q}");
    }
}

/// "De los contactos creados el mes pasado, ¿cuántos ya compraron?": a bare "cuántos" after the things named
/// counts those things among the measure after it (it had counted the purchases).
#[test]
fn a_bare_count_after_the_things_named_counts_them() {
    let p = ask("De los contactos creados el mes pasado, ¿cuántos ya hicieron al menos una compra?");
    assert_eq!(p.intent.metrics, ["buyers"], "{:?}", p.intent);
    assert!(p.sql.contains("COUNT(DISTINCT a.contact_id)") && p.sql.contains("c.created_at >="), "{}", p.sql);
    let p = ask("De las compras del mes pasado, ¿cuántas fueron por WhatsApp?");
    assert_eq!(p.intent.metrics, ["purchases"], "{:?}", p.intent);
}

/// "Converted to our reporting currency" is what money is anyway; beside a breakdown by currency (amounts in
/// each currency) it asks for something else, and is refused.
#[test]
fn converted_money_is_said_or_refused_by_currency() {
    let p = ask("monthly revenue for the last 6 months, converted to our reporting currency");
    assert!(p.sql.contains("a.amount * f.rate"), "{}", p.sql);
    let p = ask("ingresos del mes pasado por país, convertidos a la moneda de reporte");
    assert_eq!(p.intent.breakdowns, ["country"], "{:?}", p.intent);
    let q = "revenue from each currency this month so far, converted to our reporting currency";
    assert!(interpret(&model(), q, None, today()).is_err());
}

/// The same days of a running period are counted over the first measure's own rows: "purchases and refunds
/// this month vs last month" had counted every activity (then every purchase and refund) as purchases.
#[test]
fn the_same_days_are_of_the_first_measure_s_rows() {
    let p = ask("purchases and refunds this month vs last month");
    assert!(
        p.sql.contains("COUNT(CASE WHEN activity_type = 'purchase' AND (occurred_at >= DATE_TRUNC('month'"),
        "{}",
        p.sql
    );
}

#[test]
fn measures_of_different_data_are_each_grouped_and_put_side_by_side() {
    // Each table's measures on their own, joined on the breakdown; a country only one part has keeps the
    // other's count at 0.
    let p = ask("customers and revenue by country");
    assert_eq!(p.intent.metrics, ["customers", "revenue"]);
    assert_eq!(p.measures.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["customers", "revenue"]);
    assert_eq!(p.missing_rate_column.as_deref(), Some("missing_fx_rate_rows"));
    assert!(p.sql.contains("COALESCE(part_1.customers, 0) AS customers"), "{}", p.sql);
    assert!(
        p.sql.contains("FULL JOIN") && p.sql.contains("part_1.country IS NOT DISTINCT FROM part_2.country"),
        "{}",
        p.sql
    );
    assert!(p.sql.ends_with("ORDER BY 2 DESC NULLS LAST, 1"), "{}", p.sql);
    // Events take a period each on their own time, and a breakdown that is each table's own column of one
    // name (a message's channel, a sale's channel).
    let p = ask("messaging cost and revenue by channel last month");
    assert!(p.sql.contains("sent_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month'"), "{}", p.sql);
    assert!(
        p.sql.contains("a.occurred_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month'"),
        "{}",
        p.sql
    );
    assert!(p.sql.contains("part_1.channel IS NOT DISTINCT FROM part_2.channel"), "{}", p.sql);
    let p = ask("messages sent and revenue by month this year");
    assert!(p.sql.ends_with("ORDER BY 1"), "{}", p.sql);
    // Totals: one row each, side by side.
    let p = ask("mensajes enviados e ingresos del mes pasado");
    assert!(p.sql.contains("CROSS JOIN") && !p.sql.contains("ORDER BY"), "{}", p.sql);
    // A ranking ranks the joined rows; rows without the group are none to rank.
    let p = ask("top 3 campaigns by revenue, with budget and revenue");
    assert!(
        p.sql.contains("WHERE COALESCE(part_1.campaign_name, part_2.campaign_name) IS NOT NULL"),
        "{}",
        p.sql
    );
    assert!(p.sql.ends_with("LIMIT 3"), "{}", p.sql);
    // Rows named first, then measures of theirs from different data: by each row.
    let p = ask("active campaigns with their budget and messages sent");
    assert_eq!(p.intent.breakdowns, ["campaign"]);
    assert_eq!(p.intent.metrics, ["campaign_budget", "messages_sent"]);
    // Their own columns are theirs in every part: the campaign's channel, not each message's.
    let p = ask("Active campaigns with their channel, budget and messages sent");
    assert_eq!(p.intent.breakdowns, ["campaign", "campaign_channel"]);
    assert!(p.sql.contains("GROUP BY cp.campaign_name, cp.channel"), "{}", p.sql);
    // "Their" of a breakdown's own things is the group's, the same either way.
    let p = ask("top 5 cities by number of contacts, with their revenue");
    assert_eq!(p.intent.metrics, ["contacts", "revenue"]);
    // Things counted after another measure are a measure, not a value narrowing it; the first stays first.
    let p = ask("top 3 countries by revenue and how many customers each has");
    assert_eq!(p.intent.metrics, ["revenue", "customers"]);
    assert!(p.sql.ends_with("ORDER BY 2 DESC NULLS LAST, 1 LIMIT 3"), "{}", p.sql);
    // Things counted by when they began take the period said beside other measures.
    let p = ask("new contacts and revenue by month this quarter");
    assert!(p.sql.contains("created_at >= DATE_TRUNC('quarter', CURRENT_DATE)"), "{}", p.sql);
}

#[test]
fn a_dimension_listed_after_by_stays_a_breakdown_beside_values_of_its_own() {
    let p = ask("cuántos contactos tenemos por país y etapa, solo leads y prospectos");
    assert_eq!(p.intent.breakdowns, ["country", "lifecycle_stage"]);
    assert_eq!(p.intent.filters[0].values, ["lead", "prospect"]);
}

#[test]
fn measures_of_different_data_are_refused_where_a_part_would_be_guessed() {
    for q in [
        // Whose revenue: the customers' or all of it.
        "customers and their revenue by segment",
        "campaigns and their revenue",
        // A breakdown only one of them has.
        "customers and messages sent by template",
        // A period beside things (contacts, campaigns) would keep only those that began in it.
        "top 5 campaigns by revenue this year, and what budget each one had",
        "customers and revenue by month this year",
        // Shapes over one table only.
        "customers and revenue this month vs last month",
        "share of contacts and revenue by country",
    ] {
        let r = interpret(&model(), q, None, today());
        assert!(r.is_err(), "{q:?} should not be understood: {:?}", r.map(|p| p.sql));
    }
}

/// From the unseen half of rounds 35–38: each of these had been answered wrong.
#[test]
fn answers_once_wrong_in_unseen_questions() {
    // Each "cuántos" is one more measure: the contacts were dropped.
    let p = ask("Por segmento: cuántos contactos, cuántos clientes y la tasa de conversión");
    assert_eq!(p.intent.metrics, ["contacts", "customers", "conversion_rate"]);
    // Two measures compared beside a breakdown stay columns of each row (not a row per activity type).
    let p = ask("numero de compras vs numero de reembolsos por pais este año");
    assert_eq!(p.intent.metrics, ["purchases", "refunds"]);
    assert_eq!(p.intent.breakdowns, ["country"]);
    // Revenue named where the ranking is read is revenue, not the purchases' amount (a money word said alone).
    let p = ask("top 5 contacts by revenue last year, with how many purchases each made");
    assert!(p.intent.metrics.contains(&"revenue".to_string()), "{:?}", p.intent.metrics);
    assert!(p.sql.contains("ORDER BY revenue DESC"), "{}", p.sql);
    // Each contact, beside the channel they came by, says whose channel: no group per contact.
    let p = ask("tasa de bajas segun el canal por el que llego cada contacto");
    assert_eq!(p.intent.breakdowns, ["source_channel"]);
    for q in [
        // An order asked of one figure: rows were meant, by something not named.
        "gasto en mensajes de las campañas activas, ordenado de mayor a menor",
        // A market's total is in no table.
        "What's our market share in Chile this year?",
    ] {
        let r = interpret(&model(), q, None, today());
        assert!(r.is_err(), "{q:?} should not be understood: {:?}", r.map(|p| p.sql));
    }
}
