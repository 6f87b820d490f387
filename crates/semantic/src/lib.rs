//! The semantic layer of inDigital Analytics: what analysts' words mean, and the offline question engine.
//!
//! It is for: the shipped semantic model (`semantic/model.yaml`, the single source of truth for metrics,
//! dimensions, synonyms and verified examples, with per-partner overrides), turning an English or Spanish
//! question into an [`Intent`] and portable SQL over `marts` ([`interpret`]) for the companies a session
//! reads ([`SemanticModel::with_companies`]: across several, joins match the tenant and money is split by
//! reporting currency), following up on a previous intent in a conversation, drilling into a cell of an answer ([`drill`]), and choosing a chart and a
//! one-line summary for a result ([`choose_chart`], [`summarize`], [`format_number`]).
//!
//! It is not for: running SQL, tenant scoping (the SQL guard wraps every table later, so no tenant filter is
//! added here beyond a company the question names), LLM calls, or rendering. A wrong answer is worse than none: whatever the engine cannot
//! map to the model is reported as [`NotUnderstood`] instead of guessed.

#![warn(missing_docs)]

mod chart;
mod describe;
mod drill;
mod followup;
mod format;
mod fragments;
mod intent;
mod lang;
mod lexicon;
mod model;
mod normalize;
mod parse;
mod plan;
mod present;
mod rates_check;
mod reader;
mod sqlgen;
mod statement;
mod summary;
mod time;

pub use chart::choose_chart;
pub use drill::{DrillError, Drilled, drill, drill_question};
pub use format::format_number;
pub use intent::{Began, DaysOfWeek, Filter, Grain, Intent, Sort, Subset, TimeRange};
pub use lang::{Lang, detect_lang};
pub use model::{
    Company, DimensionDef, Example, MeasureFormat, MetricDef, MetricKind, ModelError, MoneyCurrency, Rates,
    SemanticModel, TableDef,
};
pub use parse::{MeasureInfo, NotUnderstood, Plan, interpret, replan};
pub use present::{
    caveats, cross_company_caveat, current_period, label_columns, missing_rates_message, missing_rates_sql,
    take_missing_rate_rows, truncated_caveat,
};
pub use rates_check::{model_missing_rates_message, model_missing_rates_sql};
pub use sqlgen::MISSING_RATE_COLUMN;
pub use statement::{label_statement, statement_caveats};
pub use summary::{SummaryContext, summarize};
