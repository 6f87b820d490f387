//! Sending one alert message to its webhook: a JSON `POST` (Slack's `{"text": …}` plus the alert's fields),
//! each try under a time limit, failed tries retried after waits that grow fourfold ([`DeliveryPolicy`]).
//!
//! The URL is a secret (a Slack webhook's path is its password): it arrives wrapped in [`Secret`] and goes
//! nowhere else. Errors name the status or the transport's failure, with the URL scrubbed from reqwest's
//! text; no redirect is followed, so the message cannot be bounced to another host.
//!
//! Not here: whether a message is due, the ledger that keeps it from going out twice, the audit (`alerts`).

use crate::config::AlertsConfig;
use inda_core::{Error, Secret};
use std::time::Duration;

/// How a message is sent: `[alerts]` in config.toml, else 3 tries, 1 s then 4 s between them, 10 s each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Tries per message (1 to 10).
    pub attempts: u32,
    /// The wait after the first failed try; each further wait is 4 times longer.
    pub first_backoff: Duration,
    /// One try's time limit, connecting included.
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            attempts: 3,
            first_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

impl DeliveryPolicy {
    /// The policy `[alerts]` asks for, each value clamped to what makes sense.
    pub fn from_config(c: &AlertsConfig) -> DeliveryPolicy {
        let d = DeliveryPolicy::default();
        DeliveryPolicy {
            attempts: c.attempts.unwrap_or(d.attempts).clamp(1, 10),
            first_backoff: c.first_backoff.unwrap_or(d.first_backoff).min(Duration::from_secs(600)),
            timeout: c
                .timeout
                .unwrap_or(d.timeout)
                .clamp(Duration::from_millis(100), Duration::from_secs(120)),
        }
    }

    /// The wait after the `failed`-th failed try (1 → `first_backoff`, then ×4 each time).
    pub fn backoff(&self, failed: u32) -> Duration {
        let times = 4u32.saturating_pow(failed.saturating_sub(1).min(10));
        self.first_backoff.saturating_mul(times)
    }

    /// The longest a message can take, every try timing out: the lease of its claim is longer than this.
    pub fn longest(&self) -> Duration {
        let waits: Duration = (1..self.attempts).map(|n| self.backoff(n)).sum();
        self.timeout.saturating_mul(self.attempts).saturating_add(waits)
    }
}

/// How sending went: the tries made, and the last one's error when none succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    pub attempts: u32,
    pub error: Option<String>,
}

/// A webhook URL as given by its owner: `https`, or `http` to this machine only (a local relay, a test).
/// The error never repeats the URL.
pub(crate) fn check_url(text: &str) -> Result<Secret, Error> {
    let text = text.trim();
    let url = url::Url::parse(text)
        .map_err(|e| Error::usage(format!("the webhook URL is not a valid URL ({e})")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(Secret::new(text.to_string())),
        "http" if loopback => Ok(Secret::new(text.to_string())),
        "http" => Err(Error::usage("the webhook URL must use https (http only to localhost)")),
        _ => Err(Error::usage("the webhook URL must be an https:// address")),
    }
}

/// Posts `payload` to `url` under `policy`; `on_failure(n)` is told after the n-th failed try, before the
/// wait, so that the ledger keeps an honest count should the process stop.
pub(crate) async fn send(
    url: &Secret,
    payload: &serde_json::Value,
    policy: &DeliveryPolicy,
    on_failure: &(dyn Fn(u32) + Sync),
) -> Sent {
    let client = match client(policy.timeout) {
        Ok(c) => c,
        Err(error) => return Sent { attempts: 0, error: Some(error) },
    };
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (error, retry) = match try_once(&client, url, payload).await {
            Ok(()) => return Sent { attempts, error: None },
            Err(failure) => failure,
        };
        tracing::warn!(attempt = attempts, "the webhook refused the alert: {error}");
        on_failure(attempts);
        if !retry || attempts >= policy.attempts {
            return Sent { attempts, error: Some(error) };
        }
        tokio::time::sleep(policy.backoff(attempts)).await;
    }
}

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", e.without_url()))
}

/// One try: `Err((why, worth another try))`.
async fn try_once(
    client: &reqwest::Client,
    url: &Secret,
    payload: &serde_json::Value,
) -> Result<(), (String, bool)> {
    let response =
        client.post(url.expose()).json(payload).send().await.map_err(|e| (transport_error(e, url), true))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // A timeout, a throttle or the server's own failure may pass; any other refusal (a deleted webhook's
    // 404, a bad payload's 400) will not.
    let retry = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    Err((format!("the webhook answered HTTP {}", status.as_u16()), retry))
}

/// reqwest's error and its causes, without the URL (reqwest prints it, and it is a secret).
fn transport_error(e: reqwest::Error, url: &Secret) -> String {
    let timed_out = e.is_timeout();
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if timed_out && !text.contains("timed out") {
        text.push_str(" (timed out)");
    }
    text.replace(url.expose().as_str(), "<webhook>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_fourfold_and_the_lease_covers_every_try() {
        let p = DeliveryPolicy::default();
        assert_eq!([1, 2, 3].map(|n| p.backoff(n).as_secs()), [1, 4, 16]);
        assert_eq!(p.longest(), Duration::from_secs(3 * 10 + 1 + 4));
        let c = AlertsConfig { attempts: Some(50), first_backoff: None, timeout: Some(Duration::ZERO) };
        let clamped = DeliveryPolicy::from_config(&c);
        assert_eq!((clamped.attempts, clamped.timeout), (10, Duration::from_millis(100)));
    }

    #[test]
    fn only_https_or_a_local_http_url_is_accepted_and_errors_never_repeat_it() {
        assert!(check_url("https://hooks.slack.com/services/T0/B0/XYZ").is_ok());
        assert!(check_url("http://127.0.0.1:9999/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        for bad in ["http://example.com/SECRETPATH", "ftp://x/SECRETPATH", "SECRETPATH", "https://"] {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.code, inda_core::ErrorCode::Usage, "{bad}");
            assert!(!e.message.contains("SECRETPATH"), "{}", e.message);
        }
        assert_eq!(format!("{:?}", check_url("https://h/SECRETPATH").unwrap()), "<redacted>");
    }
}
