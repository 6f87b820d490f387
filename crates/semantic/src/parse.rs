//! Question → Intent: the engine's entry point. The question's words are lexed and read into fragments
//! (the grammar around them: by/por, which, top N, superlatives, negation, comparison; see `reader`),
//! and the fragments resolved to the model's metrics, dimensions and values, or merged into the previous
//! intent of a follow-up. Anything left unexplained makes the question not understood.

use chrono::NaiveDate;

use crate::describe;
use crate::followup;
use crate::fragments::{DimRef, Fragments, ValueRef};
use crate::intent::{Began, Filter, Grain, Intent, Sort, Subset, TimeRange};
use crate::lang::{self, Lang};
use crate::model::{MeasureFormat, MetricDef, MetricKind, MoneyCurrency, SemanticModel};
use crate::normalize;
// `Plan`, `MeasureInfo` and `NotUnderstood` are part of the crate's API through this module.
pub use crate::plan::{MeasureInfo, NotUnderstood, Plan};
use crate::reader::{lex, read};
use crate::sqlgen;
use crate::time;

/// Questions longer than this are refused rather than parsed (they are not questions).
const MAX_QUESTION_CHARS: usize = 2000;

/// Turns a question into a plan: SQL over `marts`, the intent behind it, and how to present it.
/// With `previous`, a follow-up ("and by country?", "solo WhatsApp", "top 3") refines that intent;
/// a complete new question replaces it. `today` resolves month names without a year.
pub fn interpret(
    model: &SemanticModel,
    question: &str,
    previous: Option<&Intent>,
    today: NaiveDate,
) -> Result<Plan, NotUnderstood> {
    let lang = question_lang(model, question, previous);
    let fail = |problem: &str| NotUnderstood::new(model, lang, problem.to_string(), vec![]);
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(fail(lang.pick(
            "The question is too long; ask one thing at a time.",
            "La pregunta es demasiado larga; pregunta una cosa a la vez.",
        )));
    }
    let tokens = question_tokens(model, question, lang);
    if tokens.is_empty() {
        return Err(fail(lang.pick("The question is empty.", "La pregunta está vacía.")));
    }
    let items = lex(model, &tokens, today);
    let frags = read(model, &items, lang, today)?;
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

/// The question's words, typos corrected, without the context said before or after it: before the last
/// ellipsis when nothing there means anything ("ok the cs team is prepping the review… delivery rate by
/// segment"), before a pivot ("anyway"), and a reason after the end of a sentence ("…x segmento? xq
/// marketing dice q los at risk…", "… este año… es que mi jefa dice que subieron").
fn question_tokens(model: &SemanticModel, question: &str, lang: Lang) -> Vec<String> {
    let words = |text: &str| {
        let mut tokens = normalize::tokens(&model.spell_codes(text));
        model.lexicon().correct_typos(&mut tokens, lang);
        tokens
    };
    // The question ends at the first end of a sentence followed by a reason, when something was asked before.
    let ends = question
        .match_indices(['?', '!', '…'])
        .map(|(at, _)| at)
        .chain(question.match_indices("...").map(|(at, _)| at));
    let mut ends: Vec<usize> = ends.collect();
    ends.sort_unstable();
    let question = ends
        .into_iter()
        .map(|at| question.split_at(at))
        .find(|(asked, after)| {
            model.lexicon().is_reason(&words(after)) && !model.lexicon().says_nothing(&words(asked))
        })
        .map_or(question, |(asked, _)| asked);
    let split = question.rsplit_once("...").or_else(|| question.rsplit_once('…'));
    let mut tokens = match split.map(|(context, asked)| (words(context), words(asked))) {
        Some((context, asked)) if !asked.is_empty() && model.lexicon().says_nothing(&context) => asked,
        _ => words(question),
    };
    model.lexicon().drop_context(&mut tokens);
    model.lexicon().comparison_as_versus(&mut tokens);
    tokens
}

/// The plan of an intent understood earlier (a saved question), with today's definitions of the model: a
/// metric whose definition changed (revenue now converted into one currency) is computed the new way.
pub fn replan(model: &SemanticModel, intent: Intent, lang: Lang) -> Result<Plan, NotUnderstood> {
    sqlgen::plan(model, intent, lang)
}

pub(crate) fn question_lang(model: &SemanticModel, question: &str, previous: Option<&Intent>) -> Lang {
    let (en, es) = lang::scores(model.lexicon(), question);
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

/// The metric a question without one counts, when one table alone holds all its values ("leads" → contacts).
pub(crate) fn default_metric(model: &SemanticModel, f: &Fragments) -> Option<String> {
    // The tables every value can filter ("leads" and "web": the contacts, though "web" is also a channel).
    let of = |v: &ValueRef| -> Vec<&str> {
        model.dimensions().iter().filter(|d| d.family() == v.family).map(|d| d.table.as_str()).collect()
    };
    let mut tables = f.values.first().map(of).unwrap_or_default();
    for v in f.values.iter().skip(1) {
        let these = of(v);
        tables.retain(|t| these.contains(t));
    }
    // "La plantilla más usada": with no value, a ranking of what only the rows of one table have (not things
    // with rows of their own: "the best campaign") counts those rows; a judgement ("best") is no count.
    let ranked = (f.top_n.is_some() || f.descending.is_some()) && !f.judged;
    if f.values.is_empty()
        && ranked
        && let Some(first) = f.breakdowns.first()
    {
        let of = |b: &crate::fragments::DimRef| -> Vec<&str> {
            let dims = b.candidates.iter().filter_map(|c| model.dimension(c));
            let events = dims.filter(|d| model.table(&d.table).is_some_and(|t| t.list_columns.is_empty()));
            events.map(|d| d.table.as_str()).collect()
        };
        tables = of(first);
        for b in f.breakdowns.iter().skip(1) {
            let these = of(b);
            tables.retain(|t| these.contains(t));
        }
    }
    tables.sort_unstable();
    tables.dedup();
    match tables.as_slice() {
        [one] => model.table(one).and_then(|t| t.default_metric.clone()),
        _ => None,
    }
}

/// Resolves the fragments of a complete new question into an intent.
pub(crate) fn resolve(model: &SemanticModel, f: &Fragments, lang: Lang) -> Result<Intent, NotUnderstood> {
    let among = things_among(model, f)
        .transpose()
        .map_err(|(en, es)| refusal(model, f, &f.metrics, lang, &en, &es))?;
    let f = among.as_ref().unwrap_or(f);
    let mut intent = resolve_shape(model, f, lang)?;
    if share_cut_by_join(model, &intent) {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "I can give each group's amount here, but not its percentage of the whole; ask for the amounts.",
            "Aquí puedo dar la cantidad de cada grupo, pero no su porcentaje del total; pide las cantidades.",
        ));
    }
    drop_reporting_currency_filter(model, f, &mut intent);
    if f.converted && by_currency(model, &intent) {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "By currency, amounts are in each currency; converted, they are one total in the reporting currency. Ask for one or the other.",
            "Por moneda, los montos van en cada moneda; convertidos, son un total en la moneda de reporte. Pide una cosa o la otra.",
        ));
    }
    if let Some((metric, dim)) = one_value_missing(model, &intent) {
        let (m, d) = (metric.label.get(lang), dim.label.get(lang));
        let en = format!(
            "The {m} is one {d}'s at a time, and of one company: name the {d} (e.g. \"the {m} of MXN last month\"), or ask by {d}."
        );
        let es = format!(
            "La {m} es de una {d} a la vez, y de una empresa: di cuál (p. ej. \"la {m} del MXN el mes pasado\"), o pídela por {d}."
        );
        return Err(refusal(model, f, &intent.metrics, lang, &en, &es));
    }
    // "unique" changes nothing only where each thing is counted once already.
    if !f.distinct.is_empty() && !intent.metrics.iter().any(|m| counts_once(model, m)) {
        let words: Vec<String> = f.distinct.iter().map(|w| format!("\"{w}\"")).collect();
        let en = format!(
            "I did not understand {}: these measures do not count things once each.",
            words.join(", ")
        );
        let es = format!("No entendí {}: estas medidas no cuentan cada cosa una vez.", words.join(", "));
        return Err(refusal(model, f, &intent.metrics, lang, &en, &es));
    }
    // One contact buys on several channels: distinct counts have no share of a whole.
    let distinct =
        intent.metrics.iter().any(|m| model.metric(m).is_some_and(|d| d.kind == MetricKind::Distinct));
    if distinct && (intent.share || intent.share_of.is_some()) {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "Shares of a count of distinct contacts do not add up to a whole (one contact may be in several groups); ask for the counts.",
            "Los porcentajes de un conteo de contactos distintos no suman un total (un contacto puede estar en varios grupos); pide los conteos.",
        ));
    }
    // "contactos de instagram clientes %": a share with nothing to split and no part named is no question
    // the engine has; never the count without its percentage. A rate is a percentage already.
    let percent =
        intent.metrics.iter().any(|m| model.metric(m).is_some_and(|d| d.format == MeasureFormat::Percent));
    if intent.share
        && intent.share_of.is_none()
        && intent.breakdowns.is_empty()
        && intent.grain.is_none()
        && !percent
    {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "Say what the percentage is of, e.g. \"what percentage of contacts are customers\" or \"share of revenue by channel\".",
            "Indica de qué es el porcentaje, p. ej. \"qué porcentaje de los contactos son clientes\" o \"participación de los ingresos por canal\".",
        ));
    }
    Ok(intent)
}

