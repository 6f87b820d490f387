//! Claude through the Anthropic Messages API. The answer comes back as the input of a forced tool call,
//! so its shape is checked by the API before it reaches the app; streaming follows the tool input as it is
//! written and hands the explanation to the UI early.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use inda_core::Secret;
use serde_json::{Value, json};

use crate::answer::{answer_schema, parse_answer_text, parse_answer_value};
use crate::error::{ErrorKind, ProviderError, truncate_message};
use crate::generation::{Answer, ExplanationSink, Generation, GenerationRequest, Usage};
use crate::http::{classify_status, client, env_base_url, is_json, resolve_base_url, transport_error};
use crate::pricing::PriceTable;
use crate::provider::Provider;
use crate::stream::{ExplanationStreamer, SseDecoder};

const NAME: &str = "anthropic";
/// The Claude model asked when `[ask.anthropic] model` is not set.
pub const ANTHROPIC_DEFAULT_MODEL: &str = "claude-sonnet-4-5";
/// The public endpoint (without `/v1`), used when neither the config nor `ANTHROPIC_BASE_URL` names another.
pub const ANTHROPIC_DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The `anthropic-version` header of every request: the API version whose request and event shapes this
/// client reads.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The one tool the model is made to call; its input is the answer.
pub const ANSWER_TOOL: &str = "answer_with_sql";

/// How to reach Claude: key, model, endpoint, limits and prices.
/// [`AskConfig::anthropic_config`](crate::AskConfig::anthropic_config) builds it from the app's config.
#[derive(Debug, Clone)]
pub struct AnthropicConfig {
    /// The Anthropic API key, sent as `x-api-key` and scrubbed from every error message.
    pub api_key: Secret,
    /// The model to ask (`claude-sonnet-4-5`); the cost is priced by the model name the reply reports.
    pub model: String,
    /// Without `/v1`, like the SDKs' `ANTHROPIC_BASE_URL`.
    pub base_url: String,
    /// Most tokens the model may write per answer (default 1024).
    pub max_tokens: u32,
    /// Sampling temperature (default 0, for repeatable SQL); `None` leaves it to the API's default.
    pub temperature: Option<f32>,
    /// Longest wait for one HTTP request, streamed body included (connecting gets at most 10 s of it).
    pub timeout: Duration,
    /// Prices each answer's token usage, in USD.
    pub prices: PriceTable,
}

impl AnthropicConfig {
    /// Defaults for everything but the key; the base URL honours `ANTHROPIC_BASE_URL`.
    pub fn new(api_key: Secret) -> Self {
        AnthropicConfig {
            api_key,
            model: ANTHROPIC_DEFAULT_MODEL.to_string(),
            base_url: resolve_base_url(None, env_base_url("ANTHROPIC_BASE_URL"), ANTHROPIC_DEFAULT_BASE_URL),
            max_tokens: 1024,
            temperature: Some(0.0),
            timeout: Duration::from_secs(60),
            prices: PriceTable::default(),
        }
    }
}

/// The [`Provider`] for Claude through the Anthropic Messages API.
#[derive(Debug)]
pub struct AnthropicProvider {
    config: AnthropicConfig,
    http: reqwest::Client,
}

impl AnthropicProvider {
    /// A provider with its own HTTP client; fails (as `Network`) only when the client cannot be built.
    pub fn new(config: AnthropicConfig) -> Result<Self, ProviderError> {
        let http = client(config.timeout)?;
        Ok(AnthropicProvider { config, http })
    }

    /// The Messages API body for `req`.
    pub fn request_body(&self, req: &GenerationRequest, stream: bool) -> Value {
        let messages: Vec<Value> =
            req.turns.iter().map(|t| json!({"role": t.role.as_str(), "content": t.content})).collect();
        let mut body = json!({
            "model": self.config.model,
            "max_tokens": self.config.max_tokens,
            "system": req.system,
            "messages": messages,
            "tools": [{
                "name": ANSWER_TOOL,
                "description": "Answer the analyst's question with one SQL query, a chart choice and a \
                                one-sentence explanation.",
                "input_schema": answer_schema(),
            }],
            "tool_choice": {"type": "tool", "name": ANSWER_TOOL},
        });
        if let Some(t) = self.config.temperature {
            body["temperature"] = json!(t);
        }
        if stream {
            body["stream"] = json!(true);
        }
        body
    }

