//! `inda serve` over real HTTP on a local port: the API's shapes and error codes, tenant isolation, the
//! security headers and Host check, exports, the UI's entry page, and alerts (`server/alerts.rs`).

use inda_app::{App, DataDir, DemoOptions};
use serde_json::{Value as J, json};
use std::sync::Arc;

#[path = "server/alerts.rs"]
mod alerts;

struct Setup {
    _tmp: tempfile::TempDir,
    base: String,
    acme: String,
    globex: String,
    client: reqwest::Client,
}

async fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = demo_app(&tmp, &["acme_corp", "globex"]);
    let mint = |app: &mut App, tenant: &str| {
        app.mint_token(&inda_app::MintRequest {
            tenant_id: tenant.into(),
            user_id: "ana".into(),
            partner_id: "indigital".into(),
            user_name: Some("Ana".into()),
            roles: vec!["analyst".into()],
            ttl_seconds: 3600,
        })
        .unwrap()
    };
    let acme = mint(&mut app, "acme_corp");
    let globex = mint(&mut app, "globex");
    let base = serve(app).await;
    Setup { _tmp: tmp, base, acme, globex, client: reqwest::Client::new() }
}

/// An app over a small demo warehouse of `tenants` in `tmp`.
fn demo_app(tmp: &tempfile::TempDir, tenants: &[&str]) -> App {
    let app = App::open(DataDir::new(tmp.path().join("data"))).unwrap();
    let opts = DemoOptions {
        scale: 0.05,
        seed: 42,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(tenants.iter().map(|t| t.to_string()).collect()),
    };
    app.demo_init(&opts, &|_| {}).unwrap();
    app
}

/// Starts `inda serve` over `app` on a free local port; returns its base URL.
async fn serve(app: App) -> String {
    let app = Arc::new(app);
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let bind = "127.0.0.1:0".parse().unwrap();
        inda_server::serve(app, inda_server::ServeOptions { bind }, move |addr| {
            let _ = tx.send(addr);
        })
        .await
        .unwrap();
    });
    format!("http://{}", rx.await.unwrap())
}

impl Setup {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<J>,
    ) -> (u16, J) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(J::String(text)))
    }
    async fn get(&self, path: &str, token: &str) -> (u16, J) {
        self.call(reqwest::Method::GET, path, Some(token), None).await
    }
    async fn post(&self, path: &str, token: &str, body: J) -> (u16, J) {
        self.call(reqwest::Method::POST, path, Some(token), Some(body)).await
    }
}

#[tokio::test]
async fn questions_are_answered_for_the_tokens_tenant() {
    let s = setup().await;
    let (status, who) = s.get("/api/session", &s.acme).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["tenant_id"], "acme_corp");
    let (status, a) = s.post("/api/ask", &s.acme, json!({"question": "messages by channel"})).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["chart"]["kind"], "bar");
    assert!(a["sql"].as_str().unwrap().contains("tenant_id = 'acme_corp'"));
    let (_, b) = s.post("/api/ask", &s.globex, json!({"question": "messages by channel"})).await;
    assert_ne!(a["rows"], b["rows"], "two tenants got the same rows");
    let (status, sug) = s.get("/api/suggestions?lang=es", &s.acme).await;
    assert_eq!(status, 200);
    assert!(!sug["suggestions"].as_array().unwrap().is_empty());
    let (status, cfg) = s.get("/api/config", &s.acme).await;
    assert_eq!(status, 200, "{cfg}");
    assert_eq!(cfg["branding"]["css"]["--brand-primary"], cfg["branding"]["colors"]["primary"]);
    assert_eq!(cfg["warehouse"], "embedded", "the configured warehouse, reported as it is");
}

