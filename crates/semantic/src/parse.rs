//! Question → Intent: lexing the normalized words into phrases, reading the grammar around them
//! (by/por, which, top N, superlatives, negation, comparison), and resolving words to the model's
//! metrics, dimensions and values. Anything left unexplained makes the question not understood.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::describe;
use crate::followup;
use crate::intent::{Filter, Grain, Intent, Sort, TimeRange};
use crate::lang::{self, Lang};
use crate::lexicon::Sense;
use crate::model::{MeasureFormat, MetricKind, SemanticModel};
use crate::normalize;
use crate::sqlgen;
use crate::time;

/// Questions longer than this are refused rather than parsed (they are not questions).
const MAX_QUESTION_CHARS: usize = 2000;

/// One output measure of a plan: its column name, how to show it, and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureInfo {
    pub name: String,
    pub label: String,
    pub format: MeasureFormat,
    pub kind: MetricKind,
}

/// The engine's answer to a question: SQL to run (before the tenant guard) and how to present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub sql: String,
    pub intent: Intent,
    pub lang: Lang,
    /// E.g. "Messages sent by channel, last month", in the question's language.
    pub title: String,
    pub measures: Vec<MeasureInfo>,
    /// Output column of the time bucket (or of the compared period), if any.
    pub time_column: Option<String>,
    /// Output columns of the breakdowns, in order.
    #[serde(default)]
    pub dimension_columns: Vec<String>,
    /// Key columns shown through a label column beside them (`contact_id` next to `full_name`).
    #[serde(default)]
    pub id_columns: Vec<String>,
}

/// What the engine understood of a question it cannot answer, what it did not, and what to ask instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotUnderstood {
    pub message: String,
    pub understood: Vec<String>,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for NotUnderstood {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotUnderstood {}

impl From<NotUnderstood> for inda_core::Error {
    fn from(e: NotUnderstood) -> Self {
        let mut message = e.message;
        if !e.suggestions.is_empty() {
            message.push_str(" — ");
            message.push_str(&e.suggestions.join(" | "));
        }
        inda_core::Error::not_understood(message)
    }
}

impl NotUnderstood {
    pub(crate) fn new(model: &SemanticModel, lang: Lang, problem: String, understood: Vec<String>) -> Self {
        let mut message = String::new();
        if !understood.is_empty() {
            message.push_str(lang.pick("I understood: ", "Entendí: "));
            message.push_str(&understood.join(", "));
            message.push_str(". ");
        }
        message.push_str(&problem);
        let suggestions: Vec<String> = model.suggestions(lang).into_iter().take(5).collect();
        if !suggestions.is_empty() {
            message.push(' ');
            message.push_str(lang.pick("Try for example: ", "Prueba por ejemplo: "));
            message.push_str(
                &suggestions.iter().take(3).map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
            );
            message.push('.');
        }
        NotUnderstood { message, understood, suggestions }
    }
}

/// Turns a question into a plan: SQL over `marts`, the intent behind it, and how to present it.
/// With `previous`, a follow-up ("and by country?", "solo WhatsApp", "top 3") refines that intent;
/// a complete new question replaces it. `today` resolves month names without a year.
pub fn interpret(
    model: &SemanticModel,
    question: &str,
    previous: Option<&Intent>,
    today: NaiveDate,
) -> Result<Plan, NotUnderstood> {
    let lang = question_lang(question, previous);
    let fail = |problem: &str| NotUnderstood::new(model, lang, problem.to_string(), vec![]);
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(fail(lang.pick(
            "The question is too long; ask one thing at a time.",
            "La pregunta es demasiado larga; pregunta una cosa a la vez.",
        )));
    }
    let mut tokens = normalize::tokens(question);
    if tokens.is_empty() {
        return Err(fail(lang.pick("The question is empty.", "La pregunta está vacía.")));
    }
    model.lexicon.correct_typos(&mut tokens);
    let items = lex(model, &tokens, today);
    let frags = read(model, &items, lang)?;
    let intent = match previous {
        Some(prev)
            if starts_as_followup(&tokens)
                || (frags.metrics.is_empty() && !asks_count_of_values(model, &frags, &tokens)) =>
        {
            followup::merge(model, prev, &frags, lang)?
        }
        _ => resolve(model, &frags, lang)?,
    };
    sqlgen::plan(model, intent, lang)
}

