//! The providers against local servers that speak each API's wire format: the Anthropic Messages API
//! (tool use, server-sent events, error bodies, 429 with `retry-after`, slow answers) and OpenAI chat
//! completions (plain and streamed), plus the router's fallback order and the keys' secrecy.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use inda_core::{ChartKind, Secret};
use inda_providers::*;
use inda_semantic::{Lang, SemanticModel};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ANTHROPIC_KEY: &str = "test-anthropic-key-never-shown-0123";
const OPENAI_KEY: &str = "test-openai-key-never-shown-9876";

// ---------------------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 server: answers each connection with the next scripted reply and records the request.

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Value,
    raw_body: String,
}

#[derive(Clone)]
enum Reply {
    Body {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// `text/event-stream`, written in chunks with a pause between them, as a real stream arrives.
    Stream {
        chunks: Vec<String>,
        pause: Duration,
    },
    /// Waits before answering at all.
    Slow {
        delay: Duration,
        then: Box<Reply>,
    },
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply::Body { status, headers: vec![], body: body.to_string() }
    }
    fn with_header(self, name: &'static str, value: &str) -> Reply {
        match self {
            Reply::Body { status, mut headers, body } => {
                headers.push((name, value.to_string()));
                Reply::Body { status, headers, body }
            }
            other => other,
        }
    }
}

struct Server {
    base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
    fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected one request, got {}", requests.len());
        requests.into_iter().next().expect("one")
    }
}

/// Starts a server that gives `replies` in order (repeating the last one).
async fn setup(replies: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let queue = Arc::new(Mutex::new(VecDeque::from(replies)));
    let recorded = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let reply = {
                let mut q = queue.lock().expect("lock");
                if q.len() > 1 { q.pop_front() } else { q.front().cloned() }
            };
            let recorded = recorded.clone();
            tokio::spawn(async move {
                if let Some(reply) = reply {
                    let _ = serve(socket, reply, recorded).await;
                }
            });
        }
    });
    Server { base, requests }
}

async fn serve(mut socket: TcpStream, reply: Reply, log: Arc<Mutex<Vec<Recorded>>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let raw_body = String::from_utf8_lossy(&body).into_owned();
    let json_body = serde_json::from_str(&raw_body).unwrap_or(Value::Null);
    log.lock().expect("lock").push(Recorded { method, path, headers, body: json_body, raw_body });
    write_reply(&mut socket, reply).await
}

async fn write_reply(socket: &mut TcpStream, mut reply: Reply) -> std::io::Result<()> {
    while let Reply::Slow { delay, then } = reply {
        tokio::time::sleep(delay).await;
        reply = *then;
    }
    match reply {
        Reply::Body { status, headers, body } => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                reason(status),
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await?;
        }
        Reply::Stream { chunks, pause } => {
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n\
                      cache-control: no-cache\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                )
                .await?;
            for chunk in chunks {
                socket.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).await?;
                socket.flush().await?;
                tokio::time::sleep(pause).await;
            }
            socket.write_all(b"0\r\n\r\n").await?;
        }
        Reply::Slow { .. } => unreachable!("unwrapped above"),
    }
    socket.flush().await?;
    socket.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        529 => "Overloaded",
        _ => "Status",
    }
}

// ---------------------------------------------------------------------------------------------------------
// What the APIs send back.

const SQL: &str = "SELECT channel, SUM(amount) AS revenue FROM marts.fct_activities \
                   WHERE activity_type IN ('purchase','refund') GROUP BY channel ORDER BY revenue DESC";
const EXPLANATION: &str = "Net revenue by sales channel, largest first.";

fn answer_json() -> Value {
    json!({"sql": SQL, "chart": "bar", "explanation": EXPLANATION})
}

fn anthropic_tool_use() -> Value {
    json!({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{
            "type": "tool_use",
            "id": "toolu_01A09q90qw90lq917835lq9",
            "name": "answer_with_sql",
            "input": answer_json()
        }],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 2095, "output_tokens": 87}
    })
}

