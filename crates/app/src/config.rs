//! `config.toml` in the data dir: trusted token issuers, query limits, app settings (`[app] offline`),
//! where secrets go without an OS keyring (`[secrets] fallback`), which warehouse runs queries
//! (`[warehouse]`) and how alerts reach their webhooks (`[alerts]`).

use crate::DataDir;
use inda_auth::AuthConfig;
use inda_core::{ByteSize, Error};
use inda_warehouse::QueryLimits;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The data dir's `config.toml`; every section is optional and takes its defaults when absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    /// `[auth]`: the token issuers this installation trusts.
    #[serde(default)]
    pub auth: AuthConfig,
    /// `[query]`: the row cap, and the older spelling of two `[limits]` keys.
    #[serde(default)]
    pub query: QueryConfig,
    /// `[limits]`: time and memory per query, and how many run at once.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// `[app]`: offline mode and the UI's language.
    #[serde(default)]
    pub app: AppSettings,
    /// `[secrets]`: where secrets go without an OS keyring.
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// `[branding]`: the partner's name, logo and colours in the UI.
    #[serde(default)]
    pub branding: crate::branding::BrandingConfig,
    /// `[serve]`: who may frame `inda serve`'s UI and which host names it answers to.
    #[serde(default)]
    pub serve: ServeConfig,
    /// `[ask]`: language models tried when the offline engine does not understand a question.
    #[serde(default)]
    pub ask: inda_providers::AskConfig,
    /// `[warehouse]`: the embedded engine (default) or a Snowflake profile.
    #[serde(default, skip_serializing_if = "WarehouseConfig::is_embedded_default")]
    pub warehouse: WarehouseConfig,
    /// `[updates]`: where the desktop app looks for its next version (nowhere by default).
    #[serde(default)]
    pub updates: crate::updates::UpdatesConfig,
    /// `[audit]`: how long audit entries are kept (for ever by default).
    #[serde(default, skip_serializing_if = "AuditConfig::keeps_everything")]
    pub audit: AuditConfig,
    /// `[alerts]`: how alert messages are sent to their webhooks (tries, waits, time limit).
    #[serde(default, skip_serializing_if = "AlertsConfig::is_default")]
    pub alerts: AlertsConfig,
}

/// `[alerts]`: how an alert's message is sent to its webhook. Every key is optional:
///
/// ```toml
/// [alerts]
/// attempts = 3           # tries per message, 1 to 10
/// first_backoff = "1s"   # the wait after the first failed try; each further wait is 4 times longer
/// timeout = "10s"        # one try's limit, connecting included (100 ms to 2 min)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertsConfig {
    /// Tries per message; default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The wait after the first failed try (`"1s"`); each further wait is 4 times longer. Default 1 s.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "humantime_option")]
    pub first_backoff: Option<Duration>,
    /// One try's time limit (`"10s"`); default 10 s.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "humantime_option")]
    pub timeout: Option<Duration>,
}

impl AlertsConfig {
    fn is_default(&self) -> bool {
        *self == AlertsConfig::default()
    }
}

/// `[audit]`: `retention_days = 400` deletes entries older than that when the store opens (the chain stays
/// verifiable from the last one deleted). At least `MIN_AUDIT_RETENTION_DAYS` (31): the monthly model budget is
/// counted from the audit log.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditConfig {
    /// Days an entry is kept; absent, for ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
}

/// The shortest retention allowed: a month of model calls is what the budget reads.
pub const MIN_AUDIT_RETENTION_DAYS: u32 = 31;

impl AuditConfig {
    fn keeps_everything(&self) -> bool {
        self.retention_days.is_none()
    }

    /// The retention, refused below `MIN_AUDIT_RETENTION_DAYS` (31).
    pub fn retention(&self) -> Result<Option<chrono::Duration>, Error> {
        match self.retention_days {
            Some(d) if d < MIN_AUDIT_RETENTION_DAYS => Err(Error::usage(format!(
                "[audit] retention_days = {d} is too short: at least {MIN_AUDIT_RETENTION_DAYS} (the model budget reads a month of entries)"
            ))),
            Some(d) => Ok(Some(chrono::Duration::days(i64::from(d)))),
            None => Ok(None),
        }
    }
}

