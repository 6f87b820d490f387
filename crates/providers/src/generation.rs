//! What a provider is asked and what it answers: the conversation to send, and the SQL, chart choice and
//! explanation that come back with the model's name, token counts and estimated cost.

use inda_core::ChartKind;
use serde::{Deserialize, Serialize};

/// Who said a turn of the conversation sent to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub role: Role,
    pub content: String,
}

impl Turn {
    pub fn user(content: impl Into<String>) -> Self {
        Turn { role: Role::User, content: content.into() }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Turn { role: Role::Assistant, content: content.into() }
    }
}

/// One request to a language model: the system instructions and the turns, alternating and ending with
/// the user's. Every provider speaks this; each maps it onto its own wire format.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    pub system: String,
    pub turns: Vec<Turn>,
    /// Whether this request already asks the model to repair its own SQL; the app repairs only once.
    pub is_repair: bool,
}

impl GenerationRequest {
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
    pub sql: String,
    pub chart: ChartKind,
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// An answer with what it took to get it, for the audit log and the budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generation {
    pub answer: Answer,
    /// The provider's short name (`anthropic`, `openai`, `cortex`).
    pub provider: String,
    /// The model that answered, as the provider reports it.
    pub model: String,
    pub usage: Usage,
    /// Whether `usage` was counted by the provider or estimated here from text length.
    pub usage_estimated: bool,
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