/// Each group's share of the whole is computed over the metric's own rows; through a join that some rows
/// have no match for (campaigns), those rows are a group of their own, which a top N would rank too: such a
/// share is refused, never dropped. Not through a join every row has a match for (each message has a
/// contact, so a country).
fn share_cut_by_join(model: &SemanticModel, intent: &Intent) -> bool {
    let table = intent.metrics.first().and_then(|m| model.metric(m)).map(|m| m.table.clone());
    let table = table.unwrap_or_default();
    let joined = (intent.breakdowns.iter().filter_map(|d| model.dimension(d)))
        .any(|d| d.table != table && !model.joins_every_row(&table, &d.table));
    intent.share && intent.share_of.is_none() && joined && intent.top_n.is_some()
}

/// A question refused with a reason in both languages, saying what was understood of it.
fn refusal(
    model: &SemanticModel,
    f: &Fragments,
    metrics: &[String],
    lang: Lang,
    en: &str,
    es: &str,
) -> NotUnderstood {
    let understood = describe::fragments(model, f, metrics, &[], lang);
    NotUnderstood::new(model, lang, lang.pick(en, es).to_string(), understood)
}

/// "Ventas en COP" for a company reporting in COP: all of it, converted, is in that currency already; only
/// another currency kept ("ventas en soles") means the amounts made in it, and so does the reporting one
/// with the original amounts asked ("ventas en pesos colombianos, en moneda original", "in original currency,
/// did our COP revenue go up"), wherever that is said: beside the value, or read as a breakdown that the
/// question's shape (a change between periods) then leaves out.
fn drop_reporting_currency_filter(model: &SemanticModel, f: &Fragments, intent: &mut Intent) {
    let (Some(reporting), Some(rates)) = (model.reporting_currency(), model.rates()) else { return };
    let converted = intent
        .metrics
        .iter()
        .filter_map(|m| model.metric(m))
        .all(|d| d.currency == Some(MoneyCurrency::Converted));
    let currency = |d: &str| model.dimension(d).is_some_and(|x| x.column == rates.currency_column);
    let asked = f.breakdowns.iter().flat_map(|b| &b.candidates).any(|d| currency(d))
        || f.values.iter().flat_map(|v| &v.only_dims).any(|d| currency(d));
    let original = asked || intent.breakdowns.iter().any(|b| currency(b));
    if converted && !original && !intent.metrics.is_empty() {
        intent.filters.retain(|f| !(currency(&f.dimension) && !f.negated && f.values == [reporting]));
    }
}

/// Whether the answer is broken down by the rates' currency column (amounts left in each currency).
fn by_currency(model: &SemanticModel, intent: &Intent) -> bool {
    let Some(rates) = model.rates() else { return false };
    intent.breakdowns.iter().filter_map(|b| model.dimension(b)).any(|d| d.column == rates.currency_column)
}

/// "La tasa de cambio de noviembre" with no currency: a metric of one value at a time
/// ([`MetricDef::one_value_of`]) with neither a breakdown by its dimension nor one value of it kept, or asked
/// across companies (each converts into its own currency).
fn one_value_missing<'a>(
    model: &'a SemanticModel,
    intent: &Intent,
) -> Option<(&'a MetricDef, &'a crate::model::DimensionDef)> {
    intent.metrics.iter().filter_map(|m| model.metric(m)).find_map(|m| {
        let d = model.dimension(m.one_value_of.as_deref()?)?;
        let by = intent.breakdowns.contains(&d.name);
        let one = intent.filters.iter().any(|f| f.dimension == d.name && !f.negated && f.values.len() == 1);
        (!(by || one) || model.spans_several_companies()).then_some((m, d))
    })
}

/// Whether a metric counts each thing once: distinct values, or rows that are each one thing (contacts).
fn counts_once(model: &SemanticModel, metric: &str) -> bool {
    model.metric(metric).is_some_and(|m| {
        m.kind == MetricKind::Distinct
            || (m.kind == MetricKind::Count
                && model.table(&m.table).is_some_and(|t| !t.list_columns.is_empty()))
    })
}