fn anthropic_error(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}})
}

fn sse(event: &str, data: Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// A Messages API stream as the API sends it, cut into network chunks that ignore event boundaries.
fn anthropic_stream() -> Vec<String> {
    rechunk(&anthropic_events())
}

fn rechunk(events: &[String]) -> Vec<String> {
    let chars: Vec<char> = events.concat().chars().collect();
    chars.chunks(57).map(|c| c.iter().collect()).collect()
}

/// The Messages API's events for a forced tool call; the tool input arrives as JSON fragments cut anywhere.
fn anthropic_events() -> Vec<String> {
    let input = answer_json().to_string();
    let mut chunks = vec![
        sse(
            "message_start",
            json!({"type": "message_start", "message": {
                "id": "msg_014p7gG3wDgGV9EUtLvnow3U", "type": "message", "role": "assistant",
                "model": "claude-sonnet-4-5-20250929", "content": [], "stop_reason": null,
                "stop_sequence": null, "usage": {"input_tokens": 2095, "output_tokens": 1}}}),
        ),
        sse(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "answer_with_sql",
                "input": {}}}),
        ),
        sse("ping", json!({"type": "ping"})),
    ];
    let chars: Vec<char> = input.chars().collect();
    for piece in chars.chunks(9) {
        let partial: String = piece.iter().collect();
        chunks.push(sse(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "input_json_delta", "partial_json": partial}}),
        ));
    }
    chunks.push(sse("content_block_stop", json!({"type": "content_block_stop", "index": 0})));
    chunks.push(sse(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
               "usage": {"output_tokens": 89}}),
    ));
    chunks.push(sse("message_stop", json!({"type": "message_stop"})));
    chunks
}

fn openai_completion(content: &str, usage: bool) -> Value {
    let mut body = json!({
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1_741_569_952,
        "model": "gpt-4.1-mini-2025-04-14",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": null},
            "logprobs": null,
            "finish_reason": "stop"
        }]
    });
    if usage {
        body["usage"] = json!({"prompt_tokens": 1800, "completion_tokens": 64, "total_tokens": 1864});
    }
    body
}

fn openai_stream(content: &str) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1_694_268_190,
                   "model": "llama3.1:8b", "system_fingerprint": "fp_ollama",
                   "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
        )
    };
    let mut out = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
    let chars: Vec<char> = content.chars().collect();
    for piece in chars.chunks(7) {
        out.push(chunk(json!({"content": piece.iter().collect::<String>()}), Value::Null));
    }
    out.push(chunk(json!({}), json!("stop")));
    out.push(format!(
        "data: {}\n\n",
        json!({"id": "chatcmpl-123", "object": "chat.completion.chunk", "created": 1_694_268_190,
               "model": "llama3.1:8b", "choices": [],
               "usage": {"prompt_tokens": 1500, "completion_tokens": 70, "total_tokens": 1570}})
    ));
    out.push("data: [DONE]\n\n".to_string());
    out
}

// ---------------------------------------------------------------------------------------------------------
// Providers pointed at the test servers.

fn anthropic(server: &Server, timeout: Duration) -> AnthropicProvider {
    let mut config = AnthropicConfig::new(Secret::new(ANTHROPIC_KEY.to_string()));
    config.base_url = server.base.clone();
    config.timeout = timeout;
    AnthropicProvider::new(config).expect("provider")
}

fn openai(server: &Server, key: Option<&str>) -> OpenAiCompatibleProvider {
    let mut config = OpenAiConfig::new(key.map(|k| Secret::new(k.to_string())));
    config.base_url = format!("{}/v1", server.base);
    config.model = "llama3.1:8b".into();
    config.timeout = Duration::from_secs(5);
    OpenAiCompatibleProvider::new(config).expect("provider")
}

