//! How a step of a job fails: worth retrying (forge down, rate limit,
//! database hiccup) or final (item deleted, project not configured, token
//! without rights). `Engine::handle` maps these onto its public outcome.

use crate::forge::ForgeError;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    Retry(String),
    Drop(String),
}

pub(super) type Step<T> = Result<T, Failure>;

impl Failure {
    /// The reason as one error for a command (exit 2), whichever kind.
    pub(super) fn into_error(self) -> anyhow::Error {
        match self {
            Failure::Drop(reason) | Failure::Retry(reason) => anyhow::anyhow!(reason),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Retry(error.to_string())
    }
}

/// Whether a forge error is worth retrying later; auth errors are handled
/// separately (they are reported once per project).
pub(super) fn is_auth_error(error: &ForgeError) -> bool {
    matches!(error, ForgeError::Unauthorized | ForgeError::Forbidden(_))
}

/// A forge error other than an auth error, with what was being done.
pub(super) fn forge_failure(error: &ForgeError, doing: &str) -> Failure {
    let message = format!("{doing}: {error}");
    if error.is_retryable() {
        Failure::Retry(message)
    } else {
        Failure::Drop(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_retry_and_missing_items_drop() {
        let doing = "reading !1";
        assert!(matches!(
            forge_failure(&ForgeError::RateLimited { retry_after: None }, doing),
            Failure::Retry(_)
        ));
        assert!(matches!(
            forge_failure(&ForgeError::Transport("refused".into()), doing),
            Failure::Retry(_)
        ));
        assert!(matches!(
            forge_failure(
                &ForgeError::Unexpected {
                    status: 502,
                    body: String::new()
                },
                doing
            ),
            Failure::Retry(_)
        ));
        assert!(matches!(
            forge_failure(&ForgeError::NotFound("gone".into()), doing),
            Failure::Drop(_)
        ));
    }
}