/// "Cuántos contactos compraron", "how many customers bought last month": the things counted (contacts)
/// with another measure's verb are those among its rows, each once: the distinct metric of its table with
/// the same rows, narrowed as the things were ("customers": the customer stage). Without such a metric the
/// question is refused, never answered with the other measure's count.
fn things_among(model: &SemanticModel, f: &Fragments) -> Option<Result<Fragments, Problem>> {
    let once =
        |m: &String| model.metric(m).filter(|d| d.kind == MetricKind::Count && counts_once(model, &d.name));
    let mut after = f.named.iter().filter(|(k, _)| f.counting_at.is_none_or(|c| *k > c)).peekable();
    // "De los contactos creados el mes pasado, ¿cuántos ya compraron?": a bare "cuántos" after the things
    // named before it counts those things, among what follows.
    let named_before = f.counting_at.and_then(|c| f.named.iter().rfind(|(k, _)| *k < c));
    let before = named_before.filter(|_| after.peek().is_some_and(|(_, m)| once(m).is_none()));
    let (k0, thing) = match before.and_then(|(k, m)| Some((k, once(m)?))) {
        Some(b) => b,
        None => {
            let (k0, thing) = after.next()?;
            (k0, once(thing)?)
        }
    };
    let other = after.find(|(k, m)| k > k0 && model.metric(m).is_some_and(|d| d.table != thing.table));
    // "Contacts who bought this year" with no counting word: the things are still those among the rows of
    // the clause's measure, never the rows themselves counted.
    // "Which contacts bought this month": a list of them, by what they did.
    let clause = other.is_some_and(|(k, _)| f.relative_at.contains(k) || (f.list && *k == k0 + 1));
    if f.counting_at.is_none() && !clause {
        return None;
    }
    if f.counting_at.is_none() && f.list {
        let (t, o) = (&thing.label, &model.metric(&other?.1)?.label);
        return Some(Err((
            format!(
                "I can list {} by what they are, not by their {}; ask how many of them there are.",
                t.en, o.en
            ),
            format!(
                "Puedo listar {} por lo que son, no por sus {}; pregunta cuántos de ellos hay.",
                t.es, o.es
            ),
        )));
    }
    // "How many contacts received a message": received by them, sent by the company; refused, since
    // "how many contacts did we send messages to" is the same words the other way round.
    if let Some((_, m)) = other.filter(|(k, _)| f.two_sided.contains(k)) {
        let (t, o) = (&thing.label, &model.metric(m)?.label);
        return Some(Err((
            format!(
                "Say which way the {} went: \"{} we messaged\" or \"{} who wrote to us\".",
                o.en, t.en, t.en
            ),
            format!(
                "Di en qué sentido fueron los {}: \"{} a los que escribimos\" o \"{} que nos escribieron\".",
                o.es, t.es, t.es
            ),
        )));
    }
    let mut g = f.clone();
    let among = match other.and_then(|(_, m)| model.metric(m)) {
        Some(other) => match among_measure(model, &mut g, thing, other, *k0)? {
            Ok(among) => among,
            Err(problem) => return Some(Err(problem)),
        },
        None => value_among(model, f, thing, *k0)?,
    };
    g.metrics = vec![among.name.clone()];
    if let Some((dim, value)) = model.metric_as_value(&thing.name) {
        push_value(model, &mut g, dim, value, *k0)?;
    }
    Some(Ok(g))
}

/// The metric counting `thing` once among `other`'s rows: the distinct count of the same rows, else, for a
/// measure that is one value of its table's column ("support tickets"), the distinct count of all the
/// table's rows with that value added to `g` as a filter. A refusal when there is neither.
fn among_measure<'m>(
    model: &'m SemanticModel,
    g: &mut Fragments,
    thing: &MetricDef,
    other: &MetricDef,
    at: usize,
) -> Option<Result<&'m MetricDef, Problem>> {
    let key = model.join(&other.table, &thing.table)?.on.clone();
    if let Some(among) = distinct_of(model, &other.table, &other.filter, &key) {
        return Some(Ok(among));
    }
    let of_value = model.metric_as_value(&other.name).and_then(|(dim, value)| {
        let among = distinct_of(model, &other.table, &[], &key)?;
        push_value(model, g, dim, value, at + 1)?;
        Some(among)
    });
    if let Some(among) = of_value {
        return Some(Ok(among));
    }
    let (t, o) = (&thing.label, &other.label);
    Some(Err((
        format!("I cannot count {} among {}; ask for the {} themselves.", t.en, o.en, o.en),
        format!("No sé contar {} entre {}; pregunta por {}.", t.es, o.es, o.es),
    )))
}

/// Adds `value` of `dim`, said at `pos`, to the question's values.
fn push_value(
    model: &SemanticModel,
    g: &mut Fragments,
    dim: String,
    value: String,
    pos: usize,
) -> Option<()> {
    let family = model.dimension(&dim)?.family().to_string();
    g.values.push(ValueRef {
        family,
        value,
        negated: false,
        only_dims: vec![dim],
        of_campaign: false,
        pos,
        joined: true,
    });
    Some(())
}

/// The metric counting each `key` of `table`'s rows with exactly `filter` once.
fn distinct_of<'m>(
    model: &'m SemanticModel,
    table: &str,
    filter: &[String],
    key: &str,
) -> Option<&'m MetricDef> {
    model.metrics().iter().find(|d| {
        d.kind == MetricKind::Distinct
            && d.table == table
            && d.filter == filter
            && d.expr.eq_ignore_ascii_case(&format!("COUNT(DISTINCT {key})"))
    })
}

/// "Cuántos contactos hicieron login": the things counted with a value that only another table has (an
/// activity type) are those among that table's rows of the value, each once (the value stays a filter).
/// `None` when the value's column is on several tables (it could narrow the things themselves), or the
/// table has no such count.
fn value_among<'m>(
    model: &'m SemanticModel,
    f: &Fragments,
    thing: &MetricDef,
    at: usize,
) -> Option<&'m MetricDef> {
    let value = f.values.iter().find(|v| v.pos > at && !v.negated)?;
    let mut tables = model.dimensions().iter().filter(|d| d.family() == value.family).map(|d| &d.table);
    let table = tables.next()?;
    if table == &thing.table || tables.any(|t| t != table) {
        return None;
    }
    let key = model.join(table, &thing.table)?.on.clone();
    distinct_of(model, table, &[], &key)
}

/// Resolves fragments whose metrics are settled: a fraction, values compared, or the rest.
fn resolve_shape(model: &SemanticModel, f: &Fragments, lang: Lang) -> Result<Intent, NotUnderstood> {
    // "By what percentage did revenue grow", "en qué porcentaje crecieron": the change, in percent.
    if f.fraction && f.change.is_some() {
        let g = Fragments { fraction: false, ..f.clone() };
        return resolve_shape(model, &g, lang);
    }
    if f.fraction {
        return resolve_fraction(model, f, lang);
    }
    match both_sides(model, f) {
        Some(Some(g)) => return resolve(model, &g, lang),
        Some(None) => {
            return Err(refusal(
                model,
                f,
                &f.metrics,
                lang,
                "I can put values side by side, not one value against all the others; ask for it by that field.",
                "Puedo comparar valores entre sí, no un valor contra todos los demás; pídelo por ese campo.",
            ));
        }
        None => {}
    }
    if let Some(g) = metrics_as_values(model, f) {
        return resolve(model, &g, lang);
    }
    if compares_part_with_whole(model, f) {
        return Err(refusal(
            model,
            f,
            &f.metrics,
            lang,
            "That compares a part with its whole; ask for the percentage, e.g. \"what percentage of contacts are customers\".",
            "Eso compara una parte con su total; pide el porcentaje, p. ej. \"qué porcentaje de los contactos son clientes\".",
        ));
    }
    if compares_values(f) {
        // "SMS vs WhatsApp delivery rate last month": the values side by side, in one period.
        let mut f = f.clone();
        f.compare = false;
        f.compare_before_time = false;
        let mut intent = resolve_whole(model, &f, lang)?;
        for fl in intent.filters.clone() {
            if !fl.negated && fl.values.len() >= 2 && !intent.breakdowns.contains(&fl.dimension) {
                intent.breakdowns.push(fl.dimension);
            }
        }
        return Ok(intent);
    }
    if let Some(descending) = f.newest {
        return resolve_newest(model, f, descending, lang);
    }
    let mut intent = resolve_whole(model, f, lang)?;
    if let (Some(table), false) = (&f.rows_listed, f.counting) {
        theirs_by_row(model, &mut intent, table);
    }
    intent.list = f.list && !f.counting && is_list(model, &intent);
    if !intent.list {
        side_by_side_companies(model, &mut intent);
    }
    // "Gasto en mensajes de las campañas activas, ordenado de mayor a menor": an order asked of one figure
    // says rows were meant, by something the question does not name.
    let one_figure = intent.breakdowns.is_empty() && intent.grain.is_none() && intent.comparison.is_none();
    if f.ordered && one_figure && !intent.list && intent.share_of.is_none() {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "That is one figure, with nothing to order; say by what, e.g. \"by campaign, largest first\".",
            "Eso es una sola cifra, sin nada que ordenar; di por qué, p. ej. \"por campaña, de mayor a menor\".",
        ));
    }
    Ok(intent)
}

