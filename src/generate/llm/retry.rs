//! Backoff between attempts: exponential from a base, capped, with jitter (so many
//! clients rejected together do not come back together), or what `Retry-After` asks.

use rand::Rng;
use std::time::{Duration, SystemTime};

/// Longest wait between two attempts, whatever the server asks.
const CAP: Duration = Duration::from_secs(120);

/// `Retry-After`: delay-seconds (integer, or a decimal as some servers send) or an
/// HTTP-date.
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e6)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The wait before attempt `attempt + 1`: the server's `Retry-After` when it gave one,
/// else `base · 2^(attempt-1)` with "equal jitter" (half fixed, half random).
pub(super) fn delay(base: Duration, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(CAP);
    }
    let exp = base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(CAP);
    let half = exp / 2;
    half + half.mul_f64(rand::thread_rng().gen::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("soon"), None);
        let later = SystemTime::now() + Duration::from_secs(30);
        let d = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(
            d <= Duration::from_secs(30) && d >= Duration::from_secs(28),
            "{d:?}"
        );
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 1..6 {
            let full = base * (1 << (attempt - 1));
            let d = delay(base, attempt, None);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
        assert!(delay(base, 40, None) <= CAP);
        assert_eq!(
            delay(base, 1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }
}
