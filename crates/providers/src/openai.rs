//! Any server that speaks OpenAI's chat completions: OpenAI itself, and the local servers (Ollama,
//! llama.cpp's server, vLLM) that keep a tenant's questions on the analyst's machine. Local servers differ in
//! what they support, so the answer is asked for as a JSON object and still read robustly from free text.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use inda_core::Secret;
use serde_json::{Value, json};

use crate::answer::parse_answer_text;
use crate::error::{ErrorKind, ProviderError, truncate_message};
use crate::generation::{Answer, ExplanationSink, Generation, GenerationRequest, Usage};
use crate::http::{classify_status, client, env_base_url, is_json, resolve_base_url, transport_error};
use crate::pricing::PriceTable;
use crate::provider::Provider;
use crate::stream::{ExplanationStreamer, SseDecoder};

const NAME: &str = "openai";
/// The model asked when `[ask.openai] model` is not set.
pub const OPENAI_DEFAULT_MODEL: &str = "gpt-4.1-mini";
/// OpenAI's public endpoint (with `/v1`), used when neither the config nor `OPENAI_BASE_URL` names another.
pub const OPENAI_DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// How to reach an OpenAI-compatible server: key, model, endpoint, limits and prices.
/// [`AskConfig::openai_config`](crate::AskConfig::openai_config) builds it from the app's config.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Optional: local servers take none.
    pub api_key: Option<Secret>,
    /// The model to ask, as the server names it (`gpt-4.1-mini`, `llama3.1:8b`).
    pub model: String,
    /// With the version path (`…/v1`), like the SDKs' `OPENAI_BASE_URL`.
    pub base_url: String,
    /// Most tokens the model may write per answer (default 1024).
    pub max_tokens: u32,
    /// Sampling temperature (default 0, for repeatable SQL); `None` leaves it to the server's default.
    pub temperature: Option<f32>,
    /// Sends `response_format: {"type": "json_object"}`; turn off for servers that reject it.
    pub json_mode: bool,
    /// Longest wait for one HTTP request, streamed body included (connecting gets at most 10 s of it).
    pub timeout: Duration,
    /// Prices each answer's token usage, in USD; a model without a price (a local one) costs 0.
    pub prices: PriceTable,
}

impl OpenAiConfig {
    /// Defaults for everything but the key; the base URL honours `OPENAI_BASE_URL`.
    pub fn new(api_key: Option<Secret>) -> Self {
        OpenAiConfig {
            api_key,
            model: OPENAI_DEFAULT_MODEL.to_string(),
            base_url: resolve_base_url(None, env_base_url("OPENAI_BASE_URL"), OPENAI_DEFAULT_BASE_URL),
            max_tokens: 1024,
            temperature: Some(0.0),
            json_mode: true,
            timeout: Duration::from_secs(60),
            prices: PriceTable::default(),
        }
    }
}

/// The [`Provider`] for any chat-completions server: OpenAI, Ollama, llama.cpp, vLLM.
#[derive(Debug)]
pub struct OpenAiCompatibleProvider {
    config: OpenAiConfig,
    http: reqwest::Client,
}

impl OpenAiCompatibleProvider {
    /// A provider with its own HTTP client; fails (as `Network`) only when the client cannot be built.
    pub fn new(config: OpenAiConfig) -> Result<Self, ProviderError> {
        let http = client(config.timeout)?;
        Ok(OpenAiCompatibleProvider { config, http })
    }

    /// The chat-completions body for `req`.
    pub fn request_body(&self, req: &GenerationRequest, stream: bool) -> Value {
        let mut messages = vec![json!({"role": "system", "content": req.system})];
        messages.extend(req.turns.iter().map(|t| json!({"role": t.role.as_str(), "content": t.content})));
        let mut body = json!({
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_tokens,
        });
        if let Some(t) = self.config.temperature {
            body["temperature"] = json!(t);
        }
        if self.config.json_mode {
            body["response_format"] = json!({"type": "json_object"});
        }
        if stream {
            body["stream"] = json!(true);
            body["stream_options"] = json!({"include_usage": true});
        }
        body
    }

