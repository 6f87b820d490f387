//! What a provider is asked and what it answers: the conversation to send, and the SQL, chart choice and
//! explanation that come back with the model's name, token counts and estimated cost.

use inda_core::ChartKind;
use serde::{Deserialize, Serialize};

/// Who said a turn of the conversation sent to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The analyst (or the app, asking on their behalf).
    User,
    /// The model.
    Assistant,
}

impl Role {
    /// The role's name on the wire (`user`, `assistant`), the same for every provider.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of the conversation sent to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// Who said it.
    pub role: Role,
    /// The text, as sent.
    pub content: String,
}

impl Turn {
    /// A message of the analyst.
    pub fn user(content: impl Into<String>) -> Self {
        Turn { role: Role::User, content: content.into() }
    }
    /// A message of the model (an earlier answer, quoted back for a repair).
    pub fn assistant(content: impl Into<String>) -> Self {
        Turn { role: Role::Assistant, content: content.into() }
    }
}

/// One request to a language model: the system instructions and the turns, alternating and ending with
/// the user's. Every provider speaks this; each maps it onto its own wire format.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    /// The instructions: the semantic model described, the rules, today's date and the answer's shape.
    pub system: String,
    /// The conversation, alternating and ending with the user's turn.
    pub turns: Vec<Turn>,
    /// Whether this request already asks the model to repair its own SQL; the app repairs only once.
    pub is_repair: bool,
}

impl GenerationRequest {
    /// A first request (not a repair).
    pub fn new(system: impl Into<String>, turns: Vec<Turn>) -> Self {
        GenerationRequest { system: system.into(), turns, is_repair: false }
    }

    /// The whole request as one text, for engines that take a single prompt string (Cortex).
    pub fn as_single_prompt(&self) -> String {
        let mut out = self.system.clone();
        for turn in &self.turns {
            out.push_str("\n\n");
            out.push_str(match turn.role {
                Role::User => "User: ",
                Role::Assistant => "Assistant: ",
            });
            out.push_str(&turn.content);
        }
        out.push_str("\n\nAssistant:");
        out
    }
}

/// The model's structured answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// One SELECT as the model wrote it. Untrusted: the guard checks it and scopes it to the tenant before it
    /// runs.
    pub sql: String,
    /// The chart the model chose for the result.
    pub chart: ChartKind,
    /// One sentence for the analyst, in their language, saying what the query computes.
    pub explanation: String,
}

/// Tokens one call took, as the provider counted them or as estimated here ([`Generation::usage_estimated`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens of the prompt: the system text and the turns.
    pub input_tokens: u64,
    /// Tokens the model wrote.
    pub output_tokens: u64,
}

/// An answer with what it took to get it, for the audit log and the budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generation {
    /// What the model answered.
    pub answer: Answer,
    /// The provider's short name (`anthropic`, `openai`, `cortex`).
    pub provider: String,
    /// The model that answered, as the provider reports it.
    pub model: String,
    /// Tokens the call took.
    pub usage: Usage,
    /// Whether `usage` was counted by the provider or estimated here from text length.
    pub usage_estimated: bool,
    /// Estimated cost of the call in US dollars, from the price table; 0 for a model without a price (a local
    /// one).
    pub cost_usd: f64,
}

/// Receives the explanation while the model writes it, so the UI can show it before the answer is complete.
pub trait ExplanationSink: Send + Sync {
    /// The next piece of explanation text.
    fn text(&self, delta: &str);
    /// The router moved to another provider: what was shown so far is void.
    fn restart(&self) {}
}

/// A sink that drops everything, for callers that do not stream.
pub struct NoSink;

impl ExplanationSink for NoSink {
    fn text(&self, _delta: &str) {}
}

impl<F: Fn(&str) + Send + Sync> ExplanationSink for F {
    fn text(&self, delta: &str) {
        self(delta)
    }
}
