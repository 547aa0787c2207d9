//! How a step of a job fails, typed by cause: a forge call, the store, a
//! mail, the token's rights, work that cannot run at all, or a send another
//! process holds. Whether a retry may help follows from the cause
//! (`is_retryable`); `Engine::handle` maps it onto its public outcome.
//! Wrapped errors stay the `source` of the failure, so a command's error
//! and a log line can say the whole chain.

use crate::core::announcements::AnnouncementKind;
use crate::core::types::MilestoneId;
use crate::forge::rights::Write;
use crate::forge::{ForgeError, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A forge call failed; `doing` says what it was for.
    #[error("{doing}: {error}")]
    Forge {
        doing: String,
        #[source]
        error: ForgeError,
    },
    /// The store failed (a database hiccup, or a corrupt row).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The token has no right to do this (reported once per project).
    #[error(transparent)]
    Access(AccessDenied),
    /// A write a read-only token was refused where that ends the run (the
    /// server-less sync), said as `check` says it.
    #[error(transparent)]
    ReadOnly(WriteRefused),
    /// A mail could not be sent; `transient` when a later try may succeed.
    #[error("{reason}")]
    Mail { reason: String, transient: bool },
    /// Another process is sending this mail now; look again later.
    #[error("another process is sending the {} now", .0.noun())]
    Busy(AnnouncementKind),
    /// The work cannot run at all; a retry would fail the same way.
    #[error(transparent)]
    Unrunnable(Unrunnable),
}

/// A token the forge turned away: rejected outright, or without the right
/// to make one kind of write.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct AccessDenied {
    pub forge: ForgeKind,
    pub project: ProjectPath,
    /// What the call was for ("setting the gate status on !12").
    pub doing: String,
    /// The write refused, when it was one (says which right is missing).
    pub write: Option<Write>,
    #[source]
    pub error: ForgeError,
}

impl AccessDenied {
    fn sentence(&self) -> String {
        let (forge, path, doing, error) =
            (self.forge.name(), &self.project, &self.doing, &self.error);
        let mut reason = match error {
            ForgeError::Unauthorized => {
                format!("the token for {forge} was rejected for {path} ({doing}): {error}")
            }
            _ => format!("the token for {forge} cannot write to {path} ({doing}): {error}"),
        };
        if let (ForgeError::Forbidden(_), Some(write)) = (error, self.write) {
            reason.push_str(&format!("; it needs {}", write.needs(self.forge)));
        }
        reason
    }
}

/// A write a read-only token was refused: `check` reports it instead of
/// failing, in its own words ("may only read").
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "could not write to {reference}: the token for {} may only read {project} ({error}); {} needs {}",
    .forge.name(),
    .write.doing(),
    .write.needs(*.forge)
)]
pub struct WriteRefused {
    /// The item, as people write it (`!12`).
    pub reference: String,
    pub forge: ForgeKind,
    pub project: ProjectPath,
    pub write: Write,
    #[source]
    pub error: ForgeError,
}

/// Why a job cannot run, whatever is tried again.
#[derive(Debug, thiserror::Error)]
pub enum Unrunnable {
    #[error("project {path} is not configured for {}", .forge.name())]
    ProjectNotConfigured { forge: ForgeKind, path: ProjectPath },
    #[error("project {path} is on {} but no {} connection is configured", .forge.name(), .forge.name())]
    NoConnection { forge: ForgeKind, path: ProjectPath },
    #[error("no configured {} project is in group {group}", .forge.name())]
    NoProjectInGroup { forge: ForgeKind, group: String },
    #[error("{} {number} no longer exists on the forge", noun(*.kind))]
    ItemGone { kind: ItemKind, number: ItemNumber },
    #[error("milestone {0} is gone")]
    MilestoneGone(MilestoneId),
    /// The project's rule packs do not load or compile.
    #[error("{0}")]
    Rules(String),
    #[error("no [mail] section is configured")]
    NoMail,
    #[error("project {0} has no `announce` table")]
    NoAnnounceTable(ProjectPath),
    #[error("the mail template is broken: {0}")]
    Template(#[source] crate::mail::TemplateError),
}

fn noun(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::MergeRequest => "merge request",
        ItemKind::Issue => "issue",
    }
}

pub(crate) type Step<T> = Result<T, Failure>;

impl Failure {
    /// Whether a later try of the same work may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Forge { error, .. } => error.is_retryable(),
            Failure::Store(_) | Failure::Busy(_) => true,
            Failure::Mail { transient, .. } => *transient,
            Failure::Access(_) | Failure::ReadOnly(_) | Failure::Unrunnable(_) => false,
        }
    }

    /// The failure as one error for a command (exit 2), its causes kept.
    pub(crate) fn into_error(self) -> anyhow::Error {
        anyhow::Error::new(self)
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

    #[test]
    fn a_refused_write_names_the_right_it_needs_and_keeps_its_cause() {
        let denied = AccessDenied {
            forge: ForgeKind::GitLab,
            project: ProjectPath("lava/lava".into()),
            doing: "setting the gate status on !12".into(),
            write: Some(Write::Status),
            error: ForgeError::Forbidden("403".into()),
        };
        let text = denied.to_string();
        assert!(
            text.starts_with(
                "the token for gitlab cannot write to lava/lava (setting the gate status on !12)"
            ),
            "{text}"
        );
        assert!(text.contains("; it needs "), "{text}");
        let failure = Failure::Access(denied);
        assert!(!failure.is_retryable());
        let source = std::error::Error::source(&failure).expect("the forge error is kept");
        assert!(source.to_string().contains("403"), "{source}");
    }

    #[test]
    fn a_command_error_keeps_the_failure_and_its_causes() {
        let failure = forge_failure(
            &ForgeError::Transport("refused".into()),
            "listing milestones",
        );
        let error = failure.into_error();
        assert!(error.downcast_ref::<Failure>().is_some());
        assert_eq!(error.chain().count(), 2);
    }
}
