//! Fault knobs of the demo API server, to prove the sync survives a misbehaving API:
//! `slow=200ms` (every page waits), `429=N` (every Nth page request answers 429 with `Retry-After`),
//! `retry-after=S` (seconds, default 1), `500=N` (every Nth answers 500), `drop=N` (every Nth drops the
//! connection mid-page), `dup=K` (every page after the first repeats the K records before it), `update=K`
//! (after the first page of users of each tenant, K records of that page are updated upstream, as if edited
//! during the sync). `N=1` makes a fault persistent. Knobs are comma-separated: `429=5,500=7,dup=3`.

use crate::DemoError;
use inda_core::Error;
use std::time::Duration;

/// The faults the demo API injects (the knobs are listed above). `Default` injects none; a count of 0
/// turns its fault off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// `slow=`: delay before answering every page request (zero: none).
    pub slow: Duration,
    /// `429=N`: every Nth page request answers 429 Too Many Requests.
    pub rate_limit_every: u64,
    /// `retry-after=S`: the `Retry-After` of those 429s, in seconds (1 when [`Faults::parse`] is not told).
    pub retry_after_secs: u64,
    /// `500=N`: every Nth page request answers 500.
    pub error_every: u64,
    /// `drop=N`: every Nth page request sends half its body, then drops the connection.
    pub drop_every: u64,
    /// `dup=K`: every page after the first starts with the last K records of the page before it again.
    pub duplicates: usize,
    /// `update=K`: after the first page of users of each tenant, K records of that page are edited
    /// upstream (their `city`), as if changed during the sync.
    pub update_during_sync: usize,
}

/// What a request gets, by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    None,
    RateLimited,
    ServerError,
    Dropped,
}

impl Faults {
    /// Reads comma-separated knobs (`429=5,500=7,dup=3`); an unknown knob or a bad value is a usage error.
    pub fn parse(spec: &str) -> Result<Faults, Error> {
        let mut f = Faults { retry_after_secs: 1, ..Default::default() };
        for knob in spec.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let (name, value) =
                knob.split_once('=').ok_or_else(|| DemoError::FaultNotNameValue(knob.to_string()))?;
            let bad = || Error::from(DemoError::FaultBadValue(knob.to_string()));
            let num = || value.trim().parse::<u64>().map_err(|_| bad());
            match name.trim() {
                "slow" => {
                    let v = value.trim();
                    let ms = if let Some(ms) = v.strip_suffix("ms") {
                        ms.parse::<u64>().map_err(|_| bad())?
                    } else if let Some(s) = v.strip_suffix('s') {
                        s.parse::<u64>().map_err(|_| bad())? * 1000
                    } else {
                        v.parse::<u64>().map_err(|_| bad())?
                    };
                    f.slow = Duration::from_millis(ms);
                }
                "429" => f.rate_limit_every = num()?,
                "retry-after" => f.retry_after_secs = num()?,
                "500" => f.error_every = num()?,
                "drop" => f.drop_every = num()?,
                "dup" => f.duplicates = num()? as usize,
                "update" => f.update_during_sync = num()? as usize,
                other => {
                    return Err(DemoError::UnknownFault(other.to_string()).into());
                }
            }
        }
        Ok(f)
    }

    /// The fault injected into page request number `n` (1-based).
    pub fn injected(&self, n: u64) -> Injected {
        let hit = |every: u64| every > 0 && n.is_multiple_of(every);
        if hit(self.rate_limit_every) {
            Injected::RateLimited
        } else if hit(self.error_every) {
            Injected::ServerError
        } else if hit(self.drop_every) {
            Injected::Dropped
        } else {
            Injected::None
        }
    }
}
