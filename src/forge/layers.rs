//! What every request of a forge client passes through, whichever the
//! forge, between its `Forge` methods and its HTTP: per trait call the
//! metering (`metered.rs`), per request the rate budget (`budget.rs`) and
//! the write fence of the job the client works for (`write_fence.rs`).
//! Retries (`retry.rs`) wrap a request from outside, as their policy is
//! the caller's (creating calls are tried once). One `Layers` per client;
//! its fenced copies share the budget and the meter, so a job's calls
//! count against the token's one budget and show in the one health.

use super::budget::RateBudget;
use super::metered::{ForgeHealth, Meter};
use super::write_fence::WriteFence;
use super::{ForgeError, ForgeKind};
use std::future::Future;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Layers {
    budget: Arc<RateBudget>,
    meter: Arc<Meter>,
    /// `None` outside a job: nothing to refuse.
    fence: Option<WriteFence>,
}

impl Layers {
    pub fn new(kind: ForgeKind) -> Layers {
        Layers {
            budget: Arc::new(RateBudget::default()),
            meter: Arc::new(Meter::new(kind)),
            fence: None,
        }
    }

    /// These layers for one job, whose writes stop at `fence`.
    pub fn fenced(&self, fence: WriteFence) -> Layers {
        Layers {
            fence: Some(fence),
            ..self.clone()
        }
    }

    /// The token's budget, for the answers' rate-limit headers.
    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    pub fn health(&self) -> ForgeHealth {
        self.meter.health()
    }

    /// Runs the trait method `call` (the method's name, the metric's
    /// `call` label) and counts it.
    pub async fn call<T>(
        &self,
        call: &'static str,
        work: impl Future<Output = Result<T, ForgeError>>,
    ) -> Result<T, ForgeError> {
        let result = work.await;
        self.meter.observe(call, result)
    }

    /// One try of one request: takes a unit of the budget, refuses a write
    /// (`write`: not a GET) past the fence, then sends. A failed try frees
    /// the probe it may have been, so the next call may go.
    pub async fn request<T>(
        &self,
        write: bool,
        send: impl Future<Output = Result<T, ForgeError>>,
    ) -> Result<T, ForgeError> {
        self.budget.acquire().await;
        // Checked per request, not per call: one call may read, wait and
        // then write (a label looked up, then created).
        if let Some(fence) = self.fence.as_ref().filter(|_| write)
            && let Err(lost) = fence.check()
        {
            // Nothing was sent: the probe this try may have been is free.
            self.budget.unprobed();
            return Err(lost);
        }
        let answer = send.await;
        if answer.is_err() {
            self.budget.unprobed();
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_fenced_copy_refuses_writes_past_its_fence_and_the_client_never_does() {
        let client = Layers::new(ForgeKind::GitLab);
        let job = client.fenced(WriteFence::new(Instant::now() - Duration::from_millis(1)));
        let sent = || async { Ok::<_, ForgeError>("sent") };
        assert_eq!(job.request(false, sent()).await, Ok("sent"), "reads go");
        assert_eq!(job.request(true, sent()).await, Err(ForgeError::LeaseLost));
        assert_eq!(
            client.request(true, sent()).await,
            Ok("sent"),
            "no job, no fence"
        );
    }

    #[tokio::test]
    async fn fenced_copies_share_the_health() {
        let client = Layers::new(ForgeKind::GitHub);
        let job = client.fenced(WriteFence::new(Instant::now() + Duration::from_secs(60)));
        let refused = job
            .call("milestones", async {
                Err::<(), _>(ForgeError::Transport("connection refused".into()))
            })
            .await;
        assert!(refused.is_err());
        assert!(matches!(client.health(), ForgeHealth::Down { .. }));
    }
}
