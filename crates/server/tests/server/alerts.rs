//! `/api/alerts` over real HTTP: create, list, pause, test and delete, scoped exactly like saved analyses
//! (another tenant's or user's alert id is `not_found`, and they cannot alert on someone else's analysis),
//! with the webhook URL in no answer. A local webhook (a thread per request over std sockets) receives the
//! test message. The URL is kept in the OS keyring: run these in a D-Bus session (see `scripts/test.sh`).

use super::{demo_app, serve};
use reqwest::Method;
use serde_json::{Value as J, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

const NEEDLE: &str = "T0HTTP/B0HTTP/httpsecret2718";

/// A local webhook answering 200; the bodies it received.
fn webhook() -> (String, Arc<Mutex<Vec<J>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/services/{NEEDLE}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(J::Null));
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (url, seen)
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn call(&self, method: Method, path: &str, token: &str, body: Option<J>) -> (u16, J) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(!text.contains(NEEDLE), "{path}: {text}");
        (status, serde_json::from_str(&text).unwrap_or(J::String(text)))
    }
}

#[tokio::test]
async fn alerts_belong_to_their_owner_and_never_show_their_webhook() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = demo_app(&tmp, &["acme_corp", "globex"]);
    let mut mint = |tenant: &str, user: &str| {
        app.mint_token(&inda_app::MintRequest {
            tenant_id: tenant.into(),
            user_id: user.into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec!["analyst".into()],
            ttl_seconds: 3600,
        })
        .unwrap()
    };
    let (ana, pedro, globex) = (mint("acme_corp", "ana"), mint("acme_corp", "pedro"), mint("globex", "ana"));
    let api = Api { base: serve(app).await, client: reqwest::Client::new() };
    let (url, seen) = webhook();

    let (status, saved) = api
        .call(
            Method::POST,
            "/api/saved",
            &ana,
            Some(json!({"name": "Messages", "sql": "SELECT COUNT(*) AS messages FROM marts.fct_messages"})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let analysis = saved["id"].as_str().unwrap().to_string();
    let (status, _) = api.call(Method::POST, &format!("/api/saved/{analysis}/run"), &ana, None).await;
    assert_eq!(status, 200);
    let request = json!({"analysis_id": analysis, "condition": "above", "threshold": 10, "webhook_url": url});
    let (status, alert) = api.call(Method::POST, "/api/alerts", &ana, Some(request.clone())).await;
    assert_eq!(status, 200, "{alert}");
    let id = alert["id"].as_str().unwrap().to_string();
    assert_eq!((alert["condition"].as_str(), alert["paused"].as_bool()), (Some("above"), Some(false)));
    assert!(alert["last_value"].as_f64().unwrap() > 10.0, "the cached result is its baseline: {alert}");

    // Another user of the tenant, or another tenant: nothing to see, change, test or alert on.
    for other in [&pedro, &globex] {
        let (status, list) = api.call(Method::GET, "/api/alerts", other, None).await;
        assert_eq!((status, list), (200, json!([])));
        let attempts = [
            (Method::PATCH, format!("/api/alerts/{id}"), Some(json!({"paused": true}))),
            (Method::DELETE, format!("/api/alerts/{id}"), None),
            (Method::POST, format!("/api/alerts/{id}/test"), None),
            (Method::POST, "/api/alerts".to_string(), Some(request.clone())),
        ];
        for (method, path, body) in attempts {
            let (status, e) = api.call(method.clone(), &path, other, body).await;
            assert_eq!(
                (status, e["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{method} {path}: {e}"
            );
        }
        let (_, events) = api.call(Method::GET, "/api/alerts/events", other, None).await;
        assert_eq!(events, json!([]));
    }
    assert!(seen.lock().unwrap().is_empty());

    // The owner's test message goes now; pause and resume answer the alert; a bad body is a usage error.
    let (status, sent) = api.call(Method::POST, &format!("/api/alerts/{id}/test"), &ana, None).await;
    assert_eq!(
        (status, sent["status"].as_str(), sent["attempts"].as_u64()),
        (200, Some("sent"), Some(1)),
        "{sent}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (status, paused) =
        api.call(Method::PATCH, &format!("/api/alerts/{id}"), &ana, Some(json!({"paused": true}))).await;
    assert_eq!((status, paused["paused"].as_bool()), (200, Some(true)), "{paused}");
    let (status, e) = api.call(Method::PATCH, &format!("/api/alerts/{id}"), &ana, Some(json!({}))).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("usage")), "{e}");
    let (status, list) = api.call(Method::GET, "/api/alerts", &ana, None).await;
    assert_eq!((status, list.as_array().unwrap().len()), (200, 1));
    let (status, events) =
        api.call(Method::GET, "/api/alerts/events?since=2000-01-01T00:00:00.000Z", &ana, None).await;
    assert_eq!((status, events), (200, json!([])), "a test message is no fired alert");
    let (status, deleted) = api.call(Method::DELETE, &format!("/api/alerts/{id}"), &ana, None).await;
    assert_eq!((status, deleted), (200, json!({"deleted": true})));
    let (status, e) = api.call(Method::DELETE, &format!("/api/alerts/{id}"), &ana, None).await;
    assert_eq!((status, e["error"]["code"].as_str()), (404, Some("not_found")));
}