fn question_lang(question: &str, previous: Option<&Intent>) -> Lang {
    let (en, es) = lang::scores(question);
    if es > en {
        Lang::Es
    } else if en > es {
        Lang::En
    } else {
        previous.and_then(|p| p.lang).unwrap_or(Lang::En)
    }
}

/// "and …", "y …", "what about …", "only …": the question builds on the previous one.
fn starts_as_followup(tokens: &[String]) -> bool {
    let first = tokens.first().map(String::as_str);
    let second = tokens.get(1).map(String::as_str);
    matches!(
        first,
        Some("and" | "y" | "e" | "also" | "tambien" | "now" | "ahora" | "only" | "solo" | "just" | "same")
    ) || matches!((first, second), (Some("what" | "how"), Some("about")) | (Some("que"), Some("tal")))
        || matches!((first, second), (Some("lo"), Some("mismo")))
}

/// "How many leads in Colombia?" names what to count through its values: a new question, not a follow-up.
fn asks_count_of_values(model: &SemanticModel, f: &Fragments, tokens: &[String]) -> bool {
    let counting = tokens.windows(2).any(|w| {
        matches!(
            (w[0].as_str(), w[1].as_str()),
            ("how", "many") | ("number", "of") | ("numero", "de") | ("cantidad", "de")
        )
    }) || tokens.iter().any(|t| matches!(t.as_str(), "cuantos" | "cuantas"));
    counting && default_metric(model, f).is_some()
}

/// The metric a question without one counts, when its values all live in one table ("leads" → contacts).
pub(crate) fn default_metric(model: &SemanticModel, f: &Fragments) -> Option<String> {
    let mut tables: Vec<String> = Vec::new();
    for v in &f.values {
        for d in model.dimensions().iter().filter(|d| d.family() == v.family) {
            if !tables.contains(&d.table) {
                tables.push(d.table.clone());
            }
        }
    }
    match tables.as_slice() {
        [one] => model.table(one).and_then(|t| t.default_metric.clone()),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    Time(TimeRange),
    Number(u32),
    Senses(Vec<Sense>),
    Unknown,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub kind: ItemKind,
    /// The normalized words of the item, for messages and plural detection.
    pub text: String,
}

impl Item {
    fn has(&self, f: impl Fn(&Sense) -> bool) -> bool {
        matches!(&self.kind, ItemKind::Senses(s) if s.iter().any(f))
    }
    fn dims(&self) -> Vec<String> {
        match &self.kind {
            ItemKind::Senses(s) => {
                s.iter().filter_map(|x| if let Sense::Dim(d) = x { Some(d.clone()) } else { None }).collect()
            }
            _ => vec![],
        }
    }
    fn metrics(&self) -> Vec<String> {
        match &self.kind {
            ItemKind::Senses(s) => s
                .iter()
                .filter_map(|x| if let Sense::Metric(m) = x { Some(m.clone()) } else { None })
                .collect(),
            _ => vec![],
        }
    }
    fn values(&self) -> Vec<(String, String)> {
        match &self.kind {
            ItemKind::Senses(s) => s
                .iter()
                .filter_map(|x| match x {
                    Sense::Value { family, value } => Some((family.clone(), value.clone())),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        }
    }
    fn grain(&self) -> Option<Grain> {
        match &self.kind {
            ItemKind::Senses(s) => s.iter().find_map(|x| match x {
                Sense::GrainAdj(g) | Sense::GrainNoun(g) => Some(*g),
                _ => None,
            }),
            _ => None,
        }
    }
    fn is_dim(&self) -> bool {
        self.has(|s| matches!(s, Sense::Dim(_)))
    }
    fn is_plural(&self) -> bool {
        let last = self.text.rsplit(' ').next().unwrap_or("");
        last.ends_with('s') && !matches!(last, "status" | "pais" | "mes" | "estatus" | "sms" | "vs" | "ads")
    }
}

/// Splits normalized words into items: time expressions first (they contain numbers and unit words),
/// then numbers, then the longest known phrase. Pure filler words produce no item.
pub(crate) fn lex(model: &SemanticModel, tokens: &[String], today: NaiveDate) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((n, range)) = time::match_time(tokens, i, today) {
            let n = n.max(1);
            items.push(Item {
                kind: ItemKind::Time(range),
                text: tokens[i..(i + n).min(tokens.len())].join(" "),
            });
            i += n;
            continue;
        }
        let word = tokens[i].as_str();
        // Articles that are also numbers ("un", "one") stay articles.
        if !matches!(word, "un" | "una" | "uno" | "one" | "once" | "a")
            && let Some(n) = time::number(word)
        {
            items.push(Item { kind: ItemKind::Number(n), text: word.to_string() });
            i += 1;
            continue;
        }
        match model.lexicon.longest(tokens, i) {
            Some(m) => {
                let n = m.len.max(1);
                let senses: Vec<Sense> = m.senses.iter().filter(|s| **s != Sense::Stop).cloned().collect();
                if !senses.is_empty() {
                    items.push(Item {
                        kind: ItemKind::Senses(senses),
                        text: tokens[i..(i + n).min(tokens.len())].join(" "),
                    });
                }
                i += n;
            }
            None => {
                items.push(Item { kind: ItemKind::Unknown, text: word.to_string() });
                i += 1;
            }
        }
    }
    items
}

/// A dimension word to resolve once the metric's table is known.
#[derive(Debug, Clone, Default)]
pub(crate) struct DimRef {
    pub candidates: Vec<String>,
}

/// A value word ("WhatsApp", "Colombia") to resolve to a dimension of the metric's table.
#[derive(Debug, Clone)]
pub(crate) struct ValueRef {
    pub family: String,
    pub value: String,
    pub negated: bool,
    /// Only these dimensions ("source channel WhatsApp").
    pub only_dims: Vec<String>,
    /// "WhatsApp campaigns": the campaign's own attribute.
    pub of_campaign: bool,
}

/// What a question says, before it is resolved against a metric's table (or a previous intent).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragments {
    pub metrics: Vec<String>,
    pub sort_metric: Option<String>,
    pub breakdowns: Vec<DimRef>,
    pub values: Vec<ValueRef>,
    pub times: Vec<TimeRange>,
    /// A comparison word came before the only time expression ("compared to last month").
    pub compare: bool,
    pub compare_before_time: bool,
    pub grain: Option<Grain>,
    pub trend: bool,
    pub top_n: Option<u32>,
    pub descending: Option<bool>,
    pub share: bool,
    pub also: bool,
}

