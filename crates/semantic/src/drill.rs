//! Drill-down: a click on a cell of an answer narrows the intent behind it. A value of a breakdown
//! (`whatsapp` in "messages by channel") becomes a filter on that dimension, the breakdowns kept so that
//! the answer shows the slice; a period of a series (`2026-03-01` in "revenue by month") becomes the time
//! range, cut by the next finer bucket (year → quarter → month → day; a week or a day goes to days). The
//! narrowed intent is planned like any question: its SQL comes from the model alone (the clicked value only
//! as a literal, as every filter value), and the app's guard scopes it as always.
//!
//! Output columns are mapped to dimensions through the plan (`sqlgen` names them), never by their text:
//! a Spanish answer's `dia` or a company's name column mean what the plan says they do.

use std::sync::OnceLock;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Deserialize;

use crate::describe;
use crate::intent::{Filter, Grain, Intent, TimeRange};
use crate::lang::Lang;
use crate::model::{Bilingual, DimType, SemanticModel};
use crate::parse;
use crate::plan::{NotUnderstood, Plan};
use crate::sqlgen::{self, DimSource};

/// The phrases of a drill, both languages (`semantic/drill.yaml`).
const DRILL_YAML: &str = include_str!("../../../semantic/drill.yaml");

/// The longest value a breakdown is narrowed to: longer than any name in the marts, far shorter than a
/// pasted document.
const MAX_VALUE_CHARS: usize = 500;

/// How much of a refused value an error message repeats.
const ECHO_CHARS: usize = 80;

/// An answer narrowed by a drill: the plan of the new intent (its title reads like any question's,
/// "Messages sent by channel (WhatsApp)") and one line saying what the drill did, in the intent's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Drilled {
    /// The plan to run and present, as for a question.
    pub plan: Plan,
    /// "Filtered to channel = WhatsApp", "marzo de 2026 por día".
    pub description: String,
}

/// Why a drill gives no plan.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// The answer's question is not one the offline engine reads, or the narrowed intent cannot be
    /// answered; the message says which, in the question's language.
    #[error("{0}")]
    NotUnderstood(NotUnderstood),
    /// The column is not a breakdown or the time axis of the answer, or the value does not fit it.
    #[error("{0}")]
    Usage(String),
    /// The bundled phrases do not load (a build that skipped the crate's tests).
    #[error("semantic/drill.yaml: {0}")]
    Internal(String),
}

