//! What the server's comment handler and the server-less readers share
//! when they act on commands: the author's right as core::exceptions wants
//! it, and the reactions that acknowledge a comment's commands.

use crate::core::exceptions::{Right, Steered};
use crate::engine::approvers::{Permission, may_approve};
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::forge::{CommentRef, Reaction};

/// Whether `user` may approve and withdraw exceptions here (cached).
pub(crate) async fn right_of(project: &ProjectContext<'_>, user: &str) -> Step<Right> {
    Ok(match may_approve(project, user).await? {
        Permission::Allowed => Right::Allowed,
        Permission::Refused { needs } => Right::Refused { needs },
    })
}

/// Thumbs up on the comment for commands acted on, thumbs down for any
/// refused or not understood. Best effort: the bot's comment says the same
/// in words, and a retried job finds the comment handled and does not
/// react again, so a failed reaction is logged, not retried. Observe
/// mode does not react.
pub(crate) async fn acknowledge(project: &ProjectContext<'_>, at: CommentRef, decided: &[Steered]) {
    if project.engine.observe {
        // Observe mode writes nothing; the comment's answers wait for the
        // first evaluation that writes.
        return;
    }
    let mut reactions = Vec::new();
    if decided.iter().any(Steered::acted) {
        reactions.push(Reaction::Acted);
    }
    if decided.iter().any(|s| !s.acted()) {
        reactions.push(Reaction::Refused);
    }
    for reaction in reactions {
        if let Err(error) = project.forge.react(project.path(), at, reaction).await {
            tracing::warn!(
                project = %project.path(),
                comment = at.id.0,
                error = %error,
                "could not react to a command"
            );
        }
    }
}