fn request() -> GenerationRequest {
    let model = SemanticModel::builtin().expect("model");
    let today = NaiveDate::from_ymd_opt(2026, 5, 4).expect("date");
    build_request(&model, &PromptInput::new("revenue by channel", Lang::En, today))
}

/// Collects streamed explanation text and counts restarts.
#[derive(Default)]
struct Collect {
    text: Mutex<String>,
    restarts: Mutex<usize>,
}

impl ExplanationSink for Collect {
    fn text(&self, delta: &str) {
        self.text.lock().expect("lock").push_str(delta);
    }
    fn restart(&self) {
        self.text.lock().expect("lock").clear();
        *self.restarts.lock().expect("lock") += 1;
    }
}

fn fast() -> Duration {
    Duration::from_secs(5)
}

// ---------------------------------------------------------------------------------------------------------
// Anthropic

#[tokio::test]
async fn anthropic_sends_the_messages_api_request_and_reads_the_tool_call() {
    let server = setup(vec![Reply::json(200, anthropic_tool_use())]).await;
    let generation = anthropic(&server, fast()).generate(&request()).await.expect("answer");

    assert_eq!(generation.answer.sql, SQL);
    assert_eq!(generation.answer.chart, ChartKind::Bar);
    assert_eq!(generation.answer.explanation, EXPLANATION);
    assert_eq!(generation.provider, "anthropic");
    assert_eq!(generation.model, "claude-sonnet-4-5-20250929");
    assert_eq!(generation.usage, Usage { input_tokens: 2095, output_tokens: 87 });
    assert!(!generation.usage_estimated);
    let expected_cost = (2095.0 * 3.0 + 87.0 * 15.0) / 1_000_000.0;
    assert!((generation.cost_usd - expected_cost).abs() < 1e-12);

    let req = server.only_request();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.headers["x-api-key"], ANTHROPIC_KEY);
    assert_eq!(req.headers["anthropic-version"], "2023-06-01");
    assert_eq!(req.headers["content-type"], "application/json");
    let body = &req.body;
    assert_eq!(body["model"], "claude-sonnet-4-5");
    assert_eq!(body["max_tokens"], 1024);
    assert!(body["system"].as_str().expect("system").contains("marts.fct_activities"));
    assert_eq!(body["messages"][0]["role"], "user");
    assert!(
        body["messages"][0]["content"].as_str().expect("content").ends_with("Question: revenue by channel")
    );
    assert_eq!(body["tools"][0]["name"], "answer_with_sql");
    assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
    assert_eq!(body["tools"][0]["input_schema"]["required"], json!(["sql", "chart", "explanation"]));
    assert_eq!(
        body["tools"][0]["input_schema"]["properties"]["chart"]["enum"],
        json!(["kpi", "bar", "line", "area", "pie", "scatter", "table"])
    );
    assert_eq!(body["tool_choice"], json!({"type": "tool", "name": "answer_with_sql"}));
    assert!(body.get("stream").is_none());
}

#[tokio::test]
async fn anthropic_streams_the_explanation_from_server_sent_events() {
    let server =
        setup(vec![Reply::Stream { chunks: anthropic_stream(), pause: Duration::from_millis(2) }]).await;
    let sink = Collect::default();
    let provider = anthropic(&server, fast());
    let generation = provider.generate_streaming(&request(), &sink).await.expect("answer");

    assert_eq!(generation.answer.sql, SQL);
    assert_eq!(generation.answer.chart, ChartKind::Bar);
    assert_eq!(*sink.text.lock().expect("lock"), EXPLANATION);
    assert_eq!(generation.usage, Usage { input_tokens: 2095, output_tokens: 89 });
    assert_eq!(generation.model, "claude-sonnet-4-5-20250929");
    let req = server.only_request();
    assert_eq!(req.body["stream"], true);
    assert_eq!(req.headers["accept"], "text/event-stream");
}