impl From<DrillError> for inda_core::Error {
    fn from(e: DrillError) -> Self {
        match e {
            DrillError::NotUnderstood(n) => n.into(),
            DrillError::Usage(m) => inda_core::Error::usage(m),
            DrillError::Internal(m) => inda_core::Error::internal(format!("semantic/drill.yaml: {m}")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Phrases {
    filtered: Bilingual<String>,
    period: Bilingual<String>,
    not_readable: Bilingual<String>,
    not_drillable: Bilingual<String>,
    label_column: Bilingual<String>,
    not_a_period: Bilingual<String>,
    not_a_value: Bilingual<String>,
}

fn phrases() -> Result<&'static Phrases, DrillError> {
    static P: OnceLock<Result<Phrases, String>> = OnceLock::new();
    P.get_or_init(|| serde_yaml::from_str(DRILL_YAML).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| DrillError::Internal(e.clone()))
}

/// `template` with each `{name}` replaced by its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

fn echo(s: &str) -> String {
    s.chars().take(ECHO_CHARS).collect()
}

/// Drills into the answer of `question`, read again by the offline engine (with `previous`, the intent a
/// follow-up refines; `today` resolves month names as when it was asked): the answer's cell in `column`
/// holds `value`. A question the engine does not read is [`DrillError::NotUnderstood`].
pub fn drill_question(
    model: &SemanticModel,
    question: &str,
    previous: Option<&Intent>,
    today: NaiveDate,
    column: &str,
    value: &serde_json::Value,
) -> Result<Drilled, DrillError> {
    let plan = parse::interpret(model, question, previous, today).map_err(|_| {
        let lang = parse::question_lang(model, question, previous);
        match phrases() {
            // No example questions: the analyst clicked an answer, they did not type a question.
            Ok(p) => DrillError::NotUnderstood(NotUnderstood {
                message: p.not_readable.get(lang).clone(),
                understood: vec![],
                suggestions: vec![],
            }),
            Err(e) => e,
        }
    })?;
    drill(model, &plan.intent, column, value)
}

/// Narrows `intent` (an answer's) by its cell in output `column` holding `value`: a breakdown's value
/// becomes a filter, a period of the series its range by the next finer bucket. The language is the
/// intent's.
pub fn drill(
    model: &SemanticModel,
    intent: &Intent,
    column: &str,
    value: &serde_json::Value,
) -> Result<Drilled, DrillError> {
    let p = phrases()?;
    let lang = intent.lang.unwrap_or(Lang::En);
    let (time_column, sources) = sqlgen::drill_columns(model, intent, lang);
    let mut next = intent.clone();
    let description = if let (Some(t), Some(grain)) = (&time_column, intent.grain)
        && t == column
    {
        let start = period_start(value, grain).ok_or_else(|| {
            let shown = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
            DrillError::Usage(fill(p.not_a_period.get(lang), &[("value", &echo(&shown)), ("column", column)]))
        })?;
        let range = TimeRange::Between { start, end: period_end(start, grain) };
        let finer = finer_grain(grain);
        next.time_range = Some(range);
        next.grain = Some(finer);
        // A ranking of periods ("top 3 months") has one period left: show all of its days.
        if next.breakdowns.is_empty() {
            next.top_n = None;
        }
        fill(
            p.period.get(lang),
            &[
                ("period", &describe::time_label(&range, lang)),
                ("grain", describe::unit_word(finer, lang, false)),
            ],
        )
    } else {
        let dimension = match sources.iter().find(|(name, _)| name == column) {
            Some((_, DimSource::Value(d))) => d.clone(),
            Some((_, DimSource::Label { key })) => {
                return Err(DrillError::Usage(fill(
                    p.label_column.get(lang),
                    &[("column", column), ("key", key)],
                )));
            }
            None => return Err(DrillError::Usage(fill(p.not_drillable.get(lang), &[("column", column)]))),
        };
        let def =
            model.dimension(&dimension).ok_or_else(|| DrillError::Internal(format!("no {dimension}")))?;
        let text = filter_value(model, def.company, def.value_type, value)
            .ok_or_else(|| DrillError::Usage(fill(p.not_a_value.get(lang), &[("column", column)])))?;
        // The clicked value is one of the rows the answer showed: it replaces whatever the question
        // said of that dimension ("SMS and WhatsApp", "except email").
        next.filters.retain(|f| f.dimension != dimension);
        next.filters.push(Filter {
            dimension: dimension.clone(),
            values: vec![text.clone()],
            negated: false,
        });
        // "Top 5 campaigns" narrowed to one campaign is that campaign, not a ranking.
        if next.breakdowns == [dimension.clone()] {
            next.top_n = None;
        }
        fill(
            p.filtered.get(lang),
            &[
                ("dimension", &describe::dim_label(model, &dimension, lang)),
                ("value", &model.value_label(def.family(), &text, lang)),
            ],
        )
    };
    parse::check(&next).map_err(|(en, es)| {
        DrillError::NotUnderstood(NotUnderstood {
            message: lang.pick(&en, &es).to_string(),
            understood: vec![],
            suggestions: vec![],
        })
    })?;
    let plan = parse::replan(model, next, lang).map_err(DrillError::NotUnderstood)?;
    Ok(Drilled { plan, description })
}

/// The filter value of a clicked cell: its text as the rows hold it (a company's name stands for its
/// tenant id, booleans are `true`/`false`). `None` for an empty cell, a structure or an overlong text.
fn filter_value(
    model: &SemanticModel,
    company: bool,
    value_type: DimType,
    value: &serde_json::Value,
) -> Option<String> {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Null | serde_json::Value::Array(_) | serde_json::Value::Object(_) => return None,
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        return None;
    }
    if value_type.yes_no() {
        return match text.to_ascii_lowercase().as_str() {
            "true" => Some("true".into()),
            "false" => Some("false".into()),
            _ => None,
        };
    }
    if company {
        // Rows show a company's name; the filter is on its tenant id. A name of no company of the scope
        // stays as given: it matches no row, so the answer is empty, as for any value that does not exist.
        if let Some(c) = model.companies().iter().find(|c| c.name == text || c.id == text) {
            return Some(c.id.clone());
        }
    }
    Some(text)
}

/// The first day of the period of `grain` that the cell's date or timestamp (ISO 8601) falls in.
fn period_start(value: &serde_json::Value, grain: Grain) -> Option<NaiveDate> {
    let s = value.as_str()?;
    let day = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    // Only a date, or a date with a time: not "2026-03-01garbage".
    if s.len() > 10 && !s[10..].starts_with(['T', ' ']) {
        return None;
    }
    let month0 = match grain {
        Grain::Day => return Some(day),
        Grain::Week => {
            return day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())));
        }
        Grain::Month => day.month0(),
        Grain::Quarter => day.month0() / 3 * 3,
        Grain::Year => 0,
    };
    NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1)
}