/// "The 10 newest customers in Mexico", "las últimas campañas": a list of the rows, the most recent first
/// (by the table's time column), the first `n` when a number is given. Only rows are newest or oldest.
fn resolve_newest(
    model: &SemanticModel,
    f: &Fragments,
    descending: bool,
    lang: Lang,
) -> Result<Intent, NotUnderstood> {
    let mut g = f.clone();
    (g.top_n, g.descending, g.newest) = (None, None, None);
    let mut intent = resolve_whole(model, &g, lang)?;
    if f.counting || !is_list(model, &intent) {
        return Err(refusal(
            model,
            f,
            &intent.metrics,
            lang,
            "\"Newest\" and \"oldest\" order the rows of a list, e.g. \"the 10 newest contacts\".",
            "\"Más recientes\" y \"más antiguos\" ordenan las filas de una lista, p. ej. \"los 10 contactos más recientes\".",
        ));
    }
    intent.list = true;
    intent.sort = Some(Sort { metric: None, descending });
    intent.top_n = f.top_n;
    Ok(intent)
}

/// Companies named together ("messages of Acme and Globex by month") are shown side by side, never added
/// into one number an account manager would read as either's.
fn side_by_side_companies(model: &SemanticModel, intent: &mut Intent) {
    for fl in intent.filters.clone() {
        let company = model.dimension(&fl.dimension).is_some_and(|d| d.company);
        if company && !fl.negated && fl.values.len() >= 2 && !intent.breakdowns.contains(&fl.dimension) {
            intent.breakdowns.push(fl.dimension);
        }
    }
}

/// The plain count of a metric's table ("activities" for purchases), if the table has one.
fn table_count(model: &SemanticModel, metric: &str) -> Option<String> {
    let table = model.table(&model.metric(metric)?.table)?;
    let count = table.default_metric.clone()?;
    model.metric(&count).is_some_and(|c| c.filter.is_empty()).then_some(count)
}

/// "Con opt-in vs sin opt-in", "opted in or not": a yes/no value and its own negation are its two sides, a
/// row each (no row is both). `Some(None)` of any other column ("vip vs non-vip"): the rest are several
/// values, which no breakdown shows as one.
fn both_sides(model: &SemanticModel, f: &Fragments) -> Option<Option<Fragments>> {
    let side = f.values.iter().find(|a| {
        !a.negated && f.values.iter().any(|b| b.negated && b.family == a.family && b.value == a.value)
    })?;
    let dims: Vec<String> = (model.dimensions().iter())
        .filter(|d| d.family() == side.family && d.value_type.yes_no())
        .map(|d| d.name.clone())
        .collect();
    if dims.is_empty() {
        return Some(None);
    }
    let mut g = f.clone();
    g.values.retain(|v| !(v.family == side.family && v.value == side.value));
    g.breakdowns.push(DimRef { candidates: dims, alone: false });
    g.compare = false;
    g.compare_before_time = false;
    Some(Some(g))
}

/// "Purchases vs refunds": counts of one table's rows that differ only in one dimension's value are the
/// table's rows compared by that value (semantics.md: one row per value), not two periods.
/// "Leads vs customers" and "customers and leads" too: a value of the same column said apart from the
/// metric (not "churned customers", which are the churned contacts) is one more row.
fn metrics_as_values(model: &SemanticModel, f: &Fragments) -> Option<Fragments> {
    // "Número de compras vs número de reembolsos por país": beside a breakdown, the measures stay columns
    // of each country's row.
    if f.fraction || f.times.len() >= 2 || f.metrics.is_empty() || !f.breakdowns.is_empty() {
        return None;
    }
    let values: Vec<(String, String)> =
        f.metrics.iter().map(|m| model.metric_as_value(m)).collect::<Option<_>>()?;
    let dim = values[0].0.clone();
    if values.iter().any(|(d, _)| *d != dim) {
        return None;
    }
    let family = model.dimension(&dim)?.family().to_string();
    let at = |m: &String| f.named.iter().find(|(_, n)| n == m).map(|(p, _)| *p);
    let said: Vec<&ValueRef> = f.values.iter().filter(|v| v.family == family && !v.negated).collect();
    let apart = said.iter().any(|v| {
        f.metrics
            .iter()
            .filter_map(at)
            .all(|p| v.pos > p + 1 || (v.pos == p + 1 && !v.joined) || v.pos + 1 < p)
    });
    if values.len() + said.len() < 2 || !(f.compare || apart || f.together) {
        return None;
    }
    let mut g = f.clone();
    // Said together, the values are one figure: the table's count of any of them.
    g.compare = !f.together;
    g.metrics = vec![table_count(model, &f.metrics[0])?];
    g.sort_metric = None;
    let pos = f.named.iter().map(|(p, _)| *p).min().unwrap_or(0);
    g.values.extend(values.into_iter().map(|(d, value)| ValueRef {
        family: family.clone(),
        value,
        negated: false,
        only_dims: vec![d],
        of_campaign: false,
        pos,
        joined: false,
    }));
    Some(g)
}

/// "Customers vs contacts": the whole's head noun yielded to the part's, so the comparison would be lost.
fn compares_part_with_whole(model: &SemanticModel, f: &Fragments) -> bool {
    let table = |m: &String| model.metric(m).map(|d| d.table.clone());
    // Two periods are what "this month vs last month" compares, whatever the words measured.
    f.compare
        && f.times.len() < 2
        && f.named.iter().any(|(_, m)| {
            !f.metrics.contains(m)
                && model.metric(m).is_some_and(|d| d.generic)
                && f.metrics.iter().any(|x| table(x) == table(m))
        })
}

/// "A vs B" between values of one dimension (not between periods).
fn compares_values(f: &Fragments) -> bool {
    f.compare
        && f.times.len() < 2
        && f.values.iter().enumerate().any(|(i, a)| {
            f.values
                .iter()
                .skip(i + 1)
                .any(|b| !a.negated && !b.negated && a.family == b.family && a.value != b.value)
        })
}

