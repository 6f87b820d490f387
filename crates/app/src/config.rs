//! `config.toml` in the data dir: trusted token issuers, query limits, app settings (`[app] offline`) and
//! where secrets go without an OS keyring (`[secrets] fallback`).

use crate::DataDir;
use inda_auth::AuthConfig;
use inda_core::Error;
use inda_warehouse::QueryLimits;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub query: QueryConfig,
    #[serde(default)]
    pub app: AppSettings,
    #[serde(default)]
    pub secrets: SecretsConfig,
    #[serde(default)]
    pub branding: crate::branding::BrandingConfig,
    #[serde(default)]
    pub serve: ServeConfig,
    /// `[ask]`: language models tried when the offline engine does not understand a question.
    #[serde(default)]
    pub ask: inda_providers::AskConfig,
}

/// `[serve]`: `inda serve` for browsers and the CRM's iframe.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServeConfig {
    /// Origins allowed to frame the UI (the CRM), e.g. `["https://crm.indigital.example"]`. Without any,
    /// only the server's own pages may frame it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frame_ancestors: Vec<String>,
    /// Host names the server answers to besides localhost and the bound address (guards against DNS
    /// rebinding).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
}

/// `[secrets]`: where secrets go when the OS has no keyring.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecretsConfig {
    /// `"refuse"` (the default) or `"file"`: a 0600 file in the data dir, with a warning each time.
    #[serde(default)]
    pub fallback: SecretsFallback,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretsFallback {
    #[default]
    Refuse,
    File,
}

/// `[app]`: how the app behaves.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppSettings {
    /// Serve saved analyses and dashboards from the local cache only, never touching the warehouse.
    #[serde(default)]
    pub offline: bool,
    /// The UI's language (`en` or `es`); absent, it follows the OS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryConfig {
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    #[serde(default = "default_memory")]
    pub memory_mb: usize,
    #[serde(default = "default_rows")]
    pub max_rows: u64,
}

fn default_timeout() -> u64 {
    60
}
fn default_memory() -> usize {
    2048
}
fn default_rows() -> u64 {
    10_000
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig {
            timeout_seconds: default_timeout(),
            memory_mb: default_memory(),
            max_rows: default_rows(),
        }
    }
}

impl QueryConfig {
    pub fn limits(&self) -> QueryLimits {
        QueryLimits {
            // The architecture document caps results at 10,000 rows; a config may lower it, never raise it.
            max_rows: self.max_rows.clamp(1, 10_000) as usize,
            timeout: Duration::from_secs(self.timeout_seconds.clamp(1, 3600)),
            memory_bytes: self.memory_mb.clamp(64, 1 << 20) << 20,
        }
    }
}

impl Config {
    pub fn load(dir: &DataDir) -> Result<Config, Error> {
        match std::fs::read_to_string(dir.config()) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::usage(format!("{} is not valid: {}", dir.config().display(), e.message()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::usage(format!("cannot read {}: {e}", dir.config().display()))),
        }
    }

    /// Writes the config atomically (temp file, then rename).
    pub fn save(&self, dir: &DataDir) -> Result<(), Error> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::internal(format!("cannot write the config: {e}")))?;
        // A unique temp name: two processes saving the same config must not trip over each other's file.
        let tmp = dir.config().with_extension(format!("toml.tmp-{}-{}", std::process::id(), uuid_like()));
        std::fs::write(&tmp, text).map_err(|e| Error::internal(format!("cannot write the config: {e}")))?;
        std::fs::rename(&tmp, dir.config())
            .map_err(|e| Error::internal(format!("cannot write the config: {e}")))
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}
