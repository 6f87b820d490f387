//! `[updates]`: where the desktop app looks for its next version, and what it tells the UI about one.
//!
//! Only the rules live here (which endpoints are acceptable, the shape of an offer); fetching the signed
//! manifest, verifying the package's signature and installing it is the desktop shell's updater plugin.
//! There is no endpoint by default: an installation checks for updates only when its `config.toml` says
//! where.

use inda_core::Error;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

/// `[updates]` in `config.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdatesConfig {
    /// The update manifest's URL (Tauri's updater JSON), e.g.
    /// `https://updates.indigital.example/analytics/{{target}}/{{current_version}}`. HTTPS only, except on
    /// the loopback address (a local mirror, the tests): the package's signature is what makes an update
    /// trustworthy, but a manifest read in the clear would still tell an observer who runs which version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

impl UpdatesConfig {
    /// The configured endpoint, checked; `None` when updates are not set up.
    pub fn endpoint(&self) -> Result<Option<Url>, Error> {
        let Some(text) = self.endpoint.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let url = Url::parse(text)
            .map_err(|e| Error::usage(format!("[updates] endpoint is not a URL ({e}): {text}")))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        match url.scheme() {
            "https" => Ok(Some(url)),
            "http" if loopback => Ok(Some(url)),
            _ => Err(Error::usage(format!(
                "[updates] endpoint must use https (plain http only on this machine's loopback address): {text}"
            ))),
        }
    }
}

/// What a check for updates found (the desktop app's `check_update` command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateCheck {
    /// No `[updates] endpoint` in `config.toml`: nothing was asked.
    NotConfigured,
    /// This installation cannot replace itself (not installed from the `.deb`, e.g. a development build or
    /// an `.rpm`): updates come from the package manager.
    Unsupported {
        /// This installation's version.
        current_version: String,
    },
    /// The newest version offered is not newer than this one (an older one is never installed).
    UpToDate {
        /// This installation's version.
        current_version: String,
    },
    /// A newer version, to install once the user agrees.
    Available(AvailableUpdate),
}

/// A newer version the update server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AvailableUpdate {
    /// The version offered.
    pub version: String,
    /// This installation's version.
    pub current_version: String,
    /// The release notes, as the server wrote them.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), if the manifest says.
    pub published: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(text: &str) -> Result<Option<Url>, Error> {
        UpdatesConfig { endpoint: Some(text.into()) }.endpoint()
    }

    #[test]
    fn only_https_or_loopback_endpoints_are_taken() {
        assert_eq!(UpdatesConfig::default().endpoint().unwrap(), None);
        assert_eq!(endpoint("  ").unwrap(), None);
        for ok in [
            "https://updates.indigital.example/analytics/{{target}}/{{current_version}}",
            "http://127.0.0.1:8080/latest.json",
            "http://localhost:9/latest.json",
            "http://[::1]:9/latest.json",
        ] {
            assert!(endpoint(ok).unwrap().is_some(), "{ok}");
        }
        for refused in [
            "http://updates.indigital.example/latest.json",
            "http://127.0.0.1.evil.example/latest.json",
            "ftp://127.0.0.1/latest.json",
            "file:///tmp/latest.json",
            "not a url",
        ] {
            let e = endpoint(refused).unwrap_err();
            assert_eq!(e.code, inda_core::ErrorCode::Usage, "{refused}");
        }
    }
}