/// `[warehouse]`: `kind = "snowflake"` with `profile = "development"` and
/// `[warehouse.profiles.development]` (account, user, role, warehouse, database, `auth = "password"` or
/// `"key_pair"`, optional `base_url` for tests and proxies only).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WarehouseConfig {
    /// Which engine runs queries; `embedded` when absent.
    #[serde(default)]
    pub kind: WarehouseKind,
    /// The profile in use; `development` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Snowflake connection profiles by name (`[warehouse.profiles.NAME]`); only the one in use is read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub profiles: std::collections::BTreeMap<String, inda_snowflake::SnowflakeProfile>,
    /// Partitions the embedded engine splits one query into (twice as many when its largest table has more
    /// than one and at most three row groups per core, which then spread evenly over the cores; one stays
    /// one); the machine's cores (at most 8) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Whether the embedded engine answers grouped questions from its daily rollups when they give exactly
    /// the facts' answer (`true` when absent); `false` reads the facts every time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollups: Option<bool>,
}

/// Which warehouse runs the queries (`[warehouse] kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum WarehouseKind {
    /// DataFusion over the Parquet marts in the data dir (the default): no account, no network.
    #[default]
    Embedded,
    /// Snowflake, with the profile `[warehouse] profile` names; saved analyses are mirrored to its ADMIN
    /// tables.
    Snowflake,
}

impl WarehouseConfig {
    fn is_embedded_default(&self) -> bool {
        self.kind == WarehouseKind::Embedded
            && self.profile.is_none()
            && self.profiles.is_empty()
            && self.threads.is_none()
            && self.rollups.is_none()
    }

    /// The profile in use, or a usage error naming what to add.
    pub fn snowflake_profile(&self) -> Result<(&str, &inda_snowflake::SnowflakeProfile), Error> {
        let name = self.profile.as_deref().unwrap_or("development");
        self.profiles.get_key_value(name).map(|(k, v)| (k.as_str(), v)).ok_or_else(|| {
            Error::usage(format!(
                "[warehouse] kind = \"snowflake\" needs a [warehouse.profiles.{name}] section in config.toml"
            ))
        })
    }
}