#[tokio::test]
async fn anthropic_error_bodies_are_classified() {
    let cases = [
        (
            Reply::json(400, anthropic_error("invalid_request_error", "max_tokens: must be at least 1")),
            ErrorKind::BadRequest { status: 400 },
            "invalid_request_error: max_tokens: must be at least 1",
        ),
        (
            Reply::json(401, anthropic_error("authentication_error", "invalid x-api-key")),
            ErrorKind::Auth { status: 401 },
            "authentication_error: invalid x-api-key",
        ),
        (
            Reply::json(
                429,
                anthropic_error("rate_limit_error", "Number of request tokens has exceeded your limit"),
            )
            .with_header("retry-after", "7"),
            ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(7)) },
            "rate_limit_error: Number of request tokens",
        ),
        (
            Reply::json(529, anthropic_error("overloaded_error", "Overloaded")),
            ErrorKind::Server { status: 529 },
            "overloaded_error: Overloaded",
        ),
        (
            Reply::Body { status: 502, headers: vec![], body: "<html>Bad gateway</html>".into() },
            ErrorKind::Server { status: 502 },
            "<html>Bad gateway</html>",
        ),
    ];
    for (reply, kind, message) in cases {
        let server = setup(vec![reply]).await;
        let err = anthropic(&server, fast()).generate(&request()).await.expect_err("fails");
        assert_eq!(err.kind, kind);
        assert!(err.message.starts_with(message), "{}", err.message);
        assert_eq!(err.provider, "anthropic");
    }
}

#[tokio::test]
async fn anthropic_error_event_inside_a_stream_is_classified() {
    let mut events = anthropic_events();
    events.truncate(5);
    events.push(sse("error", anthropic_error("overloaded_error", "Overloaded")));
    let server = setup(vec![Reply::Stream { chunks: rechunk(&events), pause: Duration::ZERO }]).await;
    let err = anthropic(&server, fast()).generate_streaming(&request(), &NoSink).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::Server { status: 529 });
    assert!(err.message.contains("Overloaded"));
}

#[tokio::test]
async fn anthropic_stream_cut_short_is_a_network_error() {
    let mut chunks = anthropic_stream();
    chunks.truncate(chunks.len() / 2);
    let server = setup(vec![Reply::Stream { chunks, pause: Duration::ZERO }]).await;
    let err = anthropic(&server, fast()).generate_streaming(&request(), &NoSink).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::Network);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let slow =
        Reply::Slow { delay: Duration::from_secs(3), then: Box::new(Reply::json(200, anthropic_tool_use())) };
    let server = setup(vec![slow]).await;
    let err = anthropic(&server, Duration::from_millis(300)).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn a_reply_without_the_answer_is_bad_output() {
    let mut body = anthropic_tool_use();
    body["content"] = json!([{"type": "text", "text": "I'm not able to answer that."}]);
    let server = setup(vec![Reply::json(200, body)]).await;
    let err = anthropic(&server, fast()).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::BadOutput);
}

// ---------------------------------------------------------------------------------------------------------
// OpenAI-compatible

#[tokio::test]
async fn openai_sends_chat_completions_and_reads_json_from_a_code_fence() {
    let content = format!("Here is the query:\n```json\n{}\n```", answer_json());
    let server = setup(vec![Reply::json(200, openai_completion(&content, true))]).await;
    let generation = openai(&server, Some(OPENAI_KEY)).generate(&request()).await.expect("answer");

    assert_eq!(generation.answer.sql, SQL);
    assert_eq!(generation.answer.chart, ChartKind::Bar);
    assert_eq!(generation.model, "gpt-4.1-mini-2025-04-14");
    assert_eq!(generation.usage, Usage { input_tokens: 1800, output_tokens: 64 });
    assert!(generation.cost_usd > 0.0);

    let req = server.only_request();
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.headers["authorization"], format!("Bearer {OPENAI_KEY}"));
    let body = &req.body;
    assert_eq!(body["model"], "llama3.1:8b");
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(body["messages"][0]["content"].as_str().expect("system").contains("JSON object"));
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert!(body.get("stream").is_none());
}