    async fn send(&self, req: &GenerationRequest, stream: bool) -> Result<reqwest::Response, ProviderError> {
        let key = self.config.api_key.as_ref();
        let mut request = self
            .http
            .post(format!("{}/chat/completions", self.config.base_url))
            .header("content-type", "application/json")
            .json(&self.request_body(req, stream));
        if let Some(key) = key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|e| transport_error(NAME, &e, key))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let kind = classify_status(response.status().as_u16(), response.headers());
        let body = response.text().await.unwrap_or_default();
        Err(ProviderError::new(NAME, kind, error_message(&body)).scrubbed(key))
    }

    /// `text` is the model's whole reply, which the answer was read from.
    fn finish(
        &self,
        text: &str,
        model: String,
        usage: Option<Usage>,
        req: &GenerationRequest,
    ) -> Result<Generation, ProviderError> {
        let answer: Answer = parse_answer_text(text).map_err(|e| ProviderError::bad_output(NAME, e))?;
        let (usage, usage_estimated) = match usage {
            Some(u) => (u, false),
            None => (estimate_usage(req, text), true),
        };
        let cost_usd = self.config.prices.cost(&model, usage);
        Ok(Generation { answer, provider: NAME.into(), model, usage, usage_estimated, cost_usd })
    }

    async fn generate_once(&self, req: &GenerationRequest) -> Result<Generation, ProviderError> {
        let response = self.send(req, false).await?;
        self.read_whole(response, req).await
    }

    /// Reads a complete (non-streamed) reply.
    async fn read_whole(
        &self,
        response: reqwest::Response,
        req: &GenerationRequest,
    ) -> Result<Generation, ProviderError> {
        let body: Value = response
            .json()
            .await
            .map_err(|e| ProviderError::bad_output(NAME, format!("the reply is not JSON: {e}")))?;
        let text = body["choices"][0]["message"]["content"].as_str().unwrap_or_default().to_string();
        let model = body["model"].as_str().unwrap_or(&self.config.model).to_string();
        self.finish(&text, model, read_usage(&body["usage"]), req)
    }

    async fn generate_stream(
        &self,
        req: &GenerationRequest,
        sink: &dyn ExplanationSink,
    ) -> Result<Generation, ProviderError> {
        let key = self.config.api_key.as_ref();
        let response = self.send(req, true).await?;
        if is_json(&response) {
            // Gateways and some local servers ignore `stream: true` and answer in one piece.
            let generation = self.read_whole(response, req).await?;
            sink.text(&generation.answer.explanation);
            return Ok(generation);
        }
        let mut decoder = SseDecoder::new();
        let mut explanation = ExplanationStreamer::new();
        let mut text = String::new();
        let mut model = self.config.model.clone();
        let mut usage = None;
        let mut done = false;
        let mut bytes = response.bytes_stream();
        'read: while let Some(chunk) = bytes.next().await {
            let chunk = chunk.map_err(|e| transport_error(NAME, &e, key))?;
            for event in decoder.push(&chunk) {
                if event.data.trim() == "[DONE]" {
                    done = true;
                    break 'read;
                }
                let value: Value = serde_json::from_str(&event.data).map_err(|e| {
                    ProviderError::bad_output(NAME, format!("a stream chunk is not JSON: {e}"))
                })?;
                if !value["error"].is_null() {
                    return Err(ProviderError::new(
                        NAME,
                        stream_error_kind(&value["error"]),
                        error_message(&event.data),
                    )
                    .scrubbed(key));
                }
                if let Some(m) = value["model"].as_str() {
                    model = m.to_string();
                }
                if let Some(u) = read_usage(&value["usage"]) {
                    usage = Some(u);
                }
                if let Some(part) = value["choices"][0]["delta"]["content"].as_str() {
                    text.push_str(part);
                    let shown = explanation.push(part);
                    if !shown.is_empty() {
                        sink.text(&shown);
                    }
                }
            }
        }
        if !done && decoder.finish().is_none_or(|e| e.data.trim() != "[DONE]") {
            return Err(ProviderError::new(NAME, ErrorKind::Network, "the stream ended before [DONE]"));
        }
        self.finish(&text, model, usage, req)
    }
}

impl Provider for OpenAiCompatibleProvider {
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
    fn generate_streaming<'a>(
        &'a self,
        req: &'a GenerationRequest,
        sink: &'a dyn ExplanationSink,
    ) -> BoxFuture<'a, Result<Generation, ProviderError>> {
        Box::pin(self.generate_stream(req, sink))
    }
}

fn read_usage(usage: &Value) -> Option<Usage> {
    Some(Usage {
        input_tokens: usage["prompt_tokens"].as_u64()?,
        output_tokens: usage["completion_tokens"].as_u64().unwrap_or(0),
    })
}

/// About four characters a token: good enough for an audit line when a local server reports no usage.
pub(crate) fn estimate_usage(req: &GenerationRequest, output: &str) -> Usage {
    let input: usize = req.system.len() + req.turns.iter().map(|t| t.content.len()).sum::<usize>();
    Usage { input_tokens: input.div_ceil(4) as u64, output_tokens: output.len().div_ceil(4) as u64 }
}

/// An error sent inside a 200 stream: its numeric `code` when the server gives one, else a server error.
fn stream_error_kind(error: &Value) -> ErrorKind {
    let status = error["code"].as_u64().or_else(|| error["code"].as_str().and_then(|c| c.parse().ok()));
    match status {
        Some(s @ 400..=599) => classify_status(s as u16, &reqwest::header::HeaderMap::new()),
        _ => ErrorKind::Server { status: 500 },
    }
}

/// The `error.message` of `{"error": {...}}` or `{"error": "..."}`, else the body itself.
fn error_message(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["error"].is_object() => {
            let message = v["error"]["message"].as_str().unwrap_or_default();
            match v["error"]["type"].as_str().or_else(|| v["error"]["code"].as_str()) {
                Some(kind) => truncate_message(&format!("{kind}: {message}")),
                None => truncate_message(message),
            }
        }
        Ok(v) if v["error"].is_string() => truncate_message(v["error"].as_str().unwrap_or_default()),
        _ => truncate_message(body),
    }
}
