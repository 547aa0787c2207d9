//! The store's clock: Unix milliseconds from the system clock. Leases, retry
//! times and ledger timestamps are compared against it (replicas are assumed
//! to keep their clocks in sync, as leases of seconds tolerate small skew).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    millis(since_epoch)
}

/// A duration in milliseconds, saturating (a huge lease is "forever", not an overflow).
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// `now + duration`, saturating.
pub(crate) fn after(now: i64, duration: Duration) -> i64 {
    now.saturating_add(millis(duration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_after_2025_and_moves_forward() {
        let first = now_ms();
        assert!(first > 1_735_689_600_000, "{first}");
        std::thread::sleep(Duration::from_millis(2));
        assert!(now_ms() > first);
    }

    #[test]
    fn huge_durations_saturate() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), i64::MAX);
        assert_eq!(after(10, Duration::MAX), i64::MAX);
    }
}