#[tokio::test]
async fn a_local_model_needs_no_key_and_gets_estimated_usage() {
    let server = setup(vec![Reply::json(200, openai_completion(&answer_json().to_string(), false))]).await;
    let generation = openai(&server, None).generate(&request()).await.expect("answer");
    assert!(!server.only_request().headers.contains_key("authorization"));
    assert!(generation.usage_estimated);
    assert!(generation.usage.input_tokens > 100);
}

#[tokio::test]
async fn openai_streams_deltas_until_done() {
    let content = answer_json().to_string();
    let server =
        setup(vec![Reply::Stream { chunks: openai_stream(&content), pause: Duration::from_millis(1) }]).await;
    let sink = Collect::default();
    let generation = openai(&server, None).generate_streaming(&request(), &sink).await.expect("answer");
    assert_eq!(generation.answer.sql, SQL);
    assert_eq!(*sink.text.lock().expect("lock"), EXPLANATION);
    assert_eq!(generation.usage, Usage { input_tokens: 1500, output_tokens: 70 });
    assert!(!generation.usage_estimated);
    let req = server.only_request();
    assert_eq!(req.body["stream"], true);
    assert_eq!(req.body["stream_options"], json!({"include_usage": true}));
}

#[tokio::test]
async fn openai_errors_are_classified() {
    let unauthorised = json!({"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                        "param": null, "code": "invalid_api_key"}});
    let server = setup(vec![Reply::json(401, unauthorised)]).await;
    let err = openai(&server, Some(OPENAI_KEY)).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::Auth { status: 401 });
    assert_eq!(err.message, "invalid_request_error: Incorrect API key provided.");

    // Ollama's own error shape.
    let server =
        setup(vec![Reply::json(404, json!({"error": "model \"llama9\" not found, try pulling it first"}))])
            .await;
    let err = openai(&server, None).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::BadRequest { status: 404 });
    assert!(err.message.contains("try pulling it first"));

    let server = setup(vec![
        Reply::json(429, json!({"error": {"message": "Rate limit reached"}}))
            .with_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ])
    .await;
    let err = openai(&server, None).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::RateLimited { retry_after: Some(Duration::ZERO) });
}

#[tokio::test]
async fn an_unreachable_local_server_is_a_network_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let server = Server { base, requests: Arc::default() };
    let err = openai(&server, Some(OPENAI_KEY)).generate(&request()).await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(!format!("{err} {err:?}").contains(OPENAI_KEY));
}

// ---------------------------------------------------------------------------------------------------------
// Router

fn router(providers: Vec<Arc<dyn Provider>>, timeout: Duration) -> Router {
    Router::new(providers, RoutePolicy { timeout, max_retry_wait: Duration::from_secs(2) })
}

async fn fallback_after(first: Reply) -> (Result<Routed, RouteFailure>, Server, Server) {
    let failing = setup(vec![first]).await;
    let healthy = setup(vec![Reply::json(200, openai_completion(&answer_json().to_string(), true))]).await;
    let providers: Vec<Arc<dyn Provider>> =
        vec![Arc::new(anthropic(&failing, fast())), Arc::new(openai(&healthy, None))];
    let result = router(providers, Duration::from_millis(800)).generate(&request(), &NoSink).await;
    (result, failing, healthy)
}

#[tokio::test]
async fn router_moves_on_after_a_long_rate_limit() {
    let limited =
        Reply::json(429, anthropic_error("rate_limit_error", "slow down")).with_header("retry-after", "120");
    let (result, failing, _) = fallback_after(limited).await;
    let routed = result.expect("answered by the next provider");
    assert_eq!(routed.generation.provider, "openai");
    assert_eq!(routed.attempts.len(), 2);
    assert_eq!(failing.requests().len(), 1, "a long retry-after is not waited out");
    match &routed.attempts[0].outcome {
        AttemptOutcome::Failed(e) => {
            assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(120)) })
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(routed.attempts[0].model, "claude-sonnet-4-5");
    assert!(
        matches!(routed.attempts[1].outcome, AttemptOutcome::Answered { cost_usd, .. } if cost_usd > 0.0)
    );
}