/// The Snowflake warehouse of `config`. Its secret is the signed-in analyst's keyring entry
/// (`snowflake-password` or `snowflake-private-key`), read when a Snowflake session opens;
/// `SNOWFLAKE_PASSWORD` / `SNOWFLAKE_PRIVATE_KEY` take precedence, for CI and tests.
pub(crate) fn snowflake_warehouse(
    dir: &DataDir,
    config: &Config,
) -> Result<inda_snowflake::SnowflakeWarehouse, Error> {
    use inda_snowflake::{AuthMethod, Credentials};
    let (_, profile) = config.warehouse.snowflake_profile()?;
    let auth = profile.auth;
    let root = dir.root().to_path_buf();
    let fallback = match config.secrets.fallback {
        SecretsFallback::Refuse => inda_secrets::Fallback::Refuse,
        SecretsFallback::File => inda_secrets::Fallback::File,
    };
    let credentials: inda_snowflake::CredentialSource = std::sync::Arc::new(move |session| {
        let env = match auth {
            AuthMethod::Password => "SNOWFLAKE_PASSWORD",
            AuthMethod::KeyPair => "SNOWFLAKE_PRIVATE_KEY",
        };
        let secret = match std::env::var(env) {
            Ok(v) if !v.is_empty() => inda_core::Secret::new(v),
            _ => {
                let owner = inda_secrets::Owner::new(&session.tenant_id, &session.user_id);
                let name = inda_secrets::SecretName::parse(auth.secret_name())?;
                inda_secrets::Keyring::open(&root, fallback)?.get(&owner, &name)?.ok_or_else(|| {
                    Error::engine(format!(
                        "no Snowflake secret for this user: run `inda secret set {}` (or set {env})",
                        auth.secret_name()
                    ))
                })?
            }
        };
        Ok(match auth {
            AuthMethod::Password => Credentials::Password(secret),
            AuthMethod::KeyPair => Credentials::KeyPair(secret),
        })
    });
    inda_snowflake::SnowflakeWarehouse::new(profile.clone(), credentials)
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

impl ServeConfig {
    /// Whether a `frame_ancestors` entry is a plain origin: `https://host[:port]` (or `http://localhost…`), a
    /// `*` wildcard allowed, and nothing that could end the CSP directive and start another.
    pub fn is_frame_origin(origin: &str) -> bool {
        let Some((scheme, authority)) = origin.split_once("://") else { return false };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let port_ok = port.is_none_or(|p| {
            p == "*" || (!p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        });
        let label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let labels: Vec<&str> = host.split('.').collect();
        // `*` only as the whole first label of a name with more after it (CSP's `*.example.com`).
        let host_ok =
            labels.iter().enumerate().all(|(i, l)| label(l) || (i == 0 && *l == "*" && labels.len() > 1));
        let scheme_ok = scheme == "https" || (scheme == "http" && host == "localhost");
        scheme_ok && host_ok && port_ok
    }

    /// The `frame_ancestors` entries that are origins ([`ServeConfig::is_frame_origin`]), in their order: the
    /// CSP's `frame-ancestors` and `GET /api/embedding` both list exactly these.
    pub fn frame_origins(&self) -> Vec<String> {
        self.frame_ancestors.iter().filter(|o| Self::is_frame_origin(o)).cloned().collect()
    }
}

/// `GET /api/embedding`: who may frame the UI, read before any session exists, so that the UI inside the
/// CRM's iframe knows which parent origins it may ask for a token and take one from. Public: the same origins
/// are in every response's Content-Security-Policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Embedding {
    /// `[serve] frame_ancestors` without the entries that are not origins, in CSP syntax: exact origins, or a
    /// `*` wildcard host (`https://*.crm.example`).
    pub frame_ancestors: Vec<String>,
}

impl crate::App {
    /// The origins that may frame the UI and hand it tokens (see [`Embedding`]).
    pub fn embedding(&self) -> Embedding {
        Embedding { frame_ancestors: self.config.serve.frame_origins() }
    }
}

/// `[secrets]`: where secrets go when the OS has no keyring.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecretsConfig {
    /// `"refuse"` (the default) or `"file"`: a 0600 file in the data dir, with a warning each time.
    #[serde(default)]
    pub fallback: SecretsFallback,
}

/// Where secrets go when the OS has no keyring (`[secrets] fallback`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretsFallback {
    /// Store nothing (the default): without a keyring, signing in and storing a secret fail, saying why.
    #[default]
    Refuse,
    /// `secrets.json` in the data dir, readable by its owner only (0600), with a warning each time it is
    /// used.
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

/// `[query]`: the row cap, and the older spelling of two `[limits]` (`timeout_seconds`, `memory_mb`), still
/// read when `[limits]` does not set them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<usize>,
    #[serde(default = "default_rows")]
    pub max_rows: u64,
}

fn default_rows() -> u64 {
    10_000
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig { timeout_seconds: None, memory_mb: None, max_rows: default_rows() }
    }
}

/// `[limits]`: what one query, and all of them together, may take. Absent keys keep the defaults.
///
/// ```toml
/// [limits]
/// query_timeout = "60s"        # parse, plan and run, whoever asked
/// query_memory = "2GiB"        # joins, sorts and aggregates of one query: past it they spill or fail
/// process_memory = "4GiB"      # the whole app: running queries stop when it is over this
/// result_bytes = "64MiB"       # values one answer may carry, as well as [query] max_rows
/// concurrent_per_tenant = 2    # queries of one tenant running at once (as many more may wait)
/// concurrent_total = 4         # queries running at once, all tenants together
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LimitsConfig {
    /// Time one query may take, waiting for its turn included (`"60s"`, `"2m"`); 100 ms to 1 h, default
    /// `[query] timeout_seconds`, else 60 s.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "humantime_option")]
    pub query_timeout: Option<Duration>,
    /// Memory of one query's joins, sorts and aggregates; at least 64 MiB, default `[query] memory_mb`,
    /// else 2 GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_memory: Option<ByteSize>,
    /// Resident memory of the whole app over which running queries stop; never below `query_memory`,
    /// default twice it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_memory: Option<ByteSize>,
    /// Bytes of values one answer may carry (a larger result is an engine error); at least 1 KiB, default
    /// 64 MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_bytes: Option<ByteSize>,
    /// Queries of one tenant running at once, 1 to 64 (default 2); as many more may wait their turn, and
    /// past that a query gets a `busy` error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent_per_tenant: Option<usize>,
    /// Queries running at once over all tenants, 1 to 256 and at least `concurrent_per_tenant` (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent_total: Option<usize>,
}

