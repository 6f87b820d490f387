//! What the engine hands back for a question: a [`Plan`] to run and present (with a [`MeasureInfo`] per
//! output measure), or, when it cannot answer, [`NotUnderstood`] with what it did understand and example
//! questions to ask instead.

use serde::{Deserialize, Serialize};

use crate::intent::Intent;
use crate::lang::Lang;
use crate::model::{MeasureFormat, MetricKind, MoneyCurrency, SemanticModel};
use crate::normalize;

/// One output measure of a plan: its column name, how to show it, and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureInfo {
    /// Output column name: the snake_case label in the question's language (`messages_sent`,
    /// `mensajes_enviados`).
    pub name: String,
    /// The metric's label in the question's language, for axes and summaries.
    pub label: String,
    /// How its values are shown.
    pub format: MeasureFormat,
    /// How it aggregates: only counts and sums add up to a whole (a pie, a share of a total).
    pub kind: MetricKind,
    /// The currency of a money measure (the app names the reporting currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<MoneyCurrency>,
    /// Unit of a non-money measure ("min").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The engine's answer to a question: SQL to run (before the tenant guard) and how to present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Portable SQL over `marts` (DataFusion and Snowflake), before the tenant guard: it carries no tenant
    /// filter of its own, the guard adds it.
    pub sql: String,
    /// What the question was understood as; stored with the conversation so that a follow-up can refine it.
    pub intent: Intent,
    /// The language to answer in: the question's, or the conversation's when the question's words do not
    /// tell.
    pub lang: Lang,
    /// E.g. "Messages sent by channel, last month", in the question's language.
    pub title: String,
    /// One per output measure, in column order.
    pub measures: Vec<MeasureInfo>,
    /// Output column of the time bucket (or of the compared period), if any.
    pub time_column: Option<String>,
    /// Output columns of the breakdowns, in order.
    #[serde(default)]
    pub dimension_columns: Vec<String>,
    /// Key columns shown through a label column beside them (`contact_id` next to `full_name`).
    #[serde(default)]
    pub id_columns: Vec<String>,
    /// An output column counting rows whose amount has no exchange rate: not part of the answer. The app
    /// fails the answer when it is not zero and removes it before showing the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_rate_column: Option<String>,
    /// In "this month vs last month" while this month runs: the first measure over the same days of both
    /// periods, so that the summary compares like with like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_days_column: Option<String>,
    /// "Share of revenue by channel": each row's fraction (0 to 1) of the whole measure, over every row of
    /// the answer before a top-N cut (within each period of a series). Shown as a percentage, not charted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_column: Option<String>,
    /// When the companies asked about report money in different currencies: the output column naming each
    /// row's reporting currency. Money is then per currency (never added across them) and its columns carry
    /// no single currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_column: Option<String>,
}

/// What the engine understood of a question it cannot answer, what it did not, and what to ask instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotUnderstood {
    /// For the analyst, in the question's language: what was understood, what was not, and up to three
    /// questions to try.
    pub message: String,
    /// The parts that were understood (metrics, breakdowns, period), as labels in the question's language.
    pub understood: Vec<String>,
    /// Example questions of the model that fit what was understood, best first; at most five.
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
        let suggestions = fitting_suggestions(model, lang, &understood);
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

/// The model's example questions that share most words with what was understood ("revenue by age" offers
/// revenue questions first), five at most.
fn fitting_suggestions(model: &SemanticModel, lang: Lang, understood: &[String]) -> Vec<String> {
    let words: std::collections::HashSet<String> =
        understood.iter().flat_map(|u| normalize::tokens(u)).filter(|w| w.chars().count() > 2).collect();
    let mut ranked: Vec<(usize, String)> = model
        .suggestions(lang)
        .into_iter()
        .map(|q| (normalize::tokens(&q).iter().filter(|t| words.contains(*t)).count(), q))
        .collect();
    // Stable: equally fitting examples keep the model's order.
    ranked.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    ranked.into_iter().map(|(_, q)| q).take(5).collect()
}