#[tokio::test]
async fn router_moves_on_after_a_server_error() {
    let (result, _, _) =
        fallback_after(Reply::json(500, anthropic_error("api_error", "Internal server error"))).await;
    let routed = result.expect("answered");
    assert_eq!(routed.generation.provider, "openai");
    assert!(
        matches!(&routed.attempts[0].outcome, AttemptOutcome::Failed(e) if e.kind == ErrorKind::Server { status: 500 })
    );
}

#[tokio::test]
async fn router_moves_on_after_a_timeout() {
    let slow =
        Reply::Slow { delay: Duration::from_secs(5), then: Box::new(Reply::json(200, anthropic_tool_use())) };
    let (result, _, _) = fallback_after(slow).await;
    let routed = result.expect("answered");
    assert_eq!(routed.generation.provider, "openai");
    assert!(matches!(&routed.attempts[0].outcome, AttemptOutcome::Failed(e) if e.kind == ErrorKind::Timeout));
}

#[tokio::test]
async fn router_stops_on_a_refused_key() {
    let (result, _, healthy) =
        fallback_after(Reply::json(401, anthropic_error("authentication_error", "invalid x-api-key"))).await;
    let failure = result.expect_err("stops");
    assert!(failure.stopped_early());
    assert_eq!(failure.attempts.len(), 1);
    assert!(healthy.requests().is_empty(), "no other provider is tried after a refused key");
    assert!(failure.to_string().contains("anthropic not authorised (401)"), "{failure}");
    let boundary: inda_core::Error = failure.into();
    assert_eq!(boundary.code, inda_core::ErrorCode::Engine);
}

#[tokio::test]
async fn router_waits_out_a_short_rate_limit_once() {
    let server = setup(vec![
        Reply::json(429, anthropic_error("rate_limit_error", "slow down")).with_header("retry-after", "1"),
        Reply::Stream { chunks: anthropic_stream(), pause: Duration::ZERO },
    ])
    .await;
    let sink = Collect::default();
    let started = std::time::Instant::now();
    let providers: Vec<Arc<dyn Provider>> = vec![Arc::new(anthropic(&server, fast()))];
    let routed = router(providers, fast()).generate(&request(), &sink).await.expect("answered after waiting");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(routed.attempts.len(), 2);
    assert_eq!(routed.generation.provider, "anthropic");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(*sink.restarts.lock().expect("lock"), 1);
    assert_eq!(*sink.text.lock().expect("lock"), EXPLANATION);
}

#[tokio::test]
async fn router_reports_every_failure_when_all_fail() {
    let a = setup(vec![Reply::json(529, anthropic_error("overloaded_error", "Overloaded"))]).await;
    let b = setup(vec![Reply::json(503, json!({"error": {"message": "server busy"}}))]).await;
    let providers: Vec<Arc<dyn Provider>> = vec![Arc::new(anthropic(&a, fast())), Arc::new(openai(&b, None))];
    let r = router(providers, fast());
    assert_eq!(r.provider_names(), vec!["anthropic", "openai"]);
    assert_eq!(r.only("openai").expect("configured").provider_names(), vec!["openai"]);
    assert!(r.only("cortex").is_none());
    let failure = r.generate(&request(), &NoSink).await.expect_err("all fail");
    let message = failure.to_string();
    assert!(message.starts_with("no question engine could answer"), "{message}");
    assert!(
        message.contains("anthropic server error (529)") && message.contains("openai server error (503)")
    );
    let empty = Router::new(vec![], RoutePolicy::default()).generate(&request(), &NoSink).await;
    assert_eq!(empty.expect_err("nothing to try").error.kind, ErrorKind::NotConfigured);
}

