//! A fence on forge writes made under a job lease. A worker makes one fence
//! per job with the instant its lease is known to hold until, moved on by
//! each lease extension, and the job's forge clients are copies fenced with
//! it ([`Forge::fenced`](super::Forge::fenced)). A write attempted after
//! that instant is refused before it is sent ([`ForgeError::LeaseLost`]):
//! the worker stalled (a paused process, a store it could not reach) long
//! enough for another replica to take the job, which will do the work
//! itself. Both clients check it before every request that is not a GET
//! (not once per call: one call may read, wait and then write); a client
//! that was never fenced (commands, tests, the start-up probe) never refuses.
//! In observe mode every job's fence refuses every write
//! ([`ForgeError::Observing`]): the engine records what it would write
//! instead of writing, and the fence makes sure nothing it missed goes out.

use super::ForgeError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Until when this job's writes may go out; clones share the instant.
#[derive(Debug, Clone)]
pub struct WriteFence {
    holds_until: Arc<Mutex<Instant>>,
    /// Observe mode: no write goes out, whatever the lease.
    observing: bool,
}

impl WriteFence {
    pub fn new(holds_until: Instant) -> WriteFence {
        WriteFence {
            holds_until: Arc::new(Mutex::new(holds_until)),
            observing: false,
        }
    }

    /// This fence refusing every write when `observing`.
    pub fn observing(mut self, observing: bool) -> WriteFence {
        self.observing = observing;
        self
    }

    /// Moves the fence to `until`, never backwards.
    pub fn extend_to(&self, until: Instant) {
        let mut holds_until = self.lock();
        *holds_until = (*holds_until).max(until);
    }

    pub fn expired(&self) -> bool {
        Instant::now() >= *self.lock()
    }

    /// `Err(LeaseLost)` once the fence has passed; `Err(Observing)` always
    /// in observe mode.
    pub fn check(&self) -> Result<(), ForgeError> {
        if self.observing {
            Err(ForgeError::Observing)
        } else if self.expired() {
            Err(ForgeError::LeaseLost)
        } else {
            Ok(())
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Instant> {
        self.holds_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn writes_pass_inside_the_lease_and_are_refused_after_it() {
        let fence = WriteFence::new(Instant::now() + Duration::from_millis(50));
        assert_eq!(fence.check(), Ok(()));
        // The heartbeat holds a clone: its extensions move the job's fence.
        let extended = fence.clone();
        extended.extend_to(Instant::now() + Duration::from_millis(150));
        extended.extend_to(Instant::now());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            fence.check(),
            Ok(()),
            "the extension holds; going back does not"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(fence.check(), Err(ForgeError::LeaseLost));
    }

    #[test]
    fn an_observing_fence_refuses_every_write_inside_the_lease() {
        let fence = WriteFence::new(Instant::now() + Duration::from_secs(60));
        assert_eq!(fence.check(), Ok(()));
        assert_eq!(fence.observing(true).check(), Err(ForgeError::Observing));
    }
}