/// A list asks for the rows of a table that has list columns, counted by a plain count metric, with no
/// breakdown, series or ranking ("list the paused campaigns"; "show me revenue" is just revenue).
fn is_list(model: &SemanticModel, intent: &Intent) -> bool {
    let listable = intent.metrics.iter().filter_map(|m| model.metric(m)).all(|m| {
        m.kind == MetricKind::Count && model.table(&m.table).is_some_and(|t| !t.list_columns.is_empty())
    });
    listable
        && !intent.metrics.is_empty()
        && intent.breakdowns.is_empty()
        && intent.grain.is_none()
        && intent.sort.is_none()
        && intent.comparison.is_none()
}

/// "What percentage of contacts are customers", "qué porcentaje de los ingresos viene de WhatsApp": the
/// whole (a metric, narrowed by the values named before it) and the part (a narrower metric of the same
/// rows, and the values named after). Without a part it is a distribution, or not understood.
fn resolve_fraction(model: &SemanticModel, f: &Fragments, lang: Lang) -> Result<Intent, NotUnderstood> {
    let fail = |en: &str, es: &str| {
        let understood = describe::fragments(model, f, &f.metrics, &[], lang);
        NotUnderstood::new(model, lang, lang.pick(en, es).to_string(), understood)
    };
    let (whole, part) = fraction_metrics(model, f);
    let Some((whole_pos, whole)) = whole else {
        return Err(fail(
            "Say what the percentage is of, e.g. \"what percentage of contacts are customers\".",
            "Indica de qué es el porcentaje, p. ej. \"qué porcentaje de los contactos son clientes\".",
        ));
    };
    // "What share of messages were campaign messages": the whole said again is no other measure, and a word
    // read as a value ("campaign": attributed to one) is no measure either; what is said with them is the
    // part.
    let part = part.filter(|(at, p)| *p != whole && !f.values.iter().any(|v| v.pos == *at));
    // "Qué porcentaje de los mensajes del mes pasado se enviaron en fin de semana": a verb right before the
    // days says what the whole's rows did (sent); the days are the part.
    let before_days = |at: usize, verb: &String| {
        let said_before = |c: usize| f.days_at == Some(c + 1);
        f.days.is_some() && (said_before(at) || f.clauses.iter().any(|(c, m)| m == verb && said_before(*c)))
    };
    let (whole, part) = match part {
        Some((at, verb)) if before_days(at, &verb) => (verb, None),
        other => (whole, other),
    };
    // "De las compras por WhatsApp, qué porcentaje fueron de Colombia": what is said of the whole before
    // the fraction word narrows it.
    let asked_at = f.fraction_at.filter(|at| *at > whole_pos).unwrap_or(whole_pos);
    let split = part.as_ref().map_or(asked_at, |(p, _)| *p);
    let (mut part_values, mut whole_values): (Vec<ValueRef>, Vec<ValueRef>) =
        f.values.iter().cloned().partition(|v| v.pos > split);
    if part.is_none() {
        attach_to_whole(split, &f.clauses, &mut part_values, &mut whole_values);
    }
    // "What share of this year's logins happened on weekends": days said after everything else are the
    // part, and what came before them is the whole's.
    let days_part = (f.days.zip(f.days_at))
        .filter(|(_, at)| part.is_none() && *at > whole_pos && part_values.iter().all(|v| v.pos < *at))
        .map(|(d, _)| d);
    if days_part.is_some() {
        whole_values.append(&mut part_values);
    }
    // Days said after a narrower measure ("what share of messages sent … were sent on weekends") may be
    // the part or narrow it: not guessed.
    if part.as_ref().zip(f.days_at).is_some_and(|((at, _), d)| d > *at) {
        return Err(fail(
            "Say whether the days of the week narrow the whole or are the part, e.g. \"what share of last month's messages were sent on weekends\".",
            "Indica si los días de la semana acotan el total o son la parte, p. ej. \"qué porcentaje de los mensajes del mes pasado se enviaron en fin de semana\".",
        ));
    }
    if part.is_none() && part_values.is_empty() && days_part.is_none() {
        // "What % of orders got refunded": a rate named whole is already the fraction asked for.
        if model
            .metric(&whole)
            .is_some_and(|m| m.kind == MetricKind::Ratio && m.format == MeasureFormat::Percent)
        {
            let mut g = f.clone();
            g.fraction = false;
            return resolve(model, &g, lang);
        }
        if f.breakdowns.is_empty() && f.grain.is_none() {
            return Err(fail(
                "Say which part to take the percentage of, e.g. \"what percentage of contacts are customers\".",
                "Indica qué parte medir, p. ej. \"qué porcentaje de los contactos son clientes\".",
            ));
        }
        // "What share of revenue came from our top 3 cities" is one figure, the three together, which the
        // engine does not compute; "top 3 cities with each one's share" is a share per row.
        if f.top_n.is_some() && !f.each {
            return Err(fail(
                "I can give each one's share of the whole (e.g. \"top 3 cities by revenue with each one's share\"), not the share of the top ones together.",
                "Puedo dar la participación de cada uno en el total (p. ej. \"top 3 ciudades por ingresos con la participación de cada una\"), no la de los primeros juntos.",
            ));
        }
        let mut g = f.clone();
        g.fraction = false;
        g.share = true;
        return resolve(model, &g, lang);
    }
    let mut g = f.clone();
    g.fraction = false;
    g.metrics = vec![whole.clone()];
    g.values = whole_values;
    if days_part.is_some() {
        g.days = None;
    }
    let mut intent = resolve_whole(model, &g, lang)?;
    let base = base_table(model, &intent.metrics).unwrap_or_default();
    let filters = resolve_values(model, &part_values, &base).map_err(|v| {
        fail(
            &format!("\"{v}\" cannot narrow these measures."),
            &format!("\"{v}\" no se puede usar para acotar estas medidas."),
        )
    })?;
    // "What share of messages received were read": a refining verb of a measure of the same rows that
    // neither is the whole nor narrows it would be dropped; the question mixes two measures.
    let mixed = f.clauses.iter().filter(|(at, _)| *at > whole_pos).any(|(_, m)| {
        let same_rows = model.metric(m).zip(model.metric(&whole)).is_some_and(|(a, b)| a.table == b.table);
        same_rows && m != &whole && !narrows(model, &whole, m) && !narrows(model, m, &whole)
    });
    if mixed || part.as_ref().is_some_and(|(_, p)| !narrows(model, &whole, p)) {
        return Err(fail(
            "That percentage mixes two different measures; ask for each one separately.",
            "Ese porcentaje mezcla dos medidas distintas; pide cada una por separado.",
        ));
    }
    let part = part.map(|(_, p)| p);
    intent.share_of = Some(Subset { metric: part, filters, days: days_part });
    Ok(intent)
}