// ---------------------------------------------------------------------------------------------------------
// Secrets and prompt contents on the wire

#[tokio::test]
async fn keys_never_appear_in_errors_debug_output_or_bodies() {
    // A proxy that echoes the key back in its error body.
    let echo = anthropic_error("authentication_error", &format!("invalid x-api-key: {ANTHROPIC_KEY}"));
    let server = setup(vec![Reply::json(401, echo)]).await;
    let provider = anthropic(&server, fast());
    let err = provider.generate(&request()).await.expect_err("fails");
    let shown = format!("{err} {err:?} {provider:?}");
    assert!(!shown.contains(ANTHROPIC_KEY), "{shown}");
    assert!(err.message.contains("<redacted>"));
    let boundary: inda_core::Error = err.into();
    assert!(!boundary.message.contains(ANTHROPIC_KEY));
    assert!(!server.only_request().raw_body.contains(ANTHROPIC_KEY), "the key travels only in its header");

    let echo = json!({"error": {"message": format!("Incorrect API key provided: {OPENAI_KEY}"), "type": "invalid_request_error"}});
    let server = setup(vec![Reply::json(401, echo)]).await;
    let provider = openai(&server, Some(OPENAI_KEY));
    let err = provider.generate(&request()).await.expect_err("fails");
    let shown = format!("{err} {err:?} {provider:?}");
    assert!(!shown.contains(OPENAI_KEY), "{shown}");
    assert!(!server.only_request().raw_body.contains(OPENAI_KEY));

    let config = AskConfig::default().anthropic_config(Secret::new(ANTHROPIC_KEY.into()));
    assert!(!format!("{config:?}").contains(ANTHROPIC_KEY));
}

#[tokio::test]
async fn the_prompt_on_the_wire_has_no_rows_tenants_or_secrets() {
    let server = setup(vec![Reply::json(200, anthropic_tool_use())]).await;
    let model = SemanticModel::builtin().expect("model");
    let today = NaiveDate::from_ymd_opt(2026, 5, 4).expect("date");
    let history = [PriorQuestion { question: "revenue by channel".into(), sql: SQL.into() }];
    let input = PromptInput { history: &history, ..PromptInput::new("¿y por país?", Lang::Es, today) };
    anthropic(&server, fast()).generate(&build_request(&model, &input)).await.expect("answer");
    let body = server.only_request().raw_body.to_lowercase();
    for word in ["tenant", "acme_corp", "globex", "initech", "umbrella", "stark_ind", ANTHROPIC_KEY] {
        assert!(!body.contains(&word.to_lowercase()), "the prompt carries {word}");
    }
    assert!(body.contains("ingresos"), "the model's Spanish words are there");
    assert!(body.contains("group by channel"), "the conversation's SQL is there");
}

#[tokio::test]
async fn repair_goes_back_with_the_failed_sql_and_the_error() {
    let server = setup(vec![Reply::json(200, anthropic_tool_use())]).await;
    let original = request();
    let failed = Answer {
        sql: "SELECT revenue FROM marts.sales".into(),
        chart: ChartKind::Kpi,
        explanation: "x".into(),
    };
    let repair = repair_request(&original, &failed, "unknown table marts.sales", &[]).expect("one repair");
    anthropic(&server, fast()).generate(&repair).await.expect("answer");
    let body = server.only_request().body;
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[1]["role"], "assistant");
    assert!(messages[1]["content"].as_str().expect("text").contains("SELECT revenue FROM marts.sales"));
    assert_eq!(messages[2]["role"], "user");
    assert!(messages[2]["content"].as_str().expect("text").contains("unknown table marts.sales"));
    assert!(repair_request(&repair, &failed, "again", &[]).is_none());
}
