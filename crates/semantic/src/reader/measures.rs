//! Which measures the words settle on: refining words, averages, listed measures and list columns.

use super::items::Item;
use crate::fragments::{DimRef, ValueRef};
use crate::lexicon::Sense;
use crate::model::{MetricKind, MoneyCurrency, SemanticModel};

/// "messages that came in" → messages received: a refining word replaces the generic head noun of its
/// metric's table; with no measure named at all, it is the measure ("how much have we spent this month"),
/// unless the values said are of another table ("how many leads came in": the leads count, by their date).
pub(super) fn apply_refines(
    model: &SemanticModel,
    metrics: &mut Vec<String>,
    refines: &[String],
    values: &[ValueRef],
) {
    if metrics.is_empty() {
        let of_values = |table: &str| {
            values
                .iter()
                .all(|v| model.dimensions().iter().any(|d| d.family() == v.family && d.table == table))
        };
        let refined = refines.iter().filter_map(|r| model.metric(r)).find(|d| of_values(&d.table));
        metrics.extend(refined.map(|d| d.name.clone()));
    }
    refine_each(model, metrics.iter_mut(), refines);
    let mut seen = Vec::new();
    metrics.retain(|m| {
        let keep = !seen.contains(m);
        seen.push(m.clone());
        keep
    });
}

/// The metrics named where they were said, refined like the question's ("de los mensajes que nos llegan":
/// the messages received), so that a fraction's whole is the refined one.
pub(super) fn refine_named(model: &SemanticModel, named: &mut [(usize, String)], refines: &[String]) {
    refine_each(model, named.iter_mut().map(|(_, m)| m), refines);
}

/// Each generic head noun among `metrics` ("messages") becomes the refining metric of its table.
fn refine_each<'m>(model: &SemanticModel, metrics: impl Iterator<Item = &'m mut String>, refines: &[String]) {
    let refining: Vec<_> = refines.iter().filter_map(|r| model.metric(r)).collect();
    for m in metrics {
        let table = model.metric(m).filter(|d| d.generic).map(|d| d.table.clone());
        if let Some(r) = refining.iter().find(|r| Some(&r.table) == table.as_ref()) {
            *m = r.name.clone();
        }
    }
}

/// "average"/"promedio" with a purchase word is the average-kind metric of that table ("valor medio de los
/// pedidos", "monto promedio por compra", "average purchase"): the metrics named must count the same rows
/// it averages, or sum the column it averages. A bare "average" needs a singular purchase word ("average
/// purchases per month" is another question).
pub(super) fn average_metric(
    model: &SemanticModel,
    items: &[Item],
    metrics: &[String],
    valued: bool,
) -> Option<String> {
    let defs: Vec<_> = metrics.iter().filter_map(|m| model.metric(m)).collect();
    if defs.is_empty() || defs.len() != metrics.len() {
        return None;
    }
    // "average delivery rate", "tiempo promedio de lectura": a rate or an average is its own average.
    if let [one] = defs.as_slice()
        && matches!(one.kind, MetricKind::Ratio | MetricKind::Avg)
    {
        return Some(one.name.clone());
    }
    // "cuánto se demoran en promedio en leer los mensajes que mandamos": an average beside counts of its
    // own table's rows (the messages it is taken over) is that average.
    let averages: Vec<_> = defs.iter().filter(|d| d.kind == MetricKind::Avg).collect();
    if let [one] = averages.as_slice()
        && defs
            .iter()
            .all(|d| d.kind == MetricKind::Avg || (d.kind == MetricKind::Count && d.table == one.table))
    {
        return Some(one.name.clone());
    }
    let table = &defs[0].table;
    let fits = |avg: &crate::model::MetricDef, d: &crate::model::MetricDef| {
        d.table == avg.table
            && ((d.kind == MetricKind::Count && d.filter == avg.filter)
                || (d.kind == MetricKind::Sum && inner(&d.expr) == inner(&avg.expr)))
    };
    let avg = model
        .metrics()
        .iter()
        .filter(|a| a.kind == MetricKind::Avg && &a.table == table)
        .find(|a| defs.iter().all(|d| fits(a, d)))?;
    // A count's rows averaged are their amount only when the amount is said ("valor medio de los
    // pedidos"): "average messages sent" is not the average cost of a message.
    let counted = defs.iter().all(|d| d.kind == MetricKind::Count);
    let singular = items.iter().any(|it| it.metrics().iter().any(|m| metrics.contains(m)) && !it.is_plural());
    (valued || (singular && !counted)).then(|| avg.name.clone())
}

/// The model's average of `metric` per thing of `per` (a contact, a campaign), each thing once
/// ([`crate::model::MetricDef::average_per`]).
pub(super) fn average_per_thing(model: &SemanticModel, metric: &str, per: &DimRef) -> Option<String> {
    model
        .metrics()
        .iter()
        .find(|a| {
            a.average_per.as_ref().is_some_and(|ap| ap.of == metric && per.candidates.contains(&ap.per))
        })
        .map(|a| a.name.clone())
}