/// "Qué porcentaje de los clientes vip tiene opt-in": values joined to the whole's noun ("clientes vip",
/// "contactos de Colombia", "contacts that came in thru WhatsApp", "los contactos sin opt-in") narrow the
/// whole, as long as a later value is left to be the part.
fn attach_to_whole(
    whole_pos: usize,
    clauses: &[(usize, String)],
    part: &mut Vec<ValueRef>,
    whole: &mut Vec<ValueRef>,
) {
    part.sort_by_key(|v| v.pos);
    let mut at = whole_pos;
    // A refining verb between them is the noun's own clause ("that came in thru"), whatever joins it.
    let next_to = |at: usize, v: &ValueRef| {
        (v.joined && v.pos == at + 1)
            || (v.pos == at + 2 && (v.negated || clauses.iter().any(|(c, _)| *c == at + 1)))
    };
    while part.len() >= 2 && next_to(at, &part[0]) && part.iter().any(|v| v.pos > part[0].pos) {
        at = part[0].pos;
        whole.push(part.remove(0));
    }
}

/// A metric word of a fraction question and its position among the items (0 when only implied).
type PlacedMetric = (usize, String);

/// The whole and the part of a fraction question among the metric words, in the order they were said.
fn fraction_metrics(model: &SemanticModel, f: &Fragments) -> (Option<PlacedMetric>, Option<PlacedMetric>) {
    let mut named: Vec<PlacedMetric> = Vec::new();
    for (pos, m) in &f.named {
        if !named.iter().any(|(_, n)| n == m) {
            named.push((*pos, m.clone()));
        }
    }
    // "What share of messages sent were read": a refining verb after the whole, of a narrower measure of its
    // rows, is the part ("messages" then "sent" is one measure, the whole).
    let whole = match named.as_slice() {
        [one] => Some(one),
        [a, b]
            if b.0 == a.0 + 1
                && model.metric(&a.1).is_some_and(|d| d.generic)
                && narrows(model, &a.1, &b.1) =>
        {
            Some(b)
        }
        _ => None,
    };
    let clause = |(pos, w): &PlacedMetric| {
        f.clauses.iter().find(|(at, m)| at > pos && m != w && narrows(model, w, m)).cloned()
    };
    if let Some((w, part)) = whole.and_then(|w| Some((w, clause(w)?))) {
        return (Some(w.clone()), Some(part));
    }
    // "Top 3 countries by messages sent, with each one's share of all messages sent": the measure ranked by,
    // said again as a generic word and the narrower one, is the whole shared among the groups.
    if let [a, b] = named.as_slice()
        && b.0 == a.0 + 1
        && f.sort_metric.as_ref() == Some(&b.1)
        && model.metric(&a.1).is_some_and(|d| d.generic)
        && narrows(model, &a.1, &b.1)
    {
        return (Some(b.clone()), None);
    }
    match named.as_slice() {
        [] => (default_metric(model, f).map(|m| (0, m)), None),
        [(pos, one)] => {
            let def = model.metric(one);
            let table_whole = def.and_then(|d| model.table(&d.table)).and_then(|t| t.default_metric.clone());
            let nothing_after = !f.values.iter().any(|v| v.pos > *pos);
            match table_whole {
                // "percentage of customers": customers among the contacts. Not "share of revenue": revenue
                // is not a subset of the activities counted, so it is the whole, shared among the groups.
                // With a breakdown ("% of all purchases each campaign is") the metric is the whole, shared
                // among the groups.
                Some(w)
                    if &w != one
                        && f.breakdowns.is_empty()
                        && nothing_after
                        && def.is_some_and(|d| !d.filter.is_empty())
                        && narrows(model, &w, one) =>
                {
                    (Some((0, w)), Some((*pos, one.clone())))
                }
                _ => (Some((*pos, one.clone())), None),
            }
        }
        // "what share of purchases came from contacts in Colombia": the contacts only say whose purchases
        // the values after them pick, through the join; the part is the whole narrowed by those values.
        [a, b, ..] if qualifies_through_join(model, f, &a.1, b) => (Some(a.clone()), None),
        [a, b, ..] => (Some(a.clone()), Some(b.clone())),
    }
}

/// Whether `b`, said after the whole `whole`, is the plain count of a table the whole's table joins, with
/// values named after it: a qualifier of those values, not a second measure.
fn qualifies_through_join(model: &SemanticModel, f: &Fragments, whole: &str, b: &PlacedMetric) -> bool {
    let (Some(w), Some(d)) = (model.metric(whole), model.metric(&b.1)) else { return false };
    d.kind == MetricKind::Count
        && d.filter.is_empty()
        && d.table != w.table
        && model.join(&w.table, &d.table).is_some()
        && f.values.iter().any(|v| v.pos > b.0)
}

/// Whether `part` counts a subset of the rows `whole` counts, the same way.
pub(crate) fn narrows(model: &SemanticModel, whole: &str, part: &str) -> bool {
    match (model.metric(whole), model.metric(part)) {
        (Some(w), Some(p)) => {
            w.table == p.table && w.expr == p.expr && w.filter.iter().all(|c| p.filter.contains(c))
        }
        _ => false,
    }
}

