//! The updater against a local update server on 127.0.0.1: the real plugin (its HTTP client, version
//! comparison and minisign verification) inside a mock Tauri runtime, so it needs no display. The server
//! offers a newer signed package, a tampered one, one signed with another key, an older version and the same
//! version; only the first may be taken. Installing (`dpkg -i`) is left to `scripts/install-smoke.sh`, which
//! does it with the real package.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use inda_desktop::updates;
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use url::Url;

struct Keys(minisign::KeyPair);

impl Keys {
    fn generate() -> Keys {
        Keys(minisign::KeyPair::generate_unencrypted_keypair().expect("a key pair"))
    }

    /// The public key as `tauri.conf.json` holds it: the base64 of minisign's public key file.
    fn public(&self) -> String {
        B64.encode(self.0.pk.to_box().expect("public key box").to_string())
    }

    /// A signature as the manifest carries it: the base64 of minisign's `.sig` file.
    fn sign(&self, data: &[u8]) -> String {
        let sig = minisign::sign(Some(&self.0.pk), &self.0.sk, data, None, None).expect("signature");
        B64.encode(sig.to_string())
    }
}

/// A listener on 127.0.0.1 and its base URL.
fn bind() -> (TcpListener, Url) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("address"));
    (listener, Url::parse(&base).expect("base URL"))
}

/// Serves `routes` (path → body) over HTTP/1.1 until the test ends; 404 for anything else.
fn serve(listener: TcpListener, routes: HashMap<String, Vec<u8>>) {
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                // Drain the headers.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let (status, body) = match routes.get(&path) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let mut out = &stream;
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = out.write_all(&body);
            });
        }
    });
}

fn manifest(version: &str, url: &Url, signature: &str) -> Vec<u8> {
    let target = updates::manifest_target().expect("a supported platform");
    serde_json::to_vec(&json!({
        "version": version,
        "notes": "Faster dashboards.",
        "pub_date": "2026-12-01T12:00:00Z",
        "platforms": { target: { "url": url.as_str(), "signature": signature } }
    }))
    .expect("JSON")
}

/// A mock app (version 0.1.0, as the workspace's) whose updater trusts `pubkey`.
fn app(pubkey: &str) -> tauri::App<tauri::test::MockRuntime> {
    let mut context = tauri::test::mock_context(tauri::test::noop_assets());
    context
        .config_mut()
        .plugins
        .0
        .insert("updater".into(), json!({"pubkey": "", "dangerousInsecureTransportProtocol": true}));
    tauri::test::mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().pubkey(pubkey).build())
        .build(context)
        .expect("a mock app")
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_newer_package_signed_with_the_apps_key_is_taken() {
    let ours = Keys::generate();
    let theirs = Keys::generate();
    // The bytes are what is signed; their being a real package is the install test's concern.
    let package = b"!<arch>\ndebian-binary   version 0.2.0 of the app".to_vec();
    let mut tampered = package.clone();
    tampered[20] ^= 1;

    let (listener, base) = bind();
    let url = |p: &str| base.join(p).expect("URL");
    let routes = HashMap::from([
        ("/app.deb".to_string(), package.clone()),
        ("/tampered.deb".to_string(), tampered),
        ("/newer.json".to_string(), manifest("0.2.0", &url("app.deb"), &ours.sign(&package))),
        ("/tampered.json".to_string(), manifest("0.2.0", &url("tampered.deb"), &ours.sign(&package))),
        ("/foreign.json".to_string(), manifest("0.2.0", &url("app.deb"), &theirs.sign(&package))),
        ("/garbled.json".to_string(), manifest("0.2.0", &url("app.deb"), "not a signature")),
        ("/older.json".to_string(), manifest("0.0.9", &url("app.deb"), &ours.sign(&package))),
        ("/same.json".to_string(), manifest("0.1.0", &url("app.deb"), &ours.sign(&package))),
    ]);
    serve(listener, routes);
    let endpoint = url;
    let app = app(&ours.public());
    let handle = app.handle();

    let newer = updates::offer(handle, endpoint("newer.json")).await.expect("a check").expect("an offer");
    assert_eq!((newer.version.as_str(), newer.current_version.as_str()), ("0.2.0", "0.1.0"));
    assert_eq!(updates::download(&newer).await.expect("a verified package"), package);

    for refused in ["tampered.json", "foreign.json", "garbled.json"] {
        let offer = updates::offer(handle, endpoint(refused)).await.expect("a check").expect("an offer");
        let e = updates::download(&offer).await.expect_err(refused);
        assert!(e.message.contains("signature does not verify"), "{refused}: {}", e.message);
    }
    for not_newer in ["older.json", "same.json"] {
        let offer = updates::offer(handle, endpoint(not_newer)).await.expect("a check");
        assert!(offer.is_none(), "{not_newer} must not be offered");
    }
    // A server that is down or answers nonsense is an error, not an offer.
    assert!(updates::offer(handle, endpoint("missing.json")).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_asked_without_an_endpoint_or_a_deb_installation() {
    let app = app(&Keys::generate().public());
    let pending = updates::Pending::default();
    let check = updates::check(app.handle(), None, &pending).await.expect("a check");
    assert_eq!(check, inda_app::UpdateCheck::NotConfigured);
    // This test binary is no package's file: its updates would come from elsewhere.
    let (_listener, base) = bind();
    let check = updates::check(app.handle(), Some(base), &pending).await.expect("a check");
    assert_eq!(check, inda_app::UpdateCheck::Unsupported { current_version: "0.1.0".into() });
}