/// How many queries may run at once, per tenant and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// Queries one tenant may run at once (1 to 64).
    pub per_tenant: usize,
    /// Queries all tenants together may run at once (1 to 256, never below `per_tenant`).
    pub total: usize,
}

impl Config {
    /// The limits of one query: `[limits]`, else `[query]`'s older keys, else the defaults, each clamped
    /// to what the app can honour.
    pub fn query_limits(&self) -> QueryLimits {
        let defaults = QueryLimits::default();
        let (limits, query) = (&self.limits, &self.query);
        let timeout = limits
            .query_timeout
            .or(query.timeout_seconds.map(Duration::from_secs))
            .unwrap_or(defaults.timeout)
            .clamp(Duration::from_millis(100), Duration::from_secs(3600));
        let memory = limits
            .query_memory
            .map(|b| b.0 as usize)
            .or(query.memory_mb.map(|mb| mb << 20))
            .unwrap_or(defaults.memory_bytes)
            .max(64 << 20);
        // Twice one query's pool by default: room for the app itself and what pools do not account for.
        let process = limits.process_memory.map_or(memory.saturating_mul(2), |b| b.0 as usize).max(memory);
        QueryLimits {
            // The architecture document caps results at 10,000 rows; a config may lower it, never raise it.
            max_rows: query.max_rows.clamp(1, 10_000) as usize,
            timeout,
            memory_bytes: memory,
            process_memory_bytes: process,
            result_bytes: limits.result_bytes.map_or(defaults.result_bytes, |b| b.0 as usize).max(1 << 10),
        }
    }

    /// `[limits] concurrent_*`, clamped: 2 per tenant and 4 in all by default.
    pub fn concurrency(&self) -> Concurrency {
        let per_tenant = self.limits.concurrent_per_tenant.unwrap_or(2).clamp(1, 64);
        let total = self.limits.concurrent_total.unwrap_or(4).clamp(1, 256).max(per_tenant);
        Concurrency { per_tenant, total }
    }
}

/// `"60s"`, `"2m"`, `"1m 30s"` (humantime) for an optional duration.
mod humantime_option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(&humantime::format_duration(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map(Some).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration ({e}): write it like \"60s\" or \"2m\""
            ))
        })
    }
}

impl Config {
    /// Reads the data dir's `config.toml`: no file is the default config; an unreadable or invalid one is a
    /// usage error naming the file.
    pub fn load(dir: &DataDir) -> Result<Config, Error> {
        match std::fs::read_to_string(dir.config()) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::usage(format!("{} is not valid: {}", dir.config().display(), e.message()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::usage(format!("cannot read {}: {e}", dir.config().display()))),
        }
    }

