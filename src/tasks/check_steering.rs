//! Commands read without a server (`check`, `sync --store forge`): the
//! bot's comment carries the record of what was handled (exceptions,
//! answers, the comment versions done); every later command in the item's
//! comments is decided here as the server's handler decides it, with the
//! approver's right asked of the forge. So an exception works the same in
//! CI-only setups, and a `check` beside a server agrees with it.

use crate::core::commands::parse_commands;
use crate::core::comment::is_bot_comment;
use crate::core::exceptions::{
    Asked, CoveredFile, Effect, Item, Steered, Steering, apply, comment_key, needs_right,
    read_record, steer,
};
use crate::core::ids::ItemState;
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::engine::steering::{acknowledge, right_of};
use crate::forge::{CommentId, CommentRef, ItemComment, ItemKind, ItemNumber};

/// The item's steering as the thread says it, and the commands decided
/// in this run (to acknowledge when writing).
#[derive(Debug, Default)]
pub(crate) struct ThreadSteering {
    pub steering: Steering,
    pub decided: Vec<(CommentId, Vec<Steered>)>,
}

/// The item's comments, when commands are on (one list request).
pub(crate) async fn read_thread(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    reference: &str,
) -> Step<Vec<ItemComment>> {
    if !project.config.commands.enabled {
        return Ok(Vec::new());
    }
    project
        .forge
        .comments(project.path(), ItemKind::MergeRequest, number)
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading the comments of {reference}")))
}

/// Replays the thread: the bot's record, then each command not handled yet.
pub(crate) async fn steering_of_thread(
    project: &ProjectContext<'_>,
    thread: &[ItemComment],
    state: ItemState,
    migration_files: &[CoveredFile],
    reference: &str,
) -> Step<ThreadSteering> {
    let mut steering = thread
        .iter()
        .rev()
        .find(|c| is_bot_comment(&c.body))
        .and_then(|c| read_record(&c.body))
        .unwrap_or_default();
    let item = Item {
        kind: ItemKind::MergeRequest,
        state,
        reference,
        migration_files,
    };
    let mut decided = Vec::new();
    for comment in thread.iter().filter(|c| !is_bot_comment(&c.body)) {
        let version = comment_key(Some(comment.id.0), &comment.author, &comment.body);
        if steering.handled.contains(&version) {
            continue;
        }
        let commands = parse_commands(&comment.body);
        if commands.is_empty() {
            continue;
        }
        let mut right = None;
        let mut steered_here = Vec::new();
        for parsed in &commands {
            if needs_right(parsed) && right.is_none() && state == ItemState::Open {
                right = Some(right_of(project, &comment.author).await?);
            }
            let asked = Asked {
                author: &comment.author,
                parsed,
                at: comment.updated_at,
                comment: Some(comment.id.0),
            };
            let steered = steer(&steering, &asked, right.as_ref(), &item);
            apply(&mut steering, &steered);
            steered_here.push(steered);
        }
        if steered_here.iter().any(|s| s.effect != Effect::Recheck) {
            steering.handled.push(version);
        }
        decided.push((comment.id, steered_here));
    }
    Ok(ThreadSteering { steering, decided })
}

/// Acknowledges the commands decided in this run, as the server does.
pub(crate) async fn react_to_thread(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    decided: &[(CommentId, Vec<Steered>)],
) {
    for (id, steered) in decided {
        let at = CommentRef {
            kind: ItemKind::MergeRequest,
            number,
            id: *id,
        };
        acknowledge(project, at, steered).await;
    }
}