/// Whether a unit word of `unit_of` (dollars: messaging cost's) names the scope's reporting currency, which
/// money among `metrics` is already in ("revenue in USD" for a company reporting in dollars).
pub(super) fn in_reporting_currency(model: &SemanticModel, metrics: &[String], unit_of: &str) -> bool {
    let usd = model.metric(unit_of).is_some_and(|d| d.currency == Some(MoneyCurrency::Usd));
    let converted = metrics
        .iter()
        .filter_map(|m| model.metric(m))
        .any(|d| matches!(d.currency, Some(MoneyCurrency::Converted | MoneyCurrency::Reporting)));
    usd && converted && model.reporting_currency() == Some("USD")
}

/// A dimension whose values are things with rows of their own (a contact, a campaign), not attributes.
pub(super) fn per_thing(model: &SemanticModel, dim: &str) -> bool {
    model.dimension(dim).is_some_and(|d| {
        model.table(&d.table).is_some_and(|t| !t.list_columns.is_empty())
            && (d.label_column.is_some() || (d.data_values && !d.places))
    })
}

/// The argument of an aggregate: "SUM(amount)" → "amount".
fn inner(expr: &str) -> &str {
    expr.split_once('(').and_then(|(_, r)| r.rsplit_once(')')).map_or(expr, |(a, _)| a.trim())
}

/// The metrics a question asks for: specific ones over generic head nouns of the same table
/// ("messages sent" over "messages"), and words that are also dimensions ("campaigns") only when
/// nothing else is measured.
/// "List the active campaigns with their budget": a list of a table's rows (named by its count, `weak`
/// when it qualifies a value) whose other measures are sums of the table's own list columns. Each row then
/// shows its value; adding them up would answer another question. Returns the count metric to list.
pub(super) fn listed_with_columns(
    model: &SemanticModel,
    strong: &[String],
    weak: &[String],
) -> Option<String> {
    let count = strong.iter().chain(weak).filter_map(|m| model.metric(m)).find(|d| {
        d.kind == MetricKind::Count && model.table(&d.table).is_some_and(|t| !t.list_columns.is_empty())
    })?;
    let table = model.table(&count.table)?;
    let own_column = |m: &&String| {
        model.metric(m).is_some_and(|d| {
            let column = d.expr.strip_prefix("SUM(").and_then(|e| e.strip_suffix(')'));
            d.table == count.table
                && d.kind == MetricKind::Sum
                && column.is_some_and(|c| table.list_columns.iter().any(|l| l == c))
        })
    };
    let sums: Vec<&String> = strong.iter().filter(|m| **m != count.name).collect();
    (!sums.is_empty() && sums.iter().all(own_column)).then(|| count.name.clone())
}

pub(super) fn choose_metrics(
    model: &SemanticModel,
    strong: Vec<String>,
    weak: Vec<String>,
    listed: &[String],
) -> Vec<String> {
    // Metric words that are also something else are measured when listed with the others ("contacts,
    // customers and conversion rate"), in the order said.
    let mut pool = if strong.is_empty() { weak.clone() } else { strong };
    pool.extend(weak.into_iter().filter(|m| listed.contains(m)));
    pool.sort_by_key(|m| listed.iter().position(|l| l == m).unwrap_or(usize::MAX));
    let mut out: Vec<String> = Vec::new();
    for m in pool {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    let specific_tables: Vec<String> =
        out.iter().filter_map(|m| model.metric(m)).filter(|m| !m.generic).map(|m| m.table.clone()).collect();
    out.retain(|m| {
        model
            .metric(m)
            .is_some_and(|d| !d.generic || !specific_tables.contains(&d.table) || listed.contains(m))
    });
    out
}

/// "How many campaigns are active and what's their total budget", "campaigns started per month with their
/// total budget": a table's rows counted ("how many" right before them, or when they began right after)
/// beside sums of the same table are measured too, not only what the sums are of. Beside a count of the
/// same table ("how many contacts are customers") they are that count's whole, and yield.
pub(super) fn counted_beside_sums(model: &SemanticModel, items: &[Item], strong: &[String]) -> Vec<String> {
    let def = |m: &String| model.metric(m);
    // "The budget of the campaigns launched in 2026": joined to the sum before them, they only say whose.
    let of_before = |k: usize| k > 0 && items[k].joined;
    let counting = |k: usize| {
        (k > 0 && items[k - 1].has(|s| *s == Sense::Counting))
            || (items.get(k + 1).is_some_and(|n| n.dated) && !of_before(k))
    };
    let mut out = Vec::new();
    for (_, item) in items.iter().enumerate().filter(|(k, _)| counting(*k)) {
        for m in item.metrics() {
            let Some(table) = def(&m).map(|d| d.table.clone()) else { continue };
            let beside: Vec<_> =
                strong.iter().filter(|s| **s != m).filter_map(def).filter(|d| d.table == table).collect();
            if !beside.is_empty() && beside.iter().all(|d| d.kind == MetricKind::Sum) {
                out.push(m);
            }
        }
    }
    out
}

/// Whether an item names the rows of a listable table ("campaigns", "contactos").
pub(super) fn listable(model: &SemanticModel, item: &Item) -> Option<String> {
    item.metrics().iter().filter_map(|m| model.metric(m)).find_map(|m| {
        let listed =
            m.kind == MetricKind::Count && model.table(&m.table).is_some_and(|t| !t.list_columns.is_empty());
        listed.then(|| m.table.clone())
    })
}
