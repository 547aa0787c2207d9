//! The store's time: Unix milliseconds read from its injected [`Clock`] (the
//! engine's, shared through `Engine::with_clock`; the system's by default).
//! Row stamps, retry times, job and key leases and mail claims all come from
//! it, and every statement receives "now" as a bound value: no SQL reads the
//! database server's clock. Leases taken by one replica are compared against
//! another replica's clock, so replicas are assumed to keep their clocks in
//! sync (leases of seconds tolerate small skew), as they did when the store
//! read the system time directly; a test that sets the clock moves lease
//! expiry and retry times with it instead of sleeping.

use super::Store;
use crate::clock::Clock;
use std::sync::Arc;
use std::time::Duration;

impl Store {
    /// The store reading time from `clock` (sharing this store's pool).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Store {
        self.clock = clock;
        self
    }

    /// The clock the store reads, for whatever works beside it (the engine).
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
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
    use crate::clock::FixedClock;
    use chrono::{TimeZone, Utc};

    #[tokio::test]
    async fn the_store_reads_the_clock_it_is_given() {
        let start = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::at(start));
        let store = Store::in_memory().await.unwrap();
        let system = store.now_ms();
        assert!(system > 1_735_689_600_000, "the system's time: {system}");
        let store = store.with_clock(clock.clone());
        assert_eq!(store.now_ms(), start.timestamp_millis());
        clock.advance(chrono::Duration::milliseconds(1500));
        assert_eq!(store.now_ms(), start.timestamp_millis() + 1500);
    }

    #[test]
    fn huge_durations_saturate() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), i64::MAX);
        assert_eq!(after(10, Duration::MAX), i64::MAX);
    }
}
