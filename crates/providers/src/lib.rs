//! Language models as question engines for inDigital Analytics: Claude (Anthropic Messages API), Snowflake
//! Cortex (`SNOWFLAKE.CORTEX.COMPLETE`, run by the warehouse through [`CortexRunner`]) and any
//! OpenAI-compatible chat-completions server (OpenAI, Ollama, llama.cpp, vLLM), behind one [`Provider`]
//! trait that returns SQL, a chart choice and a one-line explanation with token counts and estimated cost.
//!
//! It is for: building the prompt from the semantic model and the conversation ([`build_request`]),
//! speaking each provider's wire format (streaming the explanation included), classifying failures
//! ([`ProviderError`]), trying providers in order ([`Router`]), asking once more after a failed SQL
//! ([`repair_request`]), pricing attempts ([`PriceTable`]) and checking a monthly budget ([`check_budget`]).
//!
//! It is not for: tenant scope (the SQL a model writes is never trusted; the app runs it through the guard,
//! which is the only authority on tenant scope), running SQL, the offline engine, storing keys (callers
//! pass them in as [`inda_core::Secret`]s) or auditing (the router returns every attempt for the app to
//! record).

#![warn(missing_docs)]

mod answer;
mod anthropic;
mod budget;
mod config;
mod cortex;
mod error;
mod generation;
mod http;
mod openai;
mod pricing;
mod prompt;
mod provider;
mod repair;
mod router;
mod stream;

pub use answer::{CHART_KINDS, answer_schema, extract_json, parse_answer_text, parse_answer_value};
pub use anthropic::{
    ANSWER_TOOL, ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_DEFAULT_MODEL, ANTHROPIC_VERSION, AnthropicConfig,
    AnthropicProvider,
};
pub use budget::{BudgetDecision, check_budget, month_start};
pub use config::{AskConfig, CortexSettings, EndpointConfig, OpenAiEndpointConfig, ProviderKind};
pub use cortex::{
    CORTEX_COMPLETE_SQL, CORTEX_DEFAULT_MODEL, CortexCompletion, CortexConfig, CortexProvider, CortexRequest,
    CortexRunner, parse_completion,
};
pub use error::{ErrorKind, ProviderError, scrub};
pub use generation::{Answer, ExplanationSink, Generation, GenerationRequest, NoSink, Role, Turn, Usage};
pub use http::{classify_status, env_api_key, env_base_url, resolve_base_url, retry_after};
pub use openai::{OPENAI_DEFAULT_BASE_URL, OPENAI_DEFAULT_MODEL, OpenAiCompatibleProvider, OpenAiConfig};
pub use pricing::{Price, PriceTable};
pub use prompt::{PriorQuestion, PromptInput, build_request};
pub use provider::Provider;
pub use repair::repair_request;
pub use router::{Attempt, AttemptOutcome, RouteFailure, RoutePolicy, Routed, Router};
pub use stream::{ExplanationStreamer, SseDecoder, SseEvent};