#[tokio::test]
async fn errors_have_one_shape_and_the_right_status() {
    let s = setup().await;
    let (status, e) = s.call(reqwest::Method::GET, "/api/saved", None, None).await;
    assert_eq!((status, e["error"]["code"].as_str()), (401, Some("auth")));
    let (status, e) = s.get("/api/saved", "not.a.token").await;
    assert_eq!((status, e["error"]["code"].as_str()), (401, Some("auth")));
    let (status, e) = s.post("/api/sql", &s.acme, json!({"sql": "DROP TABLE marts.fct_messages"})).await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("guard_rejected")));
    let (status, e) = s
        .post(
            "/api/sql",
            &s.acme,
            json!({"sql": "SELECT * FROM marts.fct_messages WHERE tenant_id = 'globex'"}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["row_count"], 0, "a filter on another tenant must find nothing");
    let (status, e) = s.post("/api/ask", &s.acme, json!({"question": "what is the meaning of life"})).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("not_understood")));
    let (status, e) = s.post("/api/ask", &s.acme, json!({"nope": 1})).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("usage")));
    let (status, e) = s.get("/api/nothing-here", &s.acme).await;
    assert_eq!((status, e["error"]["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn saved_analyses_and_dashboards_stay_with_their_owner() {
    let s = setup().await;
    let (status, saved) =
        s.post("/api/saved", &s.acme, json!({"name": "Channels", "question": "messages by channel"})).await;
    assert_eq!(status, 200, "{saved}");
    let id = saved["id"].as_str().unwrap();
    let (status, run) = s.post(&format!("/api/saved/{id}/run"), &s.acme, json!({})).await;
    assert_eq!(status, 200, "{run}");
    let (_, shown) = s.get(&format!("/api/saved/{id}"), &s.acme).await;
    assert_eq!(shown["cached"], true);
    let (status, _) = s.get(&format!("/api/saved/{id}"), &s.globex).await;
    assert_eq!(status, 404, "another tenant read the analysis");
    let (_, list) = s.get("/api/saved", &s.globex).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (_, d) = s.post("/api/dashboards", &s.acme, json!({"name": "Main"})).await;
    let did = d["id"].as_str().unwrap();
    let (status, _) =
        s.post(&format!("/api/dashboards/{did}/tiles"), &s.acme, json!({"analysis_id": id})).await;
    assert_eq!(status, 200);
    let (status, view) = s.post(&format!("/api/dashboards/{did}/refresh"), &s.acme, json!({})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["tiles"][0]["result"]["cached"], false);
    let (status, _) = s.get(&format!("/api/dashboards/{did}"), &s.globex).await;
    assert_eq!(status, 404);
    let (status, sched) = s
        .call(
            reqwest::Method::PUT,
            &format!("/api/saved/{id}/schedule"),
            Some(&s.acme),
            Some(json!({"schedule": "0 8 * * *"})),
        )
        .await;
    assert_eq!(status, 200, "{sched}");
    let (status, history) = s.get(&format!("/api/saved/{id}/history"), &s.acme).await;
    assert_eq!(status, 200);
    assert!(!history.as_array().unwrap().is_empty());

    let res = s
        .client
        .get(format!("{}/api/export?analysis={id}&to=csv", s.base))
        .bearer_auth(&s.acme)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("channel,messages"), "{csv}");
    let res = s
        .client
        .get(format!("{}/api/export?analysis={id}&to=csv", s.base))
        .bearer_auth(&s.globex)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let (status, _) =
        s.call(reqwest::Method::DELETE, &format!("/api/saved/{id}"), Some(&s.globex), None).await;
    assert_eq!(status, 404);
    let (status, _) = s.call(reqwest::Method::DELETE, &format!("/api/saved/{id}"), Some(&s.acme), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_foreign_hosts_are_refused() {
    let s = setup().await;
    let res = s.client.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert!(res.text().await.unwrap().contains("<html"));
    let res = s
        .client
        .get(format!("{}/api/session", s.base))
        .header("host", "evil.example")
        .bearer_auth(&s.acme)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400, "a rebinding host name reached the API");
}

/// `GET /api/embedding`: the origins the UI in the CRM's iframe may ask for a token, before it has a
/// session. They are the Content-Security-Policy's `frame-ancestors` (public anyway), an entry that is not an
/// origin is left out of both, and the policy itself is what it always was.
#[tokio::test]
async fn the_embedding_origins_answer_without_a_token_and_match_the_csp() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("config.toml"),
        "[serve]\nframe_ancestors = [\"https://crm.example.com\", \
         \"https://crm.example.com; script-src *\", \"https://*.crm.example\", \"javascript:alert(1)\", \
         \"http://evil.example\", \"http://localhost:5173\"]\n",
    )
    .unwrap();
    let app = demo_app(&tmp, &["acme_corp"]);
    let base = serve(app).await;
    let client = reqwest::Client::new();

    let res = client.get(format!("{base}/api/embedding")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    let body: J = res.json().await.unwrap();
    let origins = ["https://crm.example.com", "https://*.crm.example", "http://localhost:5173"];
    assert_eq!(body, json!({"frame_ancestors": origins}));
    assert_eq!(
        csp,
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'self' https://crm.example.com https://*.crm.example http://localhost:5173"
    );
    // The page's policy is the same one.
    let res = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(res.headers()["content-security-policy"].to_str().unwrap(), csp);
    // A token changes nothing, not even a bad one; the Host check still holds.
    let res = client.get(format!("{base}/api/embedding")).bearer_auth("not.a.token").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res =
        client.get(format!("{base}/api/embedding")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400, "a rebinding host name reached the API");

    // Without [serve] frame_ancestors: none, and only the server's own pages may frame the UI.
    let s = setup().await;
    let (status, body) = s.call(reqwest::Method::GET, "/api/embedding", None, None).await;
    assert_eq!((status, body), (200, json!({"frame_ancestors": []})));
    let res = s.client.get(format!("{}/api/embedding", s.base)).send().await.unwrap();
    assert!(res.headers()["content-security-policy"].to_str().unwrap().ends_with("; frame-ancestors 'self'"));
}

#[tokio::test]
async fn a_token_in_the_page_url_becomes_an_http_only_cookie() {
    let s = setup().await;
    let res = s.client.get(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = s.client.get(format!("{}/?token={}", s.base, s.acme)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let res = s.client.get(format!("{}/api/session", s.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let who: J = res.json().await.unwrap();
    assert_eq!(who["tenant_id"], "acme_corp");
    // A forged token sets no cookie.
    let res = s.client.get(format!("{}/?token=eyJ.forged.x", s.base)).send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
}

/// `X-Inda-Scope`: a partner admin's session reads every company of its partner, narrowed by the header that the
/// UI's scope picker sends; a company beyond the role is refused as `auth`, naming it, for admins and analysts.
#[tokio::test]
async fn the_scope_header_narrows_an_admins_session_and_never_widens_one() {
    let tmp = tempfile::tempdir().unwrap();
    // indigital's acme_corp and globex, other_partner's stark_ind.
    let mut app = demo_app(&tmp, &["acme_corp", "globex", "stark_ind"]);
    let mint = |app: &mut App, user: &str, role: &str| {
        app.mint_token(&inda_app::MintRequest {
            tenant_id: "acme_corp".into(),
            user_id: user.into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![role.into()],
            ttl_seconds: 3600,
        })
        .unwrap()
    };
    let admin = mint(&mut app, "pat", "partner_admin");
    let analyst = mint(&mut app, "ana", "analyst");
    let same_user_analyst = mint(&mut app, "pat", "analyst");
    let base = serve(app).await;
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, token: &str, scope: Option<&str>, body: Option<J>| {
        let mut req = client.request(method, format!("{base}{path}")).bearer_auth(token);
        if let Some(scope) = scope {
            req = req.header("X-Inda-Scope", scope);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            (status, serde_json::from_str::<J>(&text).unwrap_or(J::String(text)))
        }
    };
    let tenants_read = |scope: Option<&'static str>, token: String| {
        let call = &call;
        async move {
            let sql = json!({"sql": "SELECT DISTINCT tenant_id FROM marts.fct_messages ORDER BY tenant_id"});
            let (status, a) = call(reqwest::Method::POST, "/api/sql", &token, scope, Some(sql)).await;
            assert_eq!(status, 200, "{a}");
            a["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[0].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let selected = |choices: &J| -> Vec<(String, String, bool)> {
        choices
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let id = c["tenant_id"].as_str().unwrap().to_string();
                (id, c["tenant_name"].as_str().unwrap().to_string(), c["selected"].as_bool().unwrap())
            })
            .collect()
    };

    // The session names the role; the picker's choices are the partner's companies, by name.
    let (status, who) = call(reqwest::Method::GET, "/api/session", &admin, None, None).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["role"], "partner_admin");
    let (status, all) = call(reqwest::Method::GET, "/api/scope", &admin, None, None).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        selected(&all),
        [("acme_corp".into(), "Acme Corp".into(), true), ("globex".into(), "Globex".into(), true)]
    );
    assert_eq!(tenants_read(None, admin.clone()).await, ["acme_corp", "globex"]);

    // Narrowed by the header (blank: not narrowed).
    let (status, narrowed) = call(reqwest::Method::GET, "/api/scope", &admin, Some("globex"), None).await;
    assert_eq!(status, 200, "{narrowed}");
    assert_eq!(
        selected(&narrowed),
        [("acme_corp".into(), "Acme Corp".into(), false), ("globex".into(), "Globex".into(), true)]
    );
    assert_eq!(tenants_read(Some("globex"), admin.clone()).await, ["globex"]);
    assert_eq!(tenants_read(Some(" "), admin.clone()).await, ["acme_corp", "globex"]);

    // Never widened: another partner's company is refused, naming it, and so is any company for an analyst.
    for (token, scope, outside) in [
        (&admin, "acme_corp,stark_ind", "stark_ind"),
        (&analyst, "globex", "globex"),
        (&analyst, "acme_corp,globex", "globex"),
    ] {
        let (status, e) = call(reqwest::Method::GET, "/api/saved", token, Some(scope), None).await;
        assert!(status == 401 || status == 403, "{scope}: {status} {e}");
        assert_eq!(e["error"]["code"], "auth", "{e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("not in your scope: {outside}")), "{message}");
    }
    let (status, e) = call(reqwest::Method::GET, "/api/saved", &admin, Some("acme corp"), None).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("usage")), "{e}");

    // An analysis saved with both companies is refused (auth) under a narrower scope or the same user's
    // analyst token, and is not found at all for another user; a dashboard of that scope likewise.
    let body =
        json!({"name": "Both", "sql": "SELECT tenant_id, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1"});
    let (status, saved) = call(reqwest::Method::POST, "/api/saved", &admin, None, Some(body)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["scope"], json!(["acme_corp", "globex"]));
    let id = saved["id"].as_str().unwrap().to_string();
    let (status, dash) =
        call(reqwest::Method::POST, "/api/dashboards", &admin, None, Some(json!({"name": "Clients"}))).await;
    assert_eq!(status, 200, "{dash}");
    let did = dash["dashboard"]["id"].as_str().or(dash["id"].as_str()).unwrap().to_string();
    for (token, scope) in [(&admin, Some("globex")), (&same_user_analyst, None)] {
        for path in [
            format!("/api/saved/{id}"),
            format!("/api/dashboards/{did}"),
            format!("/api/export?analysis={id}&to=csv"),
        ] {
            let (status, e) = call(reqwest::Method::GET, &path, token, scope, None).await;
            assert!(status == 401 || status == 403, "{path} {scope:?}: {status} {e}");
            assert_eq!(e["error"]["code"], "auth", "{path}: {e}");
        }
        let (status, e) =
            call(reqwest::Method::POST, &format!("/api/saved/{id}/run"), token, scope, None).await;
        assert_eq!(e["error"]["code"], "auth", "{status} {e}");
    }
    let (status, e) = call(reqwest::Method::GET, &format!("/api/saved/{id}"), &analyst, None, None).await;
    assert_eq!((status, e["error"]["code"].as_str()), (404, Some("not_found")), "{e}");

    // An analyst's scope is their own company, the header naming it changes nothing.
    let (_, own) = call(reqwest::Method::GET, "/api/scope", &analyst, None, None).await;
    assert_eq!(selected(&own), [("acme_corp".into(), "Acme Corp".into(), true)]);
    assert_eq!(tenants_read(Some("acme_corp"), analyst.clone()).await, ["acme_corp"]);
    let (_, who) = call(reqwest::Method::GET, "/api/session", &analyst, None, None).await;
    assert_eq!(who["role"], "analyst");
}

/// A language model on this machine, speaking the OpenAI chat-completions wire format with `stream: true`:
/// its answer JSON arrives in small pieces, 40 ms apart, with the explanation first.
async fn streaming_model() -> String {
    use axum::response::sse::{Event, Sse};
    const ANSWER: &str = r#"{"explanation": "Messages per channel, over the whole history.", "chart": "bar", "sql": "SELECT channel, COUNT(*) AS messages FROM marts.fct_messages GROUP BY channel ORDER BY channel"}"#;
    async fn completions(axum::Json(body): axum::Json<J>) -> axum::response::Response {
        use axum::response::IntoResponse;
        assert_eq!(body["stream"], true, "the app asks for a stream when the UI streams");
        let pieces: Vec<String> =
            ANSWER.chars().collect::<Vec<_>>().chunks(12).map(|c| c.iter().collect()).collect();
        let mut events: Vec<Event> = pieces
            .into_iter()
            .map(|p| {
                Event::default().data(
                    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "local-model",
                           "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}]})
                    .to_string(),
                )
            })
            .collect();
        events.push(Event::default().data("[DONE]"));
        let stream = futures_util::stream::unfold(events.into_iter(), |mut it| async move {
            let e = it.next()?;
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
            Some((Ok::<_, std::convert::Infallible>(e), it))
        });
        Sse::new(stream).into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/v1/chat/completions", axum::routing::post(completions));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn the_explanation_streams_to_the_browser_before_the_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let model = streaming_model().await;
    std::fs::write(
        data.join("config.toml"),
        format!(
            "[ask]\nproviders = [\"openai\"]\n[ask.openai]\nbase_url = \"{model}\"\nmodel = \"local-model\"\n\
             [ask.prices.\"local-model\"]\ninput_per_million = 3.0\noutput_per_million = 15.0\n"
        ),
    )
    .unwrap();
    let mut app = App::open(DataDir::new(&data)).unwrap();
    let opts = DemoOptions {
        scale: 0.05,
        seed: 42,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(vec!["acme_corp".into()]),
    };
    app.demo_init(&opts, &|_| {}).unwrap();
    let token = app
        .mint_token(&inda_app::MintRequest {
            tenant_id: "acme_corp".into(),
            user_id: "ana".into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec!["analyst".into()],
            ttl_seconds: 3600,
        })
        .unwrap();
    let base = serve(app).await;

    let mut res = reqwest::Client::new()
        .post(format!("{base}/api/ask/stream"))
        .bearer_auth(&token)
        .json(&json!({"question": "which channel should we invest in?", "provider": "openai"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    // Events in arrival order, each with the time it arrived.
    let started = std::time::Instant::now();
    let mut buffer = String::new();
    let mut events: Vec<(String, J, std::time::Duration)> = Vec::new();
    while let Some(chunk) = res.chunk().await.unwrap() {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !name.is_empty() {
                events.push((name, serde_json::from_str(&data).unwrap(), started.elapsed()));
            }
        }
    }
    let names: Vec<&str> = events.iter().map(|(n, _, _)| n.as_str()).collect();
    let last = events.last().expect("events");
    assert_eq!(last.0, "answer", "{names:?}");
    let pieces: Vec<&(String, J, std::time::Duration)> =
        events.iter().filter(|(n, _, _)| n == "explanation").collect();
    assert!(pieces.len() >= 3, "the explanation came in pieces: {names:?}");
    let text: String = pieces.iter().map(|(_, d, _)| d["text"].as_str().unwrap()).collect();
    assert_eq!(text, "Messages per channel, over the whole history.");
    // Streaming, not buffering: the first piece was there well before the answer.
    assert!(last.2 - pieces[0].2 >= std::time::Duration::from_millis(200), "{events:?}");
    let answer = &last.1;
    assert!(answer["sql"].as_str().unwrap().contains("tenant_id = 'acme_corp'"), "{answer}");
    assert!(!answer["rows"].as_array().unwrap().is_empty(), "{answer}");

    // The call is in /metrics by provider, with its tokens (estimated: this server sends no usage) and cost.
    let text = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    let samples = prometheus_samples(&text);
    let openai = ("provider", "openai");
    assert_eq!(
        sample(&samples, "inda_provider_calls_total", &[openai, ("outcome", "ok")]),
        Some(1.0),
        "{text}"
    );
    for direction in ["input", "output"] {
        let tokens = sample(&samples, "inda_provider_tokens_total", &[openai, ("direction", direction)]);
        assert!(tokens > Some(0.0), "{direction}: {text}");
    }
    assert!(sample(&samples, "inda_provider_cost_usd_total", &[openai]) > Some(0.0), "{text}");
    assert!(!text.contains("acme_corp") && !text.contains("local-model"), "{text}");

    // A bad token is an ordinary HTTP error, before any stream starts.
    let res = reqwest::Client::new()
        .post(format!("{base}/api/ask/stream"))
        .bearer_auth("not-a-token")
        .json(&json!({"question": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

/// Downloads name their file after its content and date in both header forms; an answer not saved is
/// posted as the UI has it (bounded); the chart a user picks is kept with the analysis.
#[tokio::test]
async fn exports_are_named_downloads_of_saved_and_unsaved_answers() {
    let s = setup().await;
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    let body = json!({"name": "Mensajes por país", "sql": "SELECT channel, COUNT(*) AS messages FROM marts.fct_messages GROUP BY 1 ORDER BY 1"});
    let (status, saved) = s.post("/api/saved", &s.acme, body).await;
    assert_eq!(status, 200, "{saved}");
    let id = saved["id"].as_str().unwrap().to_string();
    let res = s
        .client
        .get(format!("{}/api/export?analysis={id}&to=pdf&lang=es", s.base))
        .bearer_auth(&s.acme)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"Mensajes por pais - {today}.pdf\"; \
             filename*=UTF-8''Mensajes%20por%20pa%C3%ADs%20%E2%80%93%20{today}.pdf"
        )
    );
    assert_eq!(res.headers()["content-type"], "application/pdf");

    // The chart picked in the UI is kept, and checked against the result.
    let chart = json!({"kind": "pie", "x": "channel", "y": ["messages"]});
    let (status, kept) = s
        .call(
            reqwest::Method::PUT,
            &format!("/api/saved/{id}/chart"),
            Some(&s.acme),
            Some(json!({"chart": chart})),
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["chart"], chart);
    let (_, shown) = s.get(&format!("/api/saved/{id}"), &s.acme).await;
    assert_eq!(shown["chart"]["kind"], "pie", "{shown}");
    let bad = json!({"chart": {"kind": "bar", "x": "nope", "y": ["messages"]}});
    let (status, e) =
        s.call(reqwest::Method::PUT, &format!("/api/saved/{id}/chart"), Some(&s.acme), Some(bad)).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("usage")), "{e}");
    let (status, _) = s
        .call(
            reqwest::Method::PUT,
            &format!("/api/saved/{id}/chart"),
            Some(&s.globex),
            Some(json!({"chart": chart})),
        )
        .await;
    assert_eq!(status, 404);

    // An answer not saved, as the UI has it.
    let (_, answer) = s.post("/api/ask", &s.acme, json!({"question": "messages by channel"})).await;
    let res = s
        .client
        .post(format!("{}/api/export", s.base))
        .bearer_auth(&s.acme)
        .json(&json!({"answer": answer, "to": "csv", "lang": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let title = answer["title"].as_str().unwrap();
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{title} - {today}.csv\"")),
        "{disposition}"
    );
    assert_eq!(res.headers()["x-export-rows"], answer["rows"].as_array().unwrap().len().to_string().as_str());
    assert!(res.text().await.unwrap().starts_with("channel,"));
    // Past the body limit: a usage error, nothing rendered.
    let big = json!({"answer": {"columns": [], "rows": [], "chart": {"kind": "table", "y": []}, "sql": "x".repeat(21 << 20)}, "to": "csv"});
    let (status, e) = s.post("/api/export", &s.acme, big).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("usage")), "{e}");
}

/// One line of the Prometheus text format: `name{label="value",…} number`.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// The samples of a Prometheus text, parsed strictly enough that a malformed line fails the test.
fn prometheus_samples(text: &str) -> Vec<Sample> {
    let is_name = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        let (name, labels) = match series.split_once('{') {
            None => (series, Vec::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let mut labels = Vec::new();
                let mut rest = body;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label: {line}"));
                    assert!(is_name(key), "bad label name {key:?}: {line}");
                    let mut value = String::new();
                    let mut chars = after.char_indices();
                    let end = loop {
                        match chars.next() {
                            Some((_, '\\')) => value.push(chars.next().expect("escape").1),
                            Some((i, '"')) => break i,
                            Some((_, c)) => value.push(c),
                            None => panic!("unterminated value: {line}"),
                        }
                    };
                    labels.push((key.to_string(), value));
                    rest = after[end + 1..].strip_prefix(',').unwrap_or(&after[end + 1..]);
                }
                (name, labels)
            }
        };
        assert!(is_name(name), "bad metric name {name:?}: {line}");
        samples.push(Sample { name: name.to_string(), labels, value });
    }
    samples
}