    async fn send(&self, req: &GenerationRequest, stream: bool) -> Result<reqwest::Response, ProviderError> {
        let url = format!("{}/v1/messages", self.config.base_url);
        let response = self
            .http
            .post(url)
            .header("x-api-key", self.config.api_key.expose())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("content-type", "application/json")
            .header("accept", if stream { "text/event-stream" } else { "application/json" })
            .json(&self.request_body(req, stream))
            .send()
            .await
            .map_err(|e| transport_error(NAME, &e, Some(&self.config.api_key)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let kind = classify_status(status, response.headers());
        let body = response.text().await.unwrap_or_default();
        Err(ProviderError::new(NAME, kind, error_message(&body)).scrubbed(Some(&self.config.api_key)))
    }

    fn finish(&self, answer: Answer, model: String, usage: Usage) -> Generation {
        let cost_usd = self.config.prices.cost(&model, usage);
        Generation { answer, provider: NAME.into(), model, usage, usage_estimated: false, cost_usd }
    }

    async fn generate_once(&self, req: &GenerationRequest) -> Result<Generation, ProviderError> {
        let response = self.send(req, false).await?;
        self.read_whole(response).await
    }

    /// Reads a complete (non-streamed) reply.
    async fn read_whole(&self, response: reqwest::Response) -> Result<Generation, ProviderError> {
        let body: Value = response
            .json()
            .await
            .map_err(|e| ProviderError::bad_output(NAME, format!("the reply is not JSON: {e}")))?;
        let content = body["content"].as_array().cloned().unwrap_or_default();
        let tool_input = content
            .iter()
            .find(|b| b["type"] == "tool_use" && b["name"] == ANSWER_TOOL)
            .map(|b| b["input"].clone());
        let answer = match tool_input {
            Some(input) => parse_answer_value(&input),
            None => {
                let text: String = content.iter().filter_map(|b| b["text"].as_str()).collect();
                parse_answer_text(&text)
            }
        };
        let answer = answer.map_err(|e| ProviderError::bad_output(NAME, e))?;
        let usage = Usage {
            input_tokens: body["usage"]["input_tokens"].as_u64().unwrap_or(0),
            output_tokens: body["usage"]["output_tokens"].as_u64().unwrap_or(0),
        };
        let model = body["model"].as_str().unwrap_or(&self.config.model).to_string();
        Ok(self.finish(answer, model, usage))
    }

    async fn generate_stream(
        &self,
        req: &GenerationRequest,
        sink: &dyn ExplanationSink,
    ) -> Result<Generation, ProviderError> {
        let response = self.send(req, true).await?;
        if is_json(&response) {
            // Gateways and some local servers ignore `stream: true` and answer in one piece.
            let generation = self.read_whole(response).await?;
            sink.text(&generation.answer.explanation);
            return Ok(generation);
        }
        let mut state = StreamState { model: self.config.model.clone(), ..StreamState::default() };
        let mut decoder = SseDecoder::new();
        let mut bytes = response.bytes_stream();
        while let Some(chunk) = bytes.next().await {
            let chunk = chunk.map_err(|e| transport_error(NAME, &e, Some(&self.config.api_key)))?;
            for event in decoder.push(&chunk) {
                state.apply(&event.data, sink).map_err(|e| e.scrubbed(Some(&self.config.api_key)))?;
            }
            if state.stopped {
                break;
            }
        }
        if !state.stopped
            && let Some(event) = decoder.finish()
        {
            state.apply(&event.data, sink).map_err(|e| e.scrubbed(Some(&self.config.api_key)))?;
        }
        if !state.stopped {
            return Err(ProviderError::new(NAME, ErrorKind::Network, "the stream ended before message_stop"));
        }
        let answer = if state.tool_seen {
            serde_json::from_str::<Value>(&state.tool_json)
                .map_err(|e| format!("the tool input is not JSON: {e}"))
                .and_then(|v| parse_answer_value(&v))
        } else {
            parse_answer_text(&state.text)
        };
        let answer = answer.map_err(|e| ProviderError::bad_output(NAME, e))?;
        Ok(self.finish(answer, state.model, state.usage))
    }
}

impl Provider for AnthropicProvider {
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

/// What the Messages API event stream has said so far.
#[derive(Default)]
struct StreamState {
    model: String,
    usage: Usage,
    tool_index: Option<u64>,
    tool_seen: bool,
    tool_json: String,
    text: String,
    tool_explanation: ExplanationStreamer,
    text_explanation: ExplanationStreamer,
    stopped: bool,
}

impl StreamState {
    fn apply(&mut self, data: &str, sink: &dyn ExplanationSink) -> Result<(), ProviderError> {
        let event: Value = serde_json::from_str(data)
            .map_err(|e| ProviderError::bad_output(NAME, format!("a stream event is not JSON: {e}")))?;
        match event["type"].as_str().unwrap_or_default() {
            "message_start" => {
                let message = &event["message"];
                if let Some(model) = message["model"].as_str() {
                    self.model = model.to_string();
                }
                self.read_usage(&message["usage"]);
            }
            "content_block_start" => {
                let block = &event["content_block"];
                if block["type"] == "tool_use" && block["name"] == ANSWER_TOOL {
                    self.tool_index = event["index"].as_u64();
                    self.tool_seen = true;
                }
            }
            "content_block_delta" => {
                let delta = &event["delta"];
                match delta["type"].as_str().unwrap_or_default() {
                    "input_json_delta" if event["index"].as_u64() == self.tool_index => {
                        let part = delta["partial_json"].as_str().unwrap_or_default();
                        self.tool_json.push_str(part);
                        emit(sink, self.tool_explanation.push(part));
                    }
                    "text_delta" => {
                        let part = delta["text"].as_str().unwrap_or_default();
                        self.text.push_str(part);
                        emit(sink, self.text_explanation.push(part));
                    }
                    _ => {}
                }
            }
            "message_delta" => self.read_usage(&event["usage"]),
            "message_stop" => self.stopped = true,
            "error" => {
                let kind = error_kind_of_type(event["error"]["type"].as_str().unwrap_or_default());
                return Err(ProviderError::new(NAME, kind, error_message(data)));
            }
            // `ping`, `content_block_stop` and event types added later carry nothing the answer needs.
            _ => {}
        }
        Ok(())
    }

    /// Counts in `message_delta` are cumulative, so the latest value wins.
    fn read_usage(&mut self, usage: &Value) {
        if let Some(n) = usage["input_tokens"].as_u64() {
            self.usage.input_tokens = n;
        }
        if let Some(n) = usage["output_tokens"].as_u64() {
            self.usage.output_tokens = n;
        }
    }
}

fn emit(sink: &dyn ExplanationSink, text: String) {
    if !text.is_empty() {
        sink.text(&text);
    }
}

/// The kind of an error delivered inside a 200 stream, where there is no status to go by.
fn error_kind_of_type(error_type: &str) -> ErrorKind {
    match error_type {
        "rate_limit_error" => ErrorKind::RateLimited { retry_after: None },
        "overloaded_error" => ErrorKind::Server { status: 529 },
        "api_error" => ErrorKind::Server { status: 500 },
        "timeout_error" => ErrorKind::Timeout,
        "authentication_error" => ErrorKind::Auth { status: 401 },
        "permission_error" => ErrorKind::Auth { status: 403 },
        _ => ErrorKind::BadRequest { status: 400 },
    }
}

/// `type: message` from `{"type":"error","error":{"type":…,"message":…}}`, else the body itself.
fn error_message(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["error"].is_object() => {
            let kind = v["error"]["type"].as_str().unwrap_or("error");
            let message = v["error"]["message"].as_str().unwrap_or_default();
            truncate_message(&format!("{kind}: {message}"))
        }
        _ => truncate_message(body),
    }
}