    /// Writes the config atomically (temp file, then rename), owner-only: it names accounts and profiles.
    pub fn save(&self, dir: &DataDir) -> Result<(), Error> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::internal(format!("cannot write the config: {e}")))?;
        inda_core::fs::write_private(&dir.config(), text.as_bytes())
            .map_err(|e| Error::internal(format!("cannot write the config: {}", e.message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_retention_is_at_least_a_month() {
        let read = |text: &str| toml::from_str::<Config>(text).unwrap().audit.retention();
        assert_eq!(read("").unwrap(), None, "kept for ever by default");
        assert_eq!(read("[audit]\nretention_days = 400").unwrap(), Some(chrono::Duration::days(400)));
        let short = read("[audit]\nretention_days = 7").unwrap_err();
        assert_eq!(short.code, inda_core::ErrorCode::Usage);
        // Saved back, an unset retention writes no [audit] table.
        assert!(!toml::to_string(&Config::default()).unwrap().contains("[audit]"));
    }

    #[test]
    fn only_origins_may_frame_the_ui() {
        for ok in [
            "https://crm.indigital.example",
            "https://crm.indigital.example:8443",
            "https://*.crm.partner.example",
            "https://*.crm.partner.example:*",
            "https://127.0.0.1:8443",
            "http://localhost:5173",
            "http://localhost",
        ] {
            assert!(ServeConfig::is_frame_origin(ok), "{ok}");
        }
        for refused in [
            "https://crm.example/path",
            "https://crm.*.example",
            "https://*",
            "https://*.",
            "*",
            "not an origin",
            "ftp://crm.example",
            "http://crm.example",
            "http://localhost.evil.example",
            "http://*.crm.localhost:8080",
            "https://crm.example:",
            "https://crm.example:abc",
            "https://user@crm.example",
            "https://crm.example; script-src *",
            "https://-crm.example",
            "https://crm..example",
        ] {
            assert!(!ServeConfig::is_frame_origin(refused), "{refused}");
        }
    }

    #[test]
    fn limits_are_read_in_words_and_the_older_keys_still_count() {
        let config: Config = toml::from_str(
            "[limits]\nquery_timeout = \"1m 30s\"\nquery_memory = \"512MiB\"\nresult_bytes = \"8MB\"\n\
             concurrent_per_tenant = 3\n[query]\ntimeout_seconds = 5\nmemory_mb = 100\nmax_rows = 50000\n",
        )
        .unwrap();
        let limits = config.query_limits();
        assert_eq!(limits.timeout, Duration::from_secs(90));
        assert_eq!(limits.memory_bytes, 512 << 20);
        assert_eq!(limits.process_memory_bytes, 1 << 30);
        assert_eq!(limits.result_bytes, 8_000_000);
        assert_eq!(limits.max_rows, 10_000, "a config never raises the row cap");
        assert_eq!(config.concurrency(), Concurrency { per_tenant: 3, total: 4 });

        let older: Config = toml::from_str("[query]\ntimeout_seconds = 5\nmemory_mb = 100\n").unwrap();
        assert_eq!(older.query_limits().timeout, Duration::from_secs(5));
        assert_eq!(older.query_limits().memory_bytes, 100 << 20);

        let bad = toml::from_str::<Config>("[limits]\nquery_timeout = \"soon\"\n").unwrap_err();
        assert!(bad.to_string().contains("not a duration"), "{bad}");
        let bad = toml::from_str::<Config>("[limits]\nquery_memory = \"lots\"\n").unwrap_err();
        assert!(bad.to_string().contains("not an amount of memory"), "{bad}");
    }

    #[test]
    fn a_snowflake_profile_is_read_and_the_default_writes_no_warehouse_section() {
        let text = r#"
[warehouse]
kind = "snowflake"
profile = "staging"

[warehouse.profiles.staging]
account = "myorg-analytics"
user = "INDA_APP"
role = "INDA_APP"
warehouse = "ANALYTICS_WH"
database = "INDIGITAL_STAGING"
auth = "key_pair"
"#;
        let config: Config = toml::from_str(text).expect("parses");
        assert_eq!(config.warehouse.kind, WarehouseKind::Snowflake);
        let (name, profile) = config.warehouse.snowflake_profile().expect("profile");
        assert_eq!((name, profile.database.as_str()), ("staging", "INDIGITAL_STAGING"));
        assert_eq!(profile.auth, inda_snowflake::AuthMethod::KeyPair);
        assert_eq!(profile.schema, "MARTS");
        assert!(profile.base_url.is_none());

        let missing: Config = toml::from_str("[warehouse]\nkind = \"snowflake\"\n").expect("parses");
        let err = missing.warehouse.snowflake_profile().expect_err("no profile");
        assert!(err.message.contains("[warehouse.profiles.development]"), "{}", err.message);

        let default = toml::to_string(&Config::default()).expect("serializes");
        assert!(!default.contains("warehouse"), "{default}");
    }
}