impl Setup {
    /// `GET /metrics` without a token: its samples, after checking the media type and that it parses.
    async fn metrics(&self) -> (String, Vec<Sample>) {
        let res = self.client.get(format!("{}/metrics", self.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        let text = res.text().await.unwrap();
        let samples = prometheus_samples(&text);
        (text, samples)
    }
}

/// The value of the sample `name` whose labels include `labels`, if there is one.
fn sample(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let has = |s: &Sample, (k, v): &(&str, &str)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v);
    samples.iter().find(|s| s.name == name && labels.iter().all(|l| has(s, l))).map(|s| s.value)
}

/// `/readyz` and `/metrics` answer without a token. The metrics count requests by route template and status
/// (never a raw path, a tenant or a user), time queries by engine, and count the guard's refusals and the
/// questions not understood by their error code.
#[tokio::test]
async fn operators_read_readiness_and_metrics_without_a_token() {
    let s = setup().await;
    let (status, ready) = s.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!((status, ready), (200, json!({"status": "ready"})));
    let (_, before) = s.metrics().await;
    assert_eq!(sample(&before, "inda_guard_rejections_total", &[]), Some(0.0));

    let (status, _) = s.post("/api/ask", &s.acme, json!({"question": "messages by channel"})).await;
    assert_eq!(status, 200);
    let (status, _) = s.post("/api/sql", &s.acme, json!({"sql": "DROP TABLE marts.fct_messages"})).await;
    assert_eq!(status, 403);
    let (status, _) = s.post("/api/ask", &s.globex, json!({"question": "what is the meaning of life"})).await;
    assert_eq!(status, 422);
    for _ in 0..2 {
        let (status, _) = s.get("/api/saved/an-analysis-id-7", &s.acme).await;
        assert_eq!(status, 404);
    }
    let (status, _) = s.call(reqwest::Method::GET, "/api/session", None, None).await;
    assert_eq!(status, 401);

    let (text, after) = s.metrics().await;
    let requests = |route: &str, method: &str, status: &str| {
        sample(
            &after,
            "inda_http_requests_total",
            &[("route", route), ("method", method), ("status", status)],
        )
    };
    assert_eq!(requests("/api/ask", "POST", "200"), Some(1.0), "{text}");
    assert_eq!(requests("/api/ask", "POST", "422"), Some(1.0), "{text}");
    assert_eq!(requests("/api/sql", "POST", "403"), Some(1.0), "{text}");
    assert_eq!(requests("/api/saved/{id}", "GET", "404"), Some(2.0), "{text}");
    assert_eq!(requests("/api/session", "GET", "401"), Some(1.0), "{text}");
    assert_eq!(requests("/readyz", "GET", "200"), Some(1.0), "{text}");
    assert_eq!(sample(&after, "inda_guard_rejections_total", &[]), Some(1.0), "{text}");
    assert_eq!(sample(&after, "inda_not_understood_total", &[]), Some(1.0), "{text}");
    let latency = [("route", "/api/saved/{id}"), ("le", "+Inf")];
    assert_eq!(sample(&after, "inda_http_request_duration_seconds_bucket", &latency), Some(2.0), "{text}");
    let queries = [("engine", "embedded")];
    assert_eq!(sample(&after, "inda_query_duration_seconds_count", &queries), Some(1.0), "{text}");
    assert!(sample(&after, "inda_query_duration_seconds_sum", &queries).unwrap() > 0.0, "{text}");
    // Declared, but nothing made up: no question engine was called (the offline engine answered).
    assert!(text.contains("# TYPE inda_provider_calls_total counter"), "{text}");
    assert_eq!(sample(&after, "inda_provider_calls_total", &[]), None);
    for private in ["acme_corp", "globex", "ana", "Ana", "an-analysis-id-7", "meaning of life"] {
        assert!(!text.contains(private), "{private} in /metrics:\n{text}");
    }
}

#[tokio::test]
async fn readyz_says_why_the_warehouse_cannot_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let app = App::open(DataDir::new(tmp.path().join("data"))).unwrap();
    let base = serve(app).await;
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let body: J = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "engine", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("inda demo init"), "{body}");
    let res = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "alive, though not ready");
}

