//! The `Retry-After` header (RFC 9110 §10.2.3), read the same way by the model providers and the sync.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::time::Duration;

/// How long a `Retry-After` value asks to wait, from `now`: delta-seconds (`120`; any other non-negative
/// number, `1.5` as some servers send, is accepted too) or an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete
/// RFC 850 and asctime forms a recipient must accept). A date in the past means now (zero). `None` for
/// anything else. No upper bound is applied here: callers cap it to their own policy. A number too large for a
/// `Duration` saturates to `Duration::MAX` (the longest wait, not an error).
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    }
    let when = http_date(value)?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (and the other RFC 2822 forms chrono reads), then RFC 850, then asctime.
fn http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc2822(value) {
        return Some(d.with_timezone(&Utc));
    }
    // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`.
    if let Some(rest) = value.strip_suffix(" GMT")
        && let Ok(d) = NaiveDateTime::parse_from_str(rest, "%A, %d-%b-%y %H:%M:%S")
    {
        return Some(d.and_utc());
    }
    // asctime: `Sun Nov  6 08:49:37 1994` (chrono's %e takes the space-padded day).
    NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y").ok().map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc2822("Sun, 06 Nov 1994 08:49:00 GMT").expect("date").to_utc()
    }

    #[test]
    fn delta_seconds() {
        assert_eq!(retry_after("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 7 ", now()), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("0", now()), Some(Duration::ZERO));
        assert_eq!(retry_after("1.5", now()), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn http_dates_in_the_future_and_the_past() {
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now()), Some(Duration::from_secs(37)));
        assert_eq!(retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now()), Some(Duration::from_secs(37)));
        assert_eq!(retry_after("Sun Nov  6 08:49:37 1994", now()), Some(Duration::from_secs(37)));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now()), Some(Duration::ZERO));
        assert_eq!(retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now()), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_none() {
        for value in
            ["", "  ", "soon", "-1", "-0.5", "NaN", "inf", "12 seconds", "Sun, 32 Nov 1994 08:49:37 GMT"]
        {
            assert_eq!(retry_after(value, now()), None, "{value:?}");
        }
    }

    #[test]
    fn huge_values_saturate_without_a_cap() {
        assert_eq!(retry_after("86400000", now()), Some(Duration::from_secs(86_400_000)));
        assert_eq!(retry_after("99999999999999999999999", now()), Some(Duration::MAX));
        assert_eq!(retry_after("99999999999999999999999.5", now()), Some(Duration::MAX));
    }
}
