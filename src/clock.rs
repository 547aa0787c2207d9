//! The one injected clock. The engine reads it once per evaluation and
//! decides, fingerprints and dates its mail with that instant; the store
//! stamps its rows and times its leases and retries with it. Both share one
//! `Arc<dyn Clock>`, so a test that sets the time sets it for both instead of
//! waiting for time to pass.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// Where the time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced. For one process's
/// tests: replicas compare lease times read from each other's clocks, so a
/// database other processes share needs the real time.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> FixedClock {
        FixedClock {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().expect("clock") = now;
    }

    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock") += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let start = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
        let clock = FixedClock::at(start);
        assert_eq!(clock.now(), start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(2));
        assert_eq!(clock.now(), start + Duration::days(2));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }
}
