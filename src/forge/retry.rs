//! Bounded retries with exponential backoff for forge calls: 429 and 5xx
//! (and broken connections) are tried again, honouring `Retry-After`. Calls
//! that create something are not repeated blindly: see [`RetryPolicy::run_or_find`].

use super::ForgeError;
use std::future::Future;
use std::time::Duration;

/// How many times to try and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first included. 1 means no retry.
    pub attempts: u32,
    /// Wait before the second try; doubled before each later one.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever `Retry-After` says.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: for callers that handle failure themselves.
    pub fn none() -> Self {
        RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before try number `next_attempt` (2 for the first retry).
    pub fn delay_before(&self, next_attempt: u32, error: &ForgeError) -> Duration {
        let exponent = next_attempt.saturating_sub(2).min(16);
        let backoff = self.base_delay.saturating_mul(1u32 << exponent);
        error.retry_after().unwrap_or(backoff).min(self.max_delay)
    }

    /// Runs `call` until it succeeds, fails with a non-retryable error, or
    /// the tries are used up; returns the last result.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, ForgeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ForgeError>>,
    {
        // A call that makes nothing has nothing to look for between tries.
        self.run_or_find(call, || async { Ok(None) }).await
    }

    /// Like [`Self::run`], for a call that creates something (a comment, a
    /// check run) and so must not simply be sent again: a 5xx or a broken
    /// connection may only have lost the answer after the forge had made it
    /// (a proxy timing out), and a second try would make a second one. So
    /// after each retryable failure and the usual wait, `find` looks for what
    /// the lost try may have made; the call is tried again only when it
    /// finds nothing. `find` is a read, retried on its own; its error ends
    /// the call (the job is retried later, and looks before creating then too).
    pub async fn run_or_find<T, C, CF, L, LF>(
        &self,
        mut create: C,
        mut find: L,
    ) -> Result<T, ForgeError>
    where
        C: FnMut() -> CF,
        CF: Future<Output = Result<T, ForgeError>>,
        L: FnMut() -> LF,
        LF: Future<Output = Result<Option<T>, ForgeError>>,
    {
        let mut attempt = 1;
        loop {
            match create().await {
                Err(error) if error.is_retryable() && attempt < self.attempts => {
                    attempt += 1;
                    let wait = self.delay_before(attempt, &error);
                    tracing::debug!(%error, attempt, wait_ms = wait.as_millis() as u64, "retrying forge call");
                    tokio::time::sleep(wait).await;
                    // Even after a 429 (which a forge answers before acting):
                    // a look-up costs one read, a duplicate stays for everyone to see.
                    if let Some(found) = find().await? {
                        return Ok(found);
                    }
                }
                result => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(50),
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        let error = ForgeError::from_status(503, "", None);
        assert_eq!(policy.delay_before(2, &error), Duration::from_millis(100));
        assert_eq!(policy.delay_before(3, &error), Duration::from_millis(200));
        assert_eq!(policy.delay_before(4, &error), Duration::from_millis(350));
    }

    #[test]
    fn retry_after_overrides_backoff_within_the_cap() {
        let policy = RetryPolicy::default();
        let limited = ForgeError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(policy.delay_before(2, &limited), Duration::from_secs(3));
        let huge = ForgeError::RateLimited {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(policy.delay_before(2, &huge), policy.max_delay);
    }

    #[tokio::test]
    async fn server_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let result = quick()
            .run(|| async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(ForgeError::from_status(500, "", None))
                } else {
                    Ok("done")
                }
            })
            .await;
        assert_eq!(result, Ok("done"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn tries_stop_at_the_bound_and_return_the_last_error() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = quick()
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ForgeError::RateLimited { retry_after: None })
            })
            .await;
        assert_eq!(result, Err(ForgeError::RateLimited { retry_after: None }));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    /// A create whose answer was lost after the forge made the thing.
    #[tokio::test]
    async fn a_lost_create_is_found_not_made_again() {
        let made = AtomicU32::new(0);
        let result = quick()
            .run_or_find(
                || async {
                    made.fetch_add(1, Ordering::SeqCst);
                    Err(ForgeError::from_status(502, "bad gateway", None))
                },
                || async { Ok((made.load(Ordering::SeqCst) > 0).then_some(7)) },
            )
            .await;
        assert_eq!(result, Ok(7));
        assert_eq!(made.load(Ordering::SeqCst), 1, "created once");
    }

    #[tokio::test]
    async fn a_create_that_did_not_happen_is_tried_again_until_the_bound() {
        let tries = AtomicU32::new(0);
        let looks = AtomicU32::new(0);
        let result: Result<u32, _> = quick()
            .run_or_find(
                || async {
                    tries.fetch_add(1, Ordering::SeqCst);
                    Err(ForgeError::Transport("connection reset".into()))
                },
                || async {
                    looks.fetch_add(1, Ordering::SeqCst);
                    Ok(None)
                },
            )
            .await;
        assert_eq!(
            result,
            Err(ForgeError::Transport("connection reset".into()))
        );
        assert_eq!(tries.load(Ordering::SeqCst), 3);
        assert_eq!(looks.load(Ordering::SeqCst), 2, "a look before each retry");
    }

    #[tokio::test]
    async fn a_refused_create_is_neither_retried_nor_looked_for() {
        let looks = AtomicU32::new(0);
        let result: Result<u32, _> = quick()
            .run_or_find(
                || async { Err(ForgeError::Forbidden("read-only".into())) },
                || async {
                    looks.fetch_add(1, Ordering::SeqCst);
                    Ok(None)
                },
            )
            .await;
        assert!(matches!(result, Err(ForgeError::Forbidden(_))));
        assert_eq!(looks.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn not_found_is_not_retried() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = quick()
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ForgeError::from_status(404, "gone", None))
            })
            .await;
        assert!(matches!(result, Err(ForgeError::NotFound(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