/// Every response names its request: the caller's `X-Request-Id` when it is a short safe token, else a new
/// UUID, also on responses the Host check refuses.
#[tokio::test]
async fn every_response_carries_its_request_id() {
    let s = setup().await;
    let id = |res: &reqwest::Response| res.headers()["x-request-id"].to_str().unwrap().to_string();
    let get = |path: &str, request_id: Option<&str>| {
        let mut req = s.client.get(format!("{}{path}", s.base)).bearer_auth(&s.acme);
        if let Some(r) = request_id {
            req = req.header("x-request-id", r);
        }
        req.send()
    };
    let res = get("/api/session", Some("crm-4f2a.91_b")).await.unwrap();
    assert_eq!((res.status().as_u16(), id(&res)), (200, "crm-4f2a.91_b".to_string()));
    let (first, second) = (get("/healthz", None).await.unwrap(), get("/healthz", None).await.unwrap());
    assert!(uuid_like(&id(&first)) && uuid_like(&id(&second)), "{} {}", id(&first), id(&second));
    assert_ne!(id(&first), id(&second));
    for unsafe_id in ["two words", "a\"b", &"x".repeat(65)] {
        let res = get("/api/saved", Some(unsafe_id)).await.unwrap();
        assert!(uuid_like(&id(&res)), "{unsafe_id:?} became {}", id(&res));
    }
    let res =
        s.client.get(format!("{}/healthz", s.base)).header("host", "evil.example").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(uuid_like(&id(&res)));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-') && s.matches('-').count() == 4
}

#[tokio::test]
async fn audit_entries_record_the_client_address_agent_and_request_id() {
    let s = setup().await;
    let res = s
        .client
        .post(format!("{}/api/sql", s.base))
        .bearer_auth(&s.acme)
        .header("user-agent", "Analyst-Browser/1.0 (=cmd)")
        .header("x-request-id", "crm-audit-7")
        .json(&json!({"sql": "SELECT COUNT(*) AS n FROM marts.dim_contacts"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // The same data dir, read as the store's owner would.
    let app = App::open(DataDir::new(s._tmp.path().join("data"))).unwrap();
    let session = app.session(Some(&s.acme), None).await.unwrap();
    let entries = app.audit_log(&session, 50).unwrap();
    let entry =
        entries.iter().find(|e| e.details["request_id"] == "crm-audit-7").expect("the request's entry");
    assert_eq!(entry.details["client"], "serve");
    assert_eq!(entry.details["user_agent"], "Analyst-Browser/1.0 (=cmd)");
    let remote = entry.details["remote_addr"].as_str().unwrap_or_default();
    assert!(remote.starts_with("127.0.0.1:"), "{remote}");
    assert!(app.verify_audit(&session).unwrap().ok, "the chain covers the new details");
}
