//! The `[ask]` section of the app's config: which providers to try and in what order, their models and
//! endpoints, timeouts, budget and prices. Keys are not here: they live in the OS keyring or the
//! ecosystem's environment variables, never in a config file.

use std::time::Duration;

use inda_core::Secret;
use serde::{Deserialize, Serialize};

use crate::anthropic::AnthropicConfig;
use crate::cortex::CortexConfig;
use crate::http::{env_base_url, resolve_base_url};
use crate::openai::OpenAiConfig;
use crate::pricing::PriceTable;
use crate::router::RoutePolicy;
use crate::{ANTHROPIC_DEFAULT_BASE_URL, OPENAI_DEFAULT_BASE_URL};

/// A provider the `providers` list of `[ask]` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Claude through the Anthropic API (needs an API key).
    Anthropic,
    /// Snowflake Cortex, through the configured Snowflake warehouse.
    Cortex,
    /// Any OpenAI-compatible chat-completions server: OpenAI's own, or a local one.
    OpenAi,
}

impl ProviderKind {
    /// The name `--provider` and the audit log use.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Cortex => "cortex",
            ProviderKind::OpenAi => "openai",
        }
    }
}

/// The `[ask]` section: which language models answer what the offline engine does not, and within what
/// limits. Every field has a default; an empty section means offline only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AskConfig {
    /// Tried in this order when the offline engine does not understand a question. Empty: offline only.
    pub providers: Vec<ProviderKind>,
    /// Longest wait for one provider's answer, in seconds (default 60; 0 counts as 1).
    pub timeout_seconds: u64,
    /// A 429 asking to wait at most this long is waited out once; a longer one moves on to the next provider.
    pub max_retry_wait_seconds: u64,
    /// Per tenant and calendar month; absent means no limit.
    pub monthly_budget_usd: Option<f64>,
    /// How many of the semantic model's verified example questions go into the prompt (default 8).
    pub max_examples: usize,
    /// `[ask.anthropic]`: Claude's model, endpoint and token limit.
    pub anthropic: EndpointConfig,
    /// `[ask.openai]`: the OpenAI-compatible server's model, endpoint, token limit and JSON mode.
    pub openai: OpenAiEndpointConfig,
    /// `[ask.cortex]`: the Cortex model.
    pub cortex: CortexSettings,
    /// Laid over the built-in price list (USD per million tokens).
    pub prices: PriceTable,
}

impl Default for AskConfig {
    fn default() -> Self {
        AskConfig {
            providers: Vec::new(),
            timeout_seconds: 60,
            max_retry_wait_seconds: 5,
            monthly_budget_usd: None,
            max_examples: 8,
            anthropic: EndpointConfig::default(),
            openai: OpenAiEndpointConfig::default(),
            cortex: CortexSettings::default(),
            prices: PriceTable::empty(),
        }
    }
}

/// Where an HTTP provider is and what to ask it; a field left unset keeps the provider's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointConfig {
    /// The model to ask; `None`: the provider's default
    /// ([`ANTHROPIC_DEFAULT_MODEL`](crate::ANTHROPIC_DEFAULT_MODEL),
    /// [`OPENAI_DEFAULT_MODEL`](crate::OPENAI_DEFAULT_MODEL)).
    pub model: Option<String>,
    /// Else the ecosystem's environment variable, else the public endpoint.
    pub base_url: Option<String>,
    /// Most tokens the model may write per answer; `None`: 1024.
    pub max_tokens: Option<u32>,
}

/// `[ask.openai]`: an endpoint, plus what OpenAI-compatible servers differ in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenAiEndpointConfig {
    /// Model, base URL and token limit, written directly in the section.
    #[serde(flatten)]
    pub endpoint: EndpointConfig,
    /// Whether to ask for `response_format: json_object`; some local servers reject it.
    pub json_mode: Option<bool>,
}

/// `[ask.cortex]`. Cortex runs through the warehouse connection, so it has no endpoint or key of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CortexSettings {
    /// The Cortex model; `None`: [`CORTEX_DEFAULT_MODEL`](crate::CORTEX_DEFAULT_MODEL).
    pub model: Option<String>,
}

impl AskConfig {
    /// `timeout_seconds` as a duration, at least one second.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.max(1))
    }

    /// The router's per-provider timeout and longest rate-limit wait, from this section.
    pub fn route_policy(&self) -> RoutePolicy {
        RoutePolicy {
            timeout: self.timeout(),
            max_retry_wait: Duration::from_secs(self.max_retry_wait_seconds),
        }
    }

    fn prices(&self) -> PriceTable {
        PriceTable::default().merged(&self.prices)
    }

    /// Claude's settings from this section, with `api_key`. The base URL is the section's, else
    /// `ANTHROPIC_BASE_URL`, else the public endpoint.
    pub fn anthropic_config(&self, api_key: Secret) -> AnthropicConfig {
        let mut c = AnthropicConfig::new(api_key);
        let e = &self.anthropic;
        c.base_url = resolve_base_url(
            e.base_url.as_deref(),
            env_base_url("ANTHROPIC_BASE_URL"),
            ANTHROPIC_DEFAULT_BASE_URL,
        );
        if let Some(m) = &e.model {
            c.model = m.clone();
        }
        if let Some(n) = e.max_tokens {
            c.max_tokens = n;
        }
        c.timeout = self.timeout();
        c.prices = self.prices();
        c
    }

    /// The OpenAI-compatible server's settings from this section; `api_key` is optional (local servers take
    /// none). The base URL is the section's, else `OPENAI_BASE_URL`, else OpenAI's.
    pub fn openai_config(&self, api_key: Option<Secret>) -> OpenAiConfig {
        let mut c = OpenAiConfig::new(api_key);
        let e = &self.openai.endpoint;
        c.base_url =
            resolve_base_url(e.base_url.as_deref(), env_base_url("OPENAI_BASE_URL"), OPENAI_DEFAULT_BASE_URL);
        if let Some(m) = &e.model {
            c.model = m.clone();
        }
        if let Some(n) = e.max_tokens {
            c.max_tokens = n;
        }
        if let Some(j) = self.openai.json_mode {
            c.json_mode = j;
        }
        c.timeout = self.timeout();
        c.prices = self.prices();
        c
    }

    /// Cortex's settings from this section, priced with the built-in list and the section's `prices`.
    pub fn cortex_config(&self) -> CortexConfig {
        let mut c = CortexConfig { prices: self.prices(), ..CortexConfig::default() };
        if let Some(m) = &self.cortex.model {
            c.model = m.clone();
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ask_section() {
        let text = r#"
            providers = ["anthropic", "openai"]
            timeout_seconds = 20
            monthly_budget_usd = 25.0
            [anthropic]
            model = "claude-haiku-4-5"
            [openai]
            model = "llama3.1:8b"
            base_url = "http://localhost:11434/v1/"
            json_mode = false
            [prices."llama3.1:8b"]
            input_per_million = 0.0
            output_per_million = 0.0
        "#;
        let config: AskConfig = toml::from_str(text).expect("config");
        assert_eq!(config.providers, vec![ProviderKind::Anthropic, ProviderKind::OpenAi]);
        let anthropic = config.anthropic_config(Secret::new("k".into()));
        assert_eq!(anthropic.model, "claude-haiku-4-5");
        assert_eq!(anthropic.timeout, Duration::from_secs(20));
        let openai = config.openai_config(None);
        assert_eq!(openai.base_url, "http://localhost:11434/v1");
        assert!(!openai.json_mode);
        assert_eq!(config.route_policy().max_retry_wait, Duration::from_secs(5));
    }
}
