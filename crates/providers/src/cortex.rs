//! Snowflake Cortex (`SNOWFLAKE.CORTEX.COMPLETE`) through the warehouse connection. This crate does not
//! depend on the warehouse: it builds the statement and reads the completion, and the warehouse side runs
//! the statement through a [`CortexRunner`].
//!
//! The model name and the prompt are bind parameters, never spliced into the SQL text: the prompt holds
//! the analyst's own words, and splicing them would be SQL injection into the warehouse session.

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::answer::parse_answer_text;
use crate::error::ProviderError;
use crate::generation::{Answer, Generation, GenerationRequest, Usage};
use crate::openai::estimate_usage;
use crate::pricing::PriceTable;
use crate::provider::Provider;

const NAME: &str = "cortex";
/// The Cortex model asked when `[ask.cortex] model` is not set.
pub const CORTEX_DEFAULT_MODEL: &str = "mistral-large2";
/// The only statement this provider runs; both values arrive as positional binds.
pub const CORTEX_COMPLETE_SQL: &str = "SELECT SNOWFLAKE.CORTEX.COMPLETE(?, ?)";

/// One parameterised `COMPLETE` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CortexRequest {
    /// The Cortex model name: the first bind.
    pub model: String,
    /// The whole conversation flattened into one text ([`GenerationRequest::as_single_prompt`]): the second
    /// bind.
    pub prompt: String,
}

impl CortexRequest {
    /// COMPLETE's simple form takes one prompt string, so the conversation is flattened into it.
    pub fn new(model: impl Into<String>, req: &GenerationRequest) -> Self {
        CortexRequest { model: model.into(), prompt: req.as_single_prompt() }
    }

    /// The statement to run: always [`CORTEX_COMPLETE_SQL`].
    pub fn sql(&self) -> &'static str {
        CORTEX_COMPLETE_SQL
    }

    /// The positional binds for [`CortexRequest::sql`]: the model, then the prompt.
    pub fn binds(&self) -> [&str; 2] {
        [&self.model, &self.prompt]
    }
}

/// Runs one parameterised statement on the warehouse connection and returns the single string it selects.
/// The warehouse implements it and classifies its own failures into [`ProviderError`]s (a Cortex 429 as
/// `RateLimited`, a lost connection as `Network`, …) so that the router can fall back.
pub trait CortexRunner: Send + Sync {
    /// Runs `sql` with `binds` as positional parameters and returns the one string it selects.
    fn query_string<'a>(
        &'a self,
        sql: &'a str,
        binds: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, ProviderError>>;
}

/// What to ask Cortex and how to price it. [`AskConfig::cortex_config`](crate::AskConfig::cortex_config)
/// builds it from the app's config.
#[derive(Debug, Clone)]
pub struct CortexConfig {
    /// The Cortex model (`mistral-large2` by default).
    pub model: String,
    /// Prices each answer's token usage; Cortex models cost 0 unless the config prices them (credits depend
    /// on the contract).
    pub prices: PriceTable,
}

impl Default for CortexConfig {
    fn default() -> Self {
        CortexConfig { model: CORTEX_DEFAULT_MODEL.to_string(), prices: PriceTable::default() }
    }
}

/// The [`Provider`] for Snowflake Cortex: each call is one `COMPLETE` statement run through `R` (the
/// warehouse connection).
pub struct CortexProvider<R: CortexRunner> {
    runner: R,
    config: CortexConfig,
}

impl<R: CortexRunner> CortexProvider<R> {
    /// A provider that runs its calls through `runner`.
    pub fn new(runner: R, config: CortexConfig) -> Self {
        CortexProvider { runner, config }
    }

    async fn generate_once(&self, req: &GenerationRequest) -> Result<Generation, ProviderError> {
        let call = CortexRequest::new(&self.config.model, req);
        let text = self.runner.query_string(call.sql(), &call.binds()).await?;
        let completion = parse_completion(&text).map_err(|e| ProviderError::bad_output(NAME, e))?;
        let model = completion.model.unwrap_or_else(|| self.config.model.clone());
        let (usage, usage_estimated) = match completion.usage {
            Some(u) => (u, false),
            None => (estimate_usage(req, &text), true),
        };
        let cost_usd = self.config.prices.cost(&model, usage);
        Ok(Generation {
            answer: completion.answer,
            provider: NAME.into(),
            model,
            usage,
            usage_estimated,
            cost_usd,
        })
    }
}

impl<R: CortexRunner> Provider for CortexProvider<R> {
    fn name(&self) -> &str {
        NAME
    }
    fn model(&self) -> &str {
        &self.config.model
    }
    fn generate<'a>(
        &'a self,
        req: &'a GenerationRequest,
    ) -> BoxFuture<'a, Result<Generation, ProviderError>> {
        Box::pin(self.generate_once(req))
    }
}

/// What a `COMPLETE` call returned.
#[derive(Debug, Clone, PartialEq)]
pub struct CortexCompletion {
    /// The SQL, chart and explanation read from the completion text.
    pub answer: Answer,
    /// Only the JSON form (options given) reports the model and the usage.
    pub model: Option<String>,
    /// Token counts as Cortex reported them; `None` for the two-argument form (the usage is then estimated
    /// from text length).
    pub usage: Option<Usage>,
}

