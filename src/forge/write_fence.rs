//! A fence on forge writes made under a job lease. A worker runs each job
//! inside [`WriteFence::scope`] with the instant its lease is known to hold
//! until, moved on by each lease extension. A write attempted after that
//! instant is refused before it is sent ([`ForgeError::LeaseLost`]): the
//! worker stalled (a paused process, a store it could not reach) long enough
//! for another replica to take the job, which will do the work itself.
//! Both clients check it before every request that is not a GET (not once
//! per call: one call may read, wait and then write); work outside a worker
//! (commands, tests) has no fence.

use super::ForgeError;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

tokio::task_local! {
    static FENCE: WriteFence;
}

/// Until when this job's writes may go out; clones share the instant.
#[derive(Debug, Clone)]
pub struct WriteFence {
    holds_until: Arc<Mutex<Instant>>,
}

impl WriteFence {
    pub fn new(holds_until: Instant) -> WriteFence {
        WriteFence {
            holds_until: Arc::new(Mutex::new(holds_until)),
        }
    }

    /// Moves the fence to `until`, never backwards.
    pub fn extend_to(&self, until: Instant) {
        let mut holds_until = self.lock();
        *holds_until = (*holds_until).max(until);
    }

    pub fn expired(&self) -> bool {
        Instant::now() >= *self.lock()
    }

    /// Runs `work` with this fence on its forge writes.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        FENCE.scope(self, work).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Instant> {
        self.holds_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// `Err(LeaseLost)` when the running job's fence has passed; `Ok` outside a job.
pub fn check() -> Result<(), ForgeError> {
    match FENCE.try_with(WriteFence::expired) {
        Ok(true) => Err(ForgeError::LeaseLost),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn writes_pass_inside_the_lease_and_are_refused_after_it() {
        assert_eq!(check(), Ok(()), "no job, no fence");
        let fence = WriteFence::new(Instant::now() + Duration::from_millis(50));
        let extended = fence.clone();
        fence
            .scope(async move {
                assert_eq!(check(), Ok(()));
                extended.extend_to(Instant::now() + Duration::from_millis(150));
                extended.extend_to(Instant::now());
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert_eq!(check(), Ok(()), "the extension holds; going back does not");
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert_eq!(check(), Err(ForgeError::LeaseLost));
            })
            .await;
    }
}