/// The first day after the period of `grain` starting on `start`.
fn period_end(start: NaiveDate, grain: Grain) -> NaiveDate {
    let end = match grain {
        Grain::Day => start.checked_add_days(Days::new(1)),
        Grain::Week => start.checked_add_days(Days::new(7)),
        Grain::Month => start.checked_add_months(Months::new(1)),
        Grain::Quarter => start.checked_add_months(Months::new(3)),
        Grain::Year => start.checked_add_months(Months::new(12)),
    };
    // Only at the end of chrono's calendar (year 262142): the range then runs to that day.
    end.unwrap_or(start)
}

/// The bucket one step finer: a year by quarter, a quarter by month, a month (or a week) by day; a day
/// stays by day.
fn finer_grain(grain: Grain) -> Grain {
    match grain {
        Grain::Year => Grain::Quarter,
        Grain::Quarter => Grain::Month,
        Grain::Month | Grain::Week | Grain::Day => Grain::Day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_bundled_phrases_load_and_fill_every_placeholder() {
        let p = phrases().expect("semantic/drill.yaml loads");
        let all = [
            &p.filtered,
            &p.period,
            &p.not_readable,
            &p.not_drillable,
            &p.label_column,
            &p.not_a_period,
            &p.not_a_value,
        ];
        let names = ["dimension", "value", "period", "grain", "column", "key"];
        let values: Vec<(&str, &str)> = names.iter().map(|n| (*n, "x")).collect();
        for b in all {
            for text in [&b.en, &b.es] {
                assert!(!text.trim().is_empty(), "a phrase lacks a language");
                let filled = fill(text, &values);
                assert!(!filled.contains('{') && !filled.contains('}'), "unknown placeholder in {text:?}");
            }
        }
    }

    #[test]
    fn periods_start_on_their_first_day() {
        assert_eq!(period_start(&json!("2026-03-01"), Grain::Month), Some(d(2026, 3, 1)));
        assert_eq!(period_start(&json!("2026-03-17T00:00:00"), Grain::Month), Some(d(2026, 3, 1)));
        assert_eq!(period_start(&json!("2026-08-09"), Grain::Quarter), Some(d(2026, 7, 1)));
        assert_eq!(period_start(&json!("2026-08-09 10:00:00"), Grain::Year), Some(d(2026, 1, 1)));
        // 2026-03-05 is a Thursday: its week starts on Monday the 2nd.
        assert_eq!(period_start(&json!("2026-03-05"), Grain::Week), Some(d(2026, 3, 2)));
        assert_eq!(period_start(&json!("2026-03-05"), Grain::Day), Some(d(2026, 3, 5)));
        assert_eq!(period_start(&json!("2026-03-0"), Grain::Day), None);
        assert_eq!(period_start(&json!("2026-03-01xyz"), Grain::Day), None);
        assert_eq!(period_start(&json!(20260301), Grain::Day), None);
        assert_eq!(period_start(&json!(null), Grain::Day), None);
    }

    #[test]
    fn periods_end_where_the_next_begins() {
        assert_eq!(period_end(d(2026, 12, 1), Grain::Month), d(2027, 1, 1));
        assert_eq!(period_end(d(2026, 10, 1), Grain::Quarter), d(2027, 1, 1));
        assert_eq!(period_end(d(2024, 1, 1), Grain::Year), d(2025, 1, 1));
        assert_eq!(period_end(d(2026, 2, 28), Grain::Day), d(2026, 3, 1));
        assert_eq!(period_end(d(2026, 12, 28), Grain::Week), d(2027, 1, 4));
        assert_eq!(finer_grain(Grain::Year), Grain::Quarter);
        assert_eq!(finer_grain(Grain::Quarter), Grain::Month);
        assert_eq!(finer_grain(Grain::Month), Grain::Day);
        assert_eq!(finer_grain(Grain::Day), Grain::Day);
    }
}