/// Reads `COMPLETE`'s result: the completion text itself (the two-argument form), or the JSON document
/// `{"choices":[{"messages":…}],"model":…,"usage":{…}}` that the form with options returns.
pub fn parse_completion(text: &str) -> Result<CortexCompletion, String> {
    if let Ok(doc @ Value::Object(_)) = serde_json::from_str::<Value>(text.trim())
        && doc.get("choices").is_some()
    {
        let choice = &doc["choices"][0];
        let inner = choice["messages"].as_str().or_else(|| choice["message"].as_str()).unwrap_or_default();
        let usage = doc["usage"]["prompt_tokens"].as_u64().map(|input| Usage {
            input_tokens: input,
            output_tokens: doc["usage"]["completion_tokens"].as_u64().unwrap_or(0),
        });
        return Ok(CortexCompletion {
            answer: parse_answer_text(inner)?,
            model: doc["model"].as_str().map(str::to_string),
            usage,
        });
    }
    Ok(CortexCompletion { answer: parse_answer_text(text)?, model: None, usage: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::generation::Turn;
    use inda_core::ChartKind;
    use std::sync::Mutex;

    /// Records what it was asked to run and answers with a canned string.
    struct StubRunner {
        reply: Result<String, ProviderError>,
        seen: Mutex<Vec<(String, Vec<String>)>>,
    }

    impl CortexRunner for StubRunner {
        fn query_string<'a>(
            &'a self,
            sql: &'a str,
            binds: &'a [&'a str],
        ) -> BoxFuture<'a, Result<String, ProviderError>> {
            self.seen
                .lock()
                .expect("lock")
                .push((sql.to_string(), binds.iter().map(|b| b.to_string()).collect()));
            let reply = self.reply.clone();
            Box::pin(async move { reply })
        }
    }

    fn request(question: &str) -> GenerationRequest {
        GenerationRequest::new("You write SQL. Answer in JSON.", vec![Turn::user(question)])
    }

    #[tokio::test]
    async fn prompt_and_model_are_binds_not_sql_text() {
        let hostile = "revenue'); DROP TABLE marts.dim_contacts; --";
        let runner = StubRunner {
            reply: Ok(
                "```json\n{\"sql\":\"SELECT 1\",\"chart\":\"kpi\",\"explanation\":\"One.\"}\n```".into()
            ),
            seen: Mutex::new(vec![]),
        };
        let provider = CortexProvider::new(runner, CortexConfig::default());
        let generation = provider.generate(&request(hostile)).await.expect("generation");
        assert_eq!(generation.answer.sql, "SELECT 1");
        assert_eq!(generation.answer.chart, ChartKind::Kpi);
        assert_eq!(generation.provider, "cortex");
        assert!(generation.usage_estimated);
        let seen = provider.runner.seen.lock().expect("lock");
        let (sql, binds) = &seen[0];
        assert_eq!(sql, "SELECT SNOWFLAKE.CORTEX.COMPLETE(?, ?)");
        assert!(!sql.contains("DROP"));
        assert_eq!(binds[0], CORTEX_DEFAULT_MODEL);
        assert!(binds[1].contains(hostile));
    }

    #[tokio::test]
    async fn json_form_reports_model_and_usage() {
        let inner = r#"{"sql": "SELECT COUNT(*) FROM marts.dim_contacts", "chart": "kpi", "explanation": "Counts contacts."}"#;
        let doc = serde_json::json!({
            "choices": [{"messages": inner}],
            "created": 1_717_000_000,
            "model": "llama3.1-70b",
            "usage": {"completion_tokens": 20, "prompt_tokens": 400, "total_tokens": 420}
        });
        let runner = StubRunner { reply: Ok(doc.to_string()), seen: Mutex::new(vec![]) };
        let generation =
            CortexProvider::new(runner, CortexConfig::default()).generate(&request("q")).await.expect("ok");
        assert_eq!(generation.model, "llama3.1-70b");
        assert_eq!(generation.usage, Usage { input_tokens: 400, output_tokens: 20 });
        assert!(!generation.usage_estimated);
    }

    #[tokio::test]
    async fn runner_errors_and_bad_completions_surface_classified() {
        let limited = ProviderError::new("cortex", ErrorKind::RateLimited { retry_after: None }, "busy");
        let runner = StubRunner { reply: Err(limited.clone()), seen: Mutex::new(vec![]) };
        let err = CortexProvider::new(runner, CortexConfig::default()).generate(&request("q")).await;
        assert_eq!(err.expect_err("fails"), limited);

        let runner = StubRunner { reply: Ok("I don't know.".into()), seen: Mutex::new(vec![]) };
        let err = CortexProvider::new(runner, CortexConfig::default()).generate(&request("q")).await;
        assert_eq!(err.expect_err("fails").kind, ErrorKind::BadOutput);
    }
}
