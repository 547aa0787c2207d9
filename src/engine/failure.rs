//! How a step of a job fails, typed by cause: a forge call, the store, a
//! mail, the token's rights, work that cannot run at all, or a send another
//! process holds. Whether a retry may help follows from the cause
//! (`is_retryable`); `Engine::handle` maps it onto its public outcome.

use crate::forge::ForgeError;
use crate::store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Failure {
    /// A forge call failed; `doing` says what it was for.
    #[error("{doing}: {error}")]
    Forge { doing: String, error: ForgeError },
    /// The store failed (a database hiccup, or a corrupt row).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The token has no right to do this (reported once per project).
    #[error("{0}")]
    Access(String),
    /// A mail could not be sent; `transient` when a later try may succeed.
    #[error("{reason}")]
    Mail { reason: String, transient: bool },
    /// Another process is sending this mail now; look again later.
    #[error("{0}")]
    Busy(String),
    /// The work cannot run: the project is not configured, the item or
    /// milestone is gone, the rules or a template are broken.
    #[error("{0}")]
    Unrunnable(String),
}

pub(crate) type Step<T> = Result<T, Failure>;

impl Failure {
    /// Whether a later try of the same work may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Forge { error, .. } => error.is_retryable(),
            Failure::Store(_) | Failure::Busy(_) => true,
            Failure::Mail { transient, .. } => *transient,
            Failure::Access(_) | Failure::Unrunnable(_) => false,
        }
    }

    /// The reason as one error for a command (exit 2), whichever kind.
    pub(crate) fn into_error(self) -> anyhow::Error {
        anyhow::anyhow!(self.to_string())
    }
}

/// Whether a forge error says the token lacks rights (rejected, or not
/// allowed to write); these are reported once per project, not retried.
pub(crate) fn is_auth_error(error: &ForgeError) -> bool {
    matches!(error, ForgeError::Unauthorized | ForgeError::Forbidden(_))
}

/// A forge error other than an auth error, with what was being done.
pub(crate) fn forge_failure(error: &ForgeError, doing: &str) -> Failure {
    Failure::Forge {
        doing: doing.to_string(),
        error: error.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_retry_and_missing_items_drop() {
        let doing = "reading !1";
        let retried = |error: ForgeError| forge_failure(&error, doing).is_retryable();
        assert!(retried(ForgeError::RateLimited { retry_after: None }));
        assert!(retried(ForgeError::Transport("refused".into())));
        assert!(retried(ForgeError::Unexpected {
            status: 502,
            body: String::new()
        }));
        assert!(!retried(ForgeError::NotFound("gone".into())));
        assert_eq!(
            forge_failure(&ForgeError::NotFound("gone".into()), doing).to_string(),
            "reading !1: not found on the forge: gone"
        );
    }
}