impl Fragments {
    pub(crate) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
            && self.breakdowns.is_empty()
            && self.values.is_empty()
            && self.times.is_empty()
            && self.grain.is_none()
            && self.top_n.is_none()
            && self.descending.is_none()
            && !self.trend
            && !self.share
    }
}

/// Reads the grammar around the items and collects fragments; unexplained words fail here.
fn read(model: &SemanticModel, items: &[Item], lang: Lang) -> Result<Fragments, NotUnderstood> {
    let n = items.len();
    let mut used = vec![false; n];
    let mut f = Fragments::default();
    let mut strong: Vec<String> = Vec::new();
    let mut weak: Vec<String> = Vec::new();
    let mut superlative = false;
    let mut singular_pick = false;
    // Metric words that are also dimensions ("campaign", "cliente"), left as weak metrics in pass 3.
    let mut dual: Vec<&Item> = Vec::new();
    // A singular dimension named on its own ("the channel with the lowest …").
    let mut bare_singular = false;
    let mut refines: Vec<String> = Vec::new();
    let mut average: Option<(bool, String)> = None;
    let is = |k: usize, s: Sense| items.get(k).is_some_and(|it| it.has(|x| *x == s));
    let is_rank = |k: usize| {
        items.get(k).is_some_and(|it| {
            matches!(it.kind, ItemKind::Number(_))
                || it.has(|x| matches!(x, Sense::Top | Sense::Bottom | Sense::Most | Sense::Least))
        })
    };

    let ranks = (0..n).any(is_rank);

    // Pass 1: markers that give the next word its role.
    for k in 0..n {
        if used[k] {
            continue;
        }
        let item = &items[k];
        if item.has(|s| *s == Sense::By) {
            let Some(next) = items.get(k + 1) else { continue };
            if used[k + 1] {
                continue;
            }
            // "top 3 segments by contacts": after a ranked breakdown, a word that is both a metric and a
            // dimension is the ranking metric.
            let ranks_by_metric = !f.breakdowns.is_empty() && f.top_n.is_some() && !next.metrics().is_empty();
            if next.is_dim() && !ranks_by_metric {
                f.breakdowns.push(DimRef { candidates: next.dims() });
                used[k + 1] = true;
                // The metric word ("campaigns") is a breakdown here, not a metric.
            } else if let Some(g) = next.grain() {
                f.grain = Some(g);
                used[k + 1] = true;
            } else if !next.metrics().is_empty() {
                let ms = next.metrics();
                f.sort_metric = ms.first().cloned();
                strong.extend(ms);
                used[k + 1] = true;
            }
            used[k] = true;
        } else if item.has(|s| *s == Sense::Which) || (k == 0 && item.has(|s| *s == Sense::WhichAtStart)) {
            used[k] = true;
            let Some(next) = items.get(k + 1) else { continue };
            // "cuál es el total de contactos": a word that is also a metric is what to count, unless the
            // question ranks ("which customers bought the most").
            let measured = !next.metrics().is_empty() && !ranks;
            if next.is_dim() && !used[k + 1] && !measured {
                f.breakdowns.push(DimRef { candidates: next.dims() });
                singular_pick |= !next.is_plural();
                used[k + 1] = true;
            } else if let Some(g) = next.grain().filter(|_| !used[k + 1]) {
                f.grain = Some(g);
                singular_pick |= !next.is_plural();
                used[k + 1] = true;
            }
        } else if is_rank(k) && (k == 0 || !is_rank(k - 1)) {
            // A ranking prefix: "top 5", "5 best", "los 5 peores", "best", then a dimension.
            let mut j = k;
            let mut number = None;
            let mut ascending = false;
            let mut has_top = false;
            while j < n && is_rank(j) {
                match items[j].kind {
                    ItemKind::Number(v) => number = Some(v),
                    _ => {
                        if items[j].has(|s| matches!(s, Sense::Bottom | Sense::Least)) {
                            ascending = true;
                        }
                        if items[j].has(|s| matches!(s, Sense::Top | Sense::Bottom)) {
                            has_top = true;
                        }
                    }
                }
                j += 1;
            }
            // "with the most customers" after a breakdown: the word is what is counted, not a breakdown.
            let only_superlative = number.is_none() && !has_top;
            let dim_next = items
                .get(j)
                .filter(|it| it.is_dim() || it.grain().is_some())
                .filter(|it| !(only_superlative && !it.metrics().is_empty() && !f.breakdowns.is_empty()));
            match dim_next {
                Some(d) if !used[j] => {
                    if let Some(g) = d.grain().filter(|_| !d.is_dim()) {
                        f.grain = Some(g);
                    } else {
                        f.breakdowns.push(DimRef { candidates: d.dims() });
                    }
                    f.top_n = number.or(if d.is_plural() { None } else { Some(1) });
                    f.descending = Some(!ascending);
                    superlative = true;
                    for u in used.iter_mut().take(j + 1).skip(k) {
                        *u = true;
                    }
                }
                _ if number.is_some() && (has_top || is(k, Sense::Top) || is(k, Sense::Bottom)) => {
                    // "top 3" on its own: a follow-up that keeps the top rows of the previous breakdown.
                    f.top_n = number;
                    f.descending = Some(!ascending);
                    for u in used.iter_mut().take(j).skip(k) {
                        *u = true;
                    }
                }
                _ => {}
            }
        }
    }

    // Pass 2: values, with their negation and the words that qualify them.
    let mut negating = false;
    for k in 0..n {
        let item = &items[k];
        let next_is_value = items.get(k + 1).is_some_and(|x| !x.values().is_empty());
        if !used[k] && item.has(|s| *s == Sense::Not) && next_is_value {
            used[k] = true;
            negating = true;
            continue;
        }
        let values = item.values();
        if values.is_empty() || used[k] {
            negating = false;
            continue;
        }
        used[k] = true;
        let family_of = |v: &(String, String)| v.0.clone();
        let mut only_dims = Vec::new();
        let mut of_campaign = false;
        for nb in [k + 1, k.wrapping_sub(1)] {
            let Some(other) = items.get(nb) else { continue };
            if used[nb] || !other.is_dim() {
                continue;
            }
            let same_family: Vec<String> = other
                .dims()
                .into_iter()
                .filter(|d| {
                    model.dimension(d).is_some_and(|dd| values.iter().any(|v| family_of(v) == dd.family()))
                })
                .collect();
            if !same_family.is_empty() {
                only_dims = same_family;
                used[nb] = true;
                break;
            }
            if other.dims().iter().any(|d| d == "campaign") {
                of_campaign = true;
                // Still a candidate metric ("how many WhatsApp campaigns"), never a breakdown.
                weak.extend(other.metrics());
                used[nb] = true;
                break;
            }
        }
        for (family, value) in values {
            f.values.push(ValueRef {
                family,
                value,
                negated: negating,
                only_dims: only_dims.clone(),
                of_campaign,
            });
        }
        // A negation covers a list of values ("excluding email and SMS").
        if !next_is_value {
            negating = false;
        }
    }

    // Pass 3: everything else.
    let mut unknown = Vec::new();
    for k in 0..n {
        if used[k] {
            continue;
        }
        let item = &items[k];
        match &item.kind {
            ItemKind::Time(r) => {
                // "ventas del día de hoy": the same period said twice is one period.
                if f.times.contains(r) {
                    continue;
                }
                f.times.push(*r);
                if f.compare && f.times.len() == 1 {
                    f.compare_before_time = true;
                }
            }
            ItemKind::Number(_) | ItemKind::Unknown => unknown.push(item.text.clone()),
            ItemKind::Senses(senses) => {
                let metrics = item.metrics();
                if !metrics.is_empty() {
                    if item.is_dim() {
                        weak.extend(metrics);
                        dual.push(item);
                    } else {
                        strong.extend(metrics)
                    }
                    continue;
                }
                if item.is_dim() {
                    f.breakdowns.push(DimRef { candidates: item.dims() });
                    bare_singular |= !item.is_plural();
                    continue;
                }
                // "monthly" stands alone; a bare "month" without by/per/which is not a grain.
                if item.has(|s| matches!(s, Sense::GrainAdj(_))) {
                    f.grain = item.grain();
                    continue;
                }
                if item.grain().is_some() {
                    unknown.push(item.text.clone());
                    continue;
                }
                for s in senses {
                    match s {
                        Sense::Most | Sense::Top => {
                            superlative = true;
                            f.descending.get_or_insert(true);
                        }
                        Sense::Least | Sense::Bottom => {
                            superlative = true;
                            f.descending = Some(false);
                        }
                        Sense::Compare => f.compare = true,
                        Sense::Share => f.share = true,
                        Sense::Trend => f.trend = true,
                        Sense::Also => f.also = true,
                        Sense::Not => unknown.push(item.text.clone()),
                        Sense::Refine(m) => refines.push(m.clone()),
                        Sense::Average { valued } => {
                            let v = average.as_ref().is_some_and(|a| a.0) || *valued;
                            average = Some((v, item.text.clone()));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    if !unknown.is_empty() {
        let quoted: Vec<String> = unknown.iter().map(|w| format!("\"{w}\"")).collect();
        let problem = match lang {
            Lang::En => format!("I did not understand {}.", quoted.join(", ")),
            Lang::Es => format!("No entendí {}.", quoted.join(", ")),
        };
        let understood = describe::fragments(model, &f, &strong, &weak, lang);
        return Err(NotUnderstood::new(model, lang, problem, understood));
    }
    // "la campaña con más mensajes enviados": with a superlative and another measure, a word that is both
    // a metric and a dimension is what to rank.
    if superlative
        && f.breakdowns.is_empty()
        && f.grain.is_none()
        && !strong.is_empty()
        && let Some(item) = dual.first()
    {
        f.breakdowns.push(DimRef { candidates: item.dims() });
        bare_singular |= !item.is_plural();
        weak.clear();
    }
    if (singular_pick || bare_singular) && superlative && f.top_n.is_none() {
        f.top_n = Some(1);
    }
    f.metrics = choose_metrics(model, strong, weak);
    apply_refines(model, &mut f.metrics, &refines);
    if let Some((valued, text)) = average {
        match average_metric(model, items, &f.metrics, valued) {
            Some(avg) => {
                if f.sort_metric.as_ref().is_some_and(|m| f.metrics.contains(m)) {
                    f.sort_metric = Some(avg.clone());
                }
                f.metrics = vec![avg];
            }
            None => {
                let problem = match lang {
                    Lang::En => format!("I did not understand \"{text}\" here."),
                    Lang::Es => format!("No entendí \"{text}\" aquí."),
                };
                let understood = describe::fragments(model, &f, &f.metrics, &[], lang);
                return Err(NotUnderstood::new(model, lang, problem, understood));
            }
        }
    }
    Ok(f)
}

/// "messages that came in" → messages received: a refining word replaces the generic head noun of its
/// metric's table; with no measure named at all, it is the measure ("how much have we spent this month").
fn apply_refines(model: &SemanticModel, metrics: &mut Vec<String>, refines: &[String]) {
    for r in refines {
        let Some(rdef) = model.metric(r) else { continue };
        if metrics.is_empty() {
            metrics.push(r.clone());
            continue;
        }
        for m in metrics.iter_mut() {
            if model.metric(m).is_some_and(|d| d.generic && d.table == rdef.table) {
                *m = r.clone();
            }
        }
    }
    let mut seen = Vec::new();
    metrics.retain(|m| {
        let keep = !seen.contains(m);
        seen.push(m.clone());
        keep
    });
}

/// "average"/"promedio" with a purchase word is the average-kind metric of that table ("valor medio de los
/// pedidos", "monto promedio por compra", "average purchase"): the metrics named must count the same rows
/// it averages, or sum the column it averages. A bare "average" needs a singular purchase word ("average
/// purchases per month" is another question).
fn average_metric(model: &SemanticModel, items: &[Item], metrics: &[String], valued: bool) -> Option<String> {
    let defs: Vec<_> = metrics.iter().filter_map(|m| model.metric(m)).collect();
    if defs.is_empty() || defs.len() != metrics.len() {
        return None;
    }
    let table = &defs[0].table;
    let avg = model.metrics().iter().find(|a| a.kind == MetricKind::Avg && &a.table == table)?;
    let avg_col = inner(&avg.expr);
    let fits = |d: &crate::model::MetricDef| {
        d.table == avg.table
            && ((d.kind == MetricKind::Count && d.filter == avg.filter)
                || (d.kind == MetricKind::Sum && inner(&d.expr) == avg_col))
    };
    if !defs.iter().all(|d| fits(d)) {
        return None;
    }
    let singular = items.iter().any(|it| it.metrics().iter().any(|m| metrics.contains(m)) && !it.is_plural());
    (valued || singular).then(|| avg.name.clone())
}

/// The argument of an aggregate: "SUM(amount)" → "amount".
fn inner(expr: &str) -> &str {
    expr.split_once('(').and_then(|(_, r)| r.rsplit_once(')')).map_or(expr, |(a, _)| a.trim())
}

/// The metrics a question asks for: specific ones over generic head nouns of the same table
/// ("messages sent" over "messages"), and words that are also dimensions ("campaigns") only when
/// nothing else is measured.
fn choose_metrics(model: &SemanticModel, strong: Vec<String>, weak: Vec<String>) -> Vec<String> {
    let pool = if strong.is_empty() { weak } else { strong };
    let mut out: Vec<String> = Vec::new();
    for m in pool {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    let specific_tables: Vec<String> =
        out.iter().filter_map(|m| model.metric(m)).filter(|m| !m.generic).map(|m| m.table.clone()).collect();
    out.retain(|m| model.metric(m).is_some_and(|d| !d.generic || !specific_tables.contains(&d.table)));
    out
}

/// Resolves the fragments of a complete new question into an intent.
pub(crate) fn resolve(model: &SemanticModel, f: &Fragments, lang: Lang) -> Result<Intent, NotUnderstood> {
    let understood = || describe::fragments(model, f, &f.metrics, &[], lang);
    let fail = |en: String, es: String| {
        NotUnderstood::new(model, lang, lang.pick(&en, &es).to_string(), understood())
    };
    let mut metrics = f.metrics.clone();
    if metrics.is_empty() {
        // "How many leads?": a value that only one table has names what to count.
        metrics.extend(default_metric(model, f));
    }
    if metrics.is_empty() {
        return Err(fail(
            "I could not tell what to measure (for example messages sent, revenue or contacts).".into(),
            "No pude identificar qué medir (por ejemplo mensajes enviados, ingresos o contactos).".into(),
        ));
    }
    let base = base_table(model, &metrics).ok_or_else(|| {
        fail(
            "Those measures come from different data and cannot be combined in one answer; ask for them one at a time.".into(),
            "Esas medidas vienen de datos distintos y no se pueden combinar en una respuesta; pregúntalas por separado.".into(),
        )
    })?;
    let mut intent = Intent { metrics, lang: Some(lang), share: f.share, ..Intent::default() };
    for b in &f.breakdowns {
        let dim =
            resolve_dim(model, &b.candidates, &base).ok_or_else(|| unreachable_dim(model, b, lang, f))?;
        if !intent.breakdowns.contains(&dim) {
            intent.breakdowns.push(dim);
        }
    }
    intent.filters = resolve_values(model, &f.values, &base).map_err(|v| {
        fail(
            format!("\"{v}\" cannot filter these measures."),
            format!("\"{v}\" no se puede usar como filtro de estas medidas."),
        )
    })?;
    apply_metric_filter_overlap(model, &mut intent);
    apply_time(&mut intent, f).map_err(|(en, es)| fail(en, es))?;
    intent.grain = f.grain;
    if intent.grain.is_none() && f.trend {
        intent.grain = Some(default_grain(intent.time_range));
    }
    apply_ranking(&mut intent, f);
    check(&intent).map_err(|(en, es)| fail(en, es))?;
    Ok(intent)
}

fn unreachable_dim(model: &SemanticModel, b: &DimRef, lang: Lang, f: &Fragments) -> NotUnderstood {
    let label = b
        .candidates
        .first()
        .and_then(|d| model.dimension(d))
        .map(|d| d.label.get(lang).clone())
        .unwrap_or_default();
    let problem = match lang {
        Lang::En => format!("These measures cannot be broken down by {label}."),
        Lang::Es => format!("Estas medidas no se pueden desglosar por {label}."),
    };
    NotUnderstood::new(model, lang, problem, describe::fragments(model, f, &f.metrics, &[], lang))
}

/// The one table all metrics are on.
pub(crate) fn base_table(model: &SemanticModel, metrics: &[String]) -> Option<String> {
    let mut tables = metrics.iter().map(|m| model.metric(m).map(|d| d.table.clone()));
    let first = tables.next()??;
    for t in tables {
        if t.as_deref() != Some(first.as_str()) {
            return None;
        }
    }
    Some(first)
}

/// The dimension a word means for rows of `base`: one on the table itself, else one a join reaches.
pub(crate) fn resolve_dim(model: &SemanticModel, candidates: &[String], base: &str) -> Option<String> {
    let dims: Vec<_> = candidates.iter().filter_map(|c| model.dimension(c)).collect();
    dims.iter()
        .find(|d| d.table == base)
        .or_else(|| dims.iter().find(|d| model.reachable(base, &d.table)))
        .map(|d| d.name.clone())
}

pub(crate) fn resolve_values(
    model: &SemanticModel,
    values: &[ValueRef],
    base: &str,
) -> Result<Vec<Filter>, String> {
    let mut filters: Vec<Filter> = Vec::new();
    for v in values {
        let mut candidates: Vec<String> = if v.only_dims.is_empty() {
            model.dimensions().iter().filter(|d| d.family() == v.family).map(|d| d.name.clone()).collect()
        } else {
            v.only_dims.clone()
        };
        // "WhatsApp campaigns": the campaign's channel, except for messages, whose own channel is the
        // channel their campaign sent them on (same answer, no join).
        if v.of_campaign && base != "fct_messages" {
            let campaign_dims: Vec<String> = candidates
                .iter()
                .filter(|c| model.dimension(c).is_some_and(|d| d.table == "dim_campaigns"))
                .cloned()
                .collect();
            if !campaign_dims.is_empty() {
                candidates = campaign_dims;
            }
        }
        let dim = resolve_dim(model, &candidates, base).ok_or_else(|| v.value.clone())?;
        match filters.iter_mut().find(|f| f.dimension == dim && f.negated == v.negated) {
            Some(f) => {
                if !f.values.contains(&v.value) {
                    f.values.push(v.value.clone());
                }
            }
            None => {
                filters.push(Filter { dimension: dim, values: vec![v.value.clone()], negated: v.negated })
            }
        }
    }
    Ok(filters)
}

/// "How many churned customers": a filter on the very column that defines the metric ("customers" are
/// contacts in the customer stage) means the noun was only the thing counted, so count the table instead.
pub(crate) fn apply_metric_filter_overlap(model: &SemanticModel, intent: &mut Intent) {
    let filtered: Vec<String> = intent
        .filters
        .iter()
        .filter_map(|f| model.dimension(&f.dimension).map(|d| format!("{}.{}", d.table, d.column)))
        .collect();
    for m in intent.metrics.iter_mut() {
        let Some(def) = model.metric(m) else { continue };
        if def.kind != MetricKind::Count || def.filter.len() != 1 {
            continue;
        }
        let overlaps = filtered.iter().any(|tc| {
            tc.split_once('.')
                .is_some_and(|(t, c)| t == def.table && def.filter[0].split_whitespace().next() == Some(c))
        });
        if overlaps && let Some(dm) = model.table(&def.table).and_then(|t| t.default_metric.clone()) {
            *m = dm;
        }
    }
    let mut seen = Vec::new();
    intent.metrics.retain(|m| {
        if seen.contains(m) {
            false
        } else {
            seen.push(m.clone());
            true
        }
    });
}

type Problem = (String, String);

pub(crate) fn apply_time(intent: &mut Intent, f: &Fragments) -> Result<(), Problem> {
    match f.times.as_slice() {
        [] => {}
        [one] if f.compare && f.compare_before_time => {
            // "compared to last month": the current period against the previous one.
            let current = match one {
                TimeRange::Last { unit } => TimeRange::This { unit: *unit },
                TimeRange::Yesterday => TimeRange::Today,
                _ => {
                    return Err((
                        "Say which two periods to compare, e.g. \"this month vs last month\".".into(),
                        "Indica qué dos períodos comparar, p. ej. \"este mes vs el mes pasado\".".into(),
                    ));
                }
            };
            intent.time_range = Some(current);
            intent.comparison = Some(*one);
        }
        [one] => intent.time_range = Some(*one),
        [a, b] => {
            intent.time_range = Some(*a);
            intent.comparison = Some(*b);
        }
        _ => {
            return Err((
                "The question has more than two time periods.".into(),
                "La pregunta tiene más de dos períodos de tiempo.".into(),
            ));
        }
    }
    Ok(())
}

/// A sensible bucket for "trend"/"evolución" when no grain is named: days for short ranges.
fn default_grain(range: Option<TimeRange>) -> Grain {
    match range {
        Some(TimeRange::Today | TimeRange::Yesterday) => Grain::Day,
        Some(TimeRange::LastNDays { n }) if n <= 31 => Grain::Day,
        Some(TimeRange::LastNDays { n }) if n <= 120 => Grain::Week,
        Some(
            TimeRange::This { unit: Grain::Week | Grain::Month }
            | TimeRange::Last { unit: Grain::Week | Grain::Month },
        ) => Grain::Day,
        Some(TimeRange::This { unit: Grain::Quarter } | TimeRange::Last { unit: Grain::Quarter }) => {
            Grain::Week
        }
        _ => Grain::Month,
    }
}

pub(crate) fn apply_ranking(intent: &mut Intent, f: &Fragments) {
    if let Some(n) = f.top_n {
        intent.top_n = Some(n);
    }
    let ranked = f.descending.is_some() || f.sort_metric.is_some() || f.top_n.is_some();
    if ranked && (!intent.breakdowns.is_empty() || intent.grain.is_some()) {
        let metric = f.sort_metric.clone().or_else(|| intent.metrics.first().cloned());
        let explicit_order = f.descending.is_some() || f.top_n.is_some();
        // "revenue by month" sorts by time; "which month had the most revenue" sorts by the metric.
        if intent.grain.is_none() || explicit_order {
            intent.sort = Some(Sort { metric, descending: f.descending.unwrap_or(true) });
        }
    }
}

pub(crate) fn check(intent: &Intent) -> Result<(), Problem> {
    if intent.top_n.is_some() && intent.breakdowns.is_empty() && intent.grain.is_none() {
        return Err((
            "\"Top\" needs something to rank, e.g. \"top 5 campaigns by revenue\".".into(),
            "\"Top\" necesita algo que ordenar, p. ej. \"las 5 campañas con más ingresos\".".into(),
        ));
    }
    if intent.top_n == Some(0) {
        return Err(("Top 0 returns nothing.".into(), "Top 0 no devuelve nada.".into()));
    }
    if intent.comparison.is_some() && intent.grain.is_some() {
        return Err((
            "Comparing two periods works without a time grain; ask for one or the other.".into(),
            "La comparación de dos períodos no admite agrupar por tiempo; pide una cosa u otra.".into(),
        ));
    }
    Ok(())
}