/// Resolves a question about one whole: metrics, breakdowns, filters, time and ranking.
fn resolve_whole(model: &SemanticModel, f: &Fragments, lang: Lang) -> Result<Intent, NotUnderstood> {
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
    let apart = || {
        fail(
            "Those measures come from different data and cannot be combined in one answer; ask for them one at a time.".into(),
            "Esas medidas vienen de datos distintos y no se pueden combinar en una respuesta; pregúntalas por separado.".into(),
        )
    };
    let tables = metric_tables(model, &metrics);
    let (base, others) = tables.split_first().ok_or_else(apart)?;
    let base = base.clone();
    let mut intent = Intent {
        metrics,
        lang: Some(lang),
        share: f.share,
        days: f.days,
        per_period: f.per_period,
        date_column: f.date_column.clone(),
        complete_only: f.complete_only,
        ..Intent::default()
    };
    // "Tasa de bajas según el canal por el que llegó cada contacto": each of the measured rows themselves,
    // beside a column of theirs, only says whose column it is (a rate of one contact is no group).
    let rows = model.row_dimension(&base).filter(|_| others.is_empty()).map(|d| d.name.clone());
    let whose =
        |b: &&DimRef| f.breakdowns.len() > 1 && rows.as_ref().is_some_and(|r| b.candidates == [r.clone()]);
    for b in f.breakdowns.iter().filter(|b| !whose(b)) {
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
    if !others.is_empty() && !sides_agree(model, f, &intent, &base, others) {
        return Err(apart());
    }
    apply_metric_filter_overlap(model, &mut intent);
    apply_exclusions(model, &mut intent, f).map_err(|(en, es)| fail(en, es))?;
    let f = &began_elsewhere(model, f, &base, &mut intent).map_err(|(en, es)| fail(en, es))?;
    apply_time(&mut intent, f).map_err(|(en, es)| fail(en, es))?;
    intent.grain = f.grain;
    for t in &tables {
        refuse_undated_period(model, &intent, t).map_err(|(en, es)| fail(en, es))?;
    }
    if intent.grain.is_none() && f.trend {
        intent.grain = Some(default_grain(intent.time_range));
    }
    if !others.is_empty() {
        refuse_periods_of_things(model, &intent).map_err(|(en, es)| fail(en, es))?;
    }
    apply_ranking(&mut intent, f);
    // "Worst month this year": periods ranked are the complete ones; a running month is no fair rival.
    if intent.top_n.is_some() && intent.breakdowns.is_empty() && intent.comparison.is_none() {
        intent.complete_only = intent.complete_only.or(intent.grain);
    }
    if let Some(down) = f.change {
        apply_change(model, &mut intent, down).map_err(|(en, es)| fail(en, es))?;
    }
    check(&intent).map_err(|(en, es)| fail(en, es))?;
    Ok(intent)
}

/// "Messages sent by the campaigns that started in 2025", "ingresos de contactos creados en 2025": a period
/// said of when another table's rows began is those rows' own date (`intent.began`), never the measure's;
/// the question's other periods stay the measure's. Of a table the measure's rows do not join, it is
/// refused, naming the period.
fn began_elsewhere(
    model: &SemanticModel,
    f: &Fragments,
    base: &str,
    intent: &mut Intent,
) -> Result<Fragments, Problem> {
    let mut rest = f.clone();
    for d in f.dated.iter().filter(|d| d.table != base) {
        let said = rest.times.iter().position(|t| *t == d.range);
        let Some(at) = said.filter(|_| model.join(base, &d.table).is_some()) else {
            return Err((
                format!(
                    "\"{}\" says when something else began, and what is measured is not linked to it; ask without that period.",
                    d.text
                ),
                format!(
                    "\"{}\" dice cuándo empezó otra cosa, y lo que se mide no está vinculado a ella; pregunta sin ese período.",
                    d.text
                ),
            ));
        };
        if d.alone {
            rest.times.remove(at);
        }
        intent.began.push(Began { table: d.table.clone(), range: d.range });
    }
    Ok(rest)
}

/// "How many people unsubscribed last week": a state of the very rows counted with no date of its own
/// (`undated` in the model) takes no period, which would be read on their creation. Of another table's rows
/// (messages sent last month to contacts who opted in) it is only a filter.
fn refuse_undated_period(model: &SemanticModel, intent: &Intent, base: &str) -> Result<(), Problem> {
    if intent.time_range.is_none() && intent.grain.is_none() {
        return Ok(());
    }
    let undated = intent
        .filters
        .iter()
        .filter_map(|fl| model.dimension(&fl.dimension))
        .find(|d| d.undated && d.table == base);
    match undated {
        Some(d) => Err((
            format!(
                "No date says when the {} changed, so a period cannot apply to it; ask without the period.",
                d.label.get(Lang::En)
            ),
            format!(
                "Ningún dato dice cuándo cambió el {}, así que no se le puede aplicar un período; pregunta sin el período.",
                d.label.get(Lang::Es)
            ),
        )),
        None => Ok(()),
    }
}

/// "Revenue growth this month", "% change of messages sent MTD vs the same days last month": the change
/// from the earlier period to the later one (the one before when only one is named), of one count or sum.
/// "Fell the most" ranks the largest fall first.
fn apply_change(model: &SemanticModel, intent: &mut Intent, down: bool) -> Result<(), Problem> {
    // "Which channel grew the most in %": the percentage is the change's.
    intent.share = false;
    if intent.grain.is_some() || intent.list {
        return Err((
            "A change is between two periods; ask for it without a series, e.g. \"revenue growth this month vs last month\".".into(),
            "Una variación es entre dos períodos; pídela sin serie, p. ej. \"variación de ingresos este mes vs el mes pasado\".".into(),
        ));
    }
    let additive = |m: &String| {
        model.metric(m).is_some_and(|d| {
            matches!(d.kind, MetricKind::Count | MetricKind::Sum) && d.format != MeasureFormat::Percent
        })
    };
    match intent.metrics.as_slice() {
        [m] if additive(m) => {}
        [_] => {
            return Err((
                "The change of a rate or an average could be in points or in percent; ask for both periods side by side, e.g. \"delivery rate this month vs last month\".".into(),
                "La variación de una tasa o un promedio puede ser en puntos o en porcentaje; pide los dos períodos lado a lado, p. ej. \"tasa de entrega este mes vs el mes pasado\".".into(),
            ));
        }
        _ => {
            return Err((
                "Ask for the change of one measure at a time.".into(),
                "Pide la variación de una medida a la vez.".into(),
            ));
        }
    }
    let no_periods = || {
        (
            "Say which periods the change is between, e.g. \"revenue growth this month vs last month\".".to_string(),
            "Indica entre qué períodos es la variación, p. ej. \"variación de ingresos este mes vs el mes pasado\".".to_string(),
        )
    };
    let range = intent.time_range.ok_or_else(no_periods)?;
    let before = match intent.comparison {
        Some(c) => c,
        None => time::period_before(range).ok_or_else(no_periods)?,
    };
    let (later, earlier) = match time::later(range, before) {
        Some(true) => (range, before),
        Some(false) => (before, range),
        None => return Err(no_periods()),
    };
    intent.time_range = Some(later);
    intent.comparison = Some(earlier);
    intent.change = true;
    if let Some(sort) = intent.sort.as_mut().filter(|_| down) {
        sort.descending = !sort.descending;
    }
    Ok(())
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

/// "Active campaigns with their channel, budget and messages sent": rows of `table` named first and then
/// measures of theirs from different data are those measures by each row (campaign), its own columns named
/// beside them shown with it (the same rows), not totals side by side. The rows' plain count goes: each row
/// is one.
fn theirs_by_row(model: &SemanticModel, intent: &mut Intent, table: &str) {
    let own = |d: &String| model.dimension(d).is_some_and(|x| x.table == table);
    let plain_count = |m: &String| {
        model
            .metric(m)
            .is_some_and(|d| d.table == table && d.kind == MetricKind::Count && d.filter.is_empty())
    };
    let mut metrics = intent.metrics.clone();
    metrics.retain(|m| !plain_count(m));
    if metric_tables(model, &metrics).len() < 2
        || !intent.breakdowns.iter().all(own)
        || intent.grain.is_some()
    {
        return;
    }
    if let Some(row) = model.row_dimension(table).map(|d| d.name.clone()) {
        intent.metrics = metrics;
        intent.breakdowns.insert(0, row);
    }
}

/// Measures of several tables are each grouped on their own and put side by side (sqlgen): only plain shapes,
/// whose every breakdown and filter (resolved for `base`, the first measure's table) means the same thing
/// for each of the `others`, and where "their" guesses nothing.
fn sides_agree(model: &SemanticModel, f: &Fragments, intent: &Intent, base: &str, others: &[String]) -> bool {
    let plain = f.dated.is_empty() && f.excluded.is_empty() && !f.share && f.date_column.is_none();
    let broken_down_alike = f.breakdowns.iter().all(|b| {
        let Some(dim) = resolve_dim(model, &b.candidates, base) else { return false };
        others.iter().all(|t| {
            resolve_dim(model, &b.candidates, t).is_some_and(|d| same_meaning(model, (&dim, base), (&d, t)))
        })
    });
    let filtered_alike = others.iter().all(|t| {
        resolve_values(model, &f.values, t).is_ok_and(|filters| {
            filters.len() == intent.filters.len()
                && filters.iter().zip(&intent.filters).all(|(a, b)| {
                    (a.values == b.values && a.negated == b.negated)
                        && same_meaning(model, (&b.dimension, base), (&a.dimension, t))
                })
        })
    });
    // "Customers and their revenue": whose revenue (the customers', or all of it) would be a guess; rows
    // listed with theirs ("active campaigns with their budget and messages sent") are each row's own.
    let listed = f.rows_listed.as_deref().is_some_and(|t| model.row_dimension(t).is_some());
    let guessed = f.theirs && !listed && theirs_is_a_guess(model, &intent.metrics, &intent.breakdowns);
    plain && broken_down_alike && filtered_alike && !guessed
}

/// "Customers and their revenue by segment": a count of things that other measures' rows belong to (a
/// contact's sales, a campaign's messages), where "their" could narrow those measures to the things counted:
/// the things are some of their table's rows (customers), or no breakdown is of theirs (campaigns and their
/// revenue: of the campaigns, or all of it). By a breakdown of the things' own ("top 5 cities by contacts,
/// with their revenue"), "their" is the group's, the same either way.
fn theirs_is_a_guess(model: &SemanticModel, metrics: &[String], breakdowns: &[String]) -> bool {
    let defs: Vec<_> = metrics.iter().filter_map(|m| model.metric(m)).collect();
    defs.iter().filter(|m| matches!(m.kind, MetricKind::Count | MetricKind::Distinct)).any(|m| {
        let owned = defs.iter().any(|o| o.table != m.table && model.join(&o.table, &m.table).is_some());
        let by_theirs = breakdowns.iter().any(|b| model.dimension(b).is_some_and(|d| d.table == m.table));
        owned && (!m.filter.is_empty() || !by_theirs)
    })
}

/// Whether dimension `a` for rows of its table and `b` for rows of another mean the same thing side by side:
/// the same dimension, or each table's own column of one name and kind ("revenue and messaging cost by
/// channel": a sale's channel, a message's channel).
fn same_meaning(model: &SemanticModel, (a, a_base): (&str, &str), (b, b_base): (&str, &str)) -> bool {
    let own = |d: &str, base: &str| model.dimension(d).is_some_and(|x| x.table == base);
    a == b || (own(a, a_base) && model.counterpart(a, b_base).is_some_and(|y| y.name == b))
}

/// "Top 5 campaigns by revenue this year, and the budget of each": beside other measures, a period would
/// keep only the things that began in it (campaigns started this year), which is seldom what is meant, so
/// measures of things (contacts, campaigns) take no period when they stand beside others, unless they count
/// the things by when they began ("new contacts and revenue by month").
fn refuse_periods_of_things(model: &SemanticModel, intent: &Intent) -> Result<(), Problem> {
    let dated = intent.time_range.is_some()
        || intent.grain.is_some()
        || intent.days.is_some()
        || intent.complete_only.is_some();
    let began = (intent.metrics.iter().filter_map(|m| model.metric(m)))
        .filter(|m| !m.arrivals)
        .filter_map(|m| model.table(&m.table))
        .find_map(|t| t.began_label.as_ref());
    match began {
        Some(label) if dated => Err((
            format!(
                "Beside the other measures, the period would keep only the {} in it; ask for them one at a time, or without the period.",
                label.get(Lang::En)
            ),
            format!(
                "Junto a las otras medidas, el período dejaría solo {} en él; pregúntalas por separado, o sin el período.",
                label.get(Lang::Es)
            ),
        )),
        _ => Ok(()),
    }
}

/// The tables of the metrics, each once, in the order the metrics name them.
fn metric_tables(model: &SemanticModel, metrics: &[String]) -> Vec<String> {
    let mut tables: Vec<String> = Vec::new();
    for t in metrics.iter().filter_map(|m| model.metric(m)).map(|d| &d.table) {
        if !tables.contains(t) {
            tables.push(t.clone());
        }
    }
    tables
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
        // "WhatsApp campaigns": the campaign's channel, also for messages: a message's own channel is its
        // campaign's only when it has one, and conversational messages (no campaign) are no campaign's.
        if v.of_campaign {
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
    let column = |d: &str| model.dimension(d).map(|d| (d.table.clone(), d.column.clone()));
    let filtered: Vec<_> = intent.filters.iter().filter_map(|f| column(&f.dimension)).collect();
    for m in intent.metrics.iter_mut() {
        let Some((dim, _)) = model.metric_as_value(m) else { continue };
        if column(&dim).is_some_and(|c| filtered.contains(&c))
            && let Some(dm) = table_count(model, m)
        {
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

/// "Mensajes enviados excluyendo los fallidos", "messages sent that did not fail": the rows of a narrower
/// count or sum of the same table left out, as the values that narrow it, negated (`status` not `failed`).
/// Of the generic head noun, the condition is the one the excluded measure adds to the measure it narrows
/// by one ("mensajes excluyendo los fallidos": every message whose status is not failed), and a denial
/// counts that measure ("mensajes que no se entregaron": messages sent, not delivered). Anything else is
/// refused, naming the words.
fn apply_exclusions(model: &SemanticModel, intent: &mut Intent, f: &Fragments) -> Result<(), Problem> {
    for (excluded, words, denied) in &f.excluded {
        let refused =
            || (format!("I did not understand \"{words}\" here."), format!("No entendí \"{words}\" aquí."));
        let against: Vec<String> = (intent.metrics.iter())
            .map(|m| match model.metric(m).filter(|d| d.generic) {
                Some(_) => parent_of(model, m, excluded).unwrap_or_else(|| m.clone()),
                None => m.clone(),
            })
            .collect();
        intent.filters.push(excluded_filter(model, &against, excluded).ok_or_else(refused)?);
        if *denied {
            intent.metrics = against;
        }
    }
    Ok(())
}

/// The measure between the generic `whole` and `excluded` that `excluded` narrows by one condition.
fn parent_of(model: &SemanticModel, whole: &str, excluded: &str) -> Option<String> {
    let ex = model.metric(excluded)?;
    model
        .metrics()
        .iter()
        .filter(|p| p.name != whole && narrows(model, whole, &p.name) && narrows(model, &p.name, excluded))
        .find(|p| ex.filter.len() == p.filter.len() + 1)
        .map(|p| p.name.clone())
}

/// The negated value that leaves `excluded`'s rows out of each of `metrics`.
fn excluded_filter(model: &SemanticModel, metrics: &[String], excluded: &str) -> Option<Filter> {
    let ex = model.metric(excluded)?;
    let mut narrowing: Option<&String> = None;
    for m in metrics {
        let d = model.metric(m)?;
        let additive = matches!(d.kind, MetricKind::Count | MetricKind::Sum);
        if !additive
            || d.table != ex.table
            || d.name == ex.name
            || !d.filter.iter().all(|c| ex.filter.contains(c))
        {
            return None;
        }
        let [one] = ex.filter.iter().filter(|c| !d.filter.contains(c)).collect::<Vec<_>>()[..] else {
            return None;
        };
        if narrowing.is_some_and(|n| n != one) {
            return None;
        }
        narrowing = Some(one);
    }
    let (dimension, values) = model.filter_value(&ex.table, narrowing?)?;
    Some(Filter { dimension, values, negated: true })
}

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
        intent.nth = f.nth;
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
