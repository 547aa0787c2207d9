//! `Work::Comment`: a comment was added to an MR or issue, or edited. The
//! `/schemagate` commands in it are read (core::commands), each decided
//! (core::exceptions::steer) with the approver's right asked of the forge
//! only for `approve` and `unapprove`, recorded once per version of the
//! comment, acknowledged with a reaction, and the item evaluated again so
//! the bot's comment and status show the outcome. The bot's own comments
//! and comments without commands cost nothing.

use crate::core::commands::{Command, Parsed, parse_commands};
use crate::core::comment::is_bot_comment;
use crate::core::exceptions::{
    ANSWERS_SHOWN, Asked, Effect, Item, Steered, apply, comment_key, needs_right, steer,
};
use crate::core::ids::item_reference;
use crate::engine::failure::Step;
use crate::engine::milestones::fresh_milestones;
use crate::engine::pipeline::decide::{Extra, prepare_with};
use crate::engine::pipeline::{self, read::Found};
use crate::engine::project::ProjectContext;
use crate::engine::steering::{acknowledge, right_of};
use crate::forge::{CommentId, CommentRef, ItemKind, ItemNumber};

/// A comment on one item of `project`.
pub(super) struct Comment<'w> {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub author: &'w str,
    pub body: &'w str,
    pub edited: bool,
    /// `None` for a comment queued before the id was carried.
    pub id: Option<CommentId>,
}

pub(super) async fn run(project: &ProjectContext<'_>, comment: &Comment<'_>) -> Step<()> {
    let reference = item_reference(project.kind, comment.kind, comment.number);
    let enabled = project.config.commands.enabled && !is_bot_comment(comment.body);
    let commands = if enabled {
        parse_commands(comment.body)
    } else {
        Vec::new()
    };
    tracing::debug!(
        project = %project.path(),
        item = %reference,
        author = comment.author,
        comment = comment.id.map(|id| id.0),
        edited = comment.edited,
        bytes = comment.body.len(),
        commands = commands.len(),
        "comment read"
    );
    if commands.is_empty() {
        return Ok(());
    }
    let key = project.item_key(comment.kind, comment.number);
    let version = comment_key(comment.id.map(|id| id.0), comment.author, comment.body);
    if project.store().comment_handled(&key, &version).await? {
        // A redelivered webhook, or a retry after the record was saved.
        tracing::debug!(item = %reference, "comment already handled");
        return Ok(());
    }
    if commands.iter().any(is_recheck) {
        // Asked because a webhook may have been missed: the milestones too
        // are read afresh, not taken from the cache.
        fresh_milestones(project).await?;
    }
    let prepared = match pipeline::prepare(project, comment.kind, comment.number).await? {
        Found::Present(prepared) => prepared,
        Found::Gone(_) => return Ok(()),
    };
    let mut steering = prepared.facts.steering.clone();
    let item = Item {
        kind: comment.kind,
        state: prepared.facts.state,
        reference: &reference,
        migration_files: &prepared.facts.migration_files,
    };
    let at = project.engine.now();
    let mut right = None;
    let mut decided: Vec<Steered> = Vec::new();
    for parsed in &commands {
        if needs_right(parsed) && right.is_none() && item.state == crate::forge::ItemState::Open {
            right = Some(right_of(project, comment.author).await?);
        }
        let asked = Asked {
            author: comment.author,
            parsed,
            at,
            comment: comment.id.map(|id| id.0),
        };
        let steered = steer(&steering, &asked, right.as_ref(), &item);
        apply(&mut steering, &steered);
        decided.push(steered);
    }
    let store = project.store();
    for steered in &decided {
        match &steered.effect {
            Effect::Approve(exception) => store.approve_exception(&key, exception).await?,
            Effect::Withdraw(ending) => {
                store.end_exception(&key, ending).await?;
            }
            Effect::None | Effect::Recheck => {}
        }
    }
    let records: Vec<_> = decided.iter().map(|s| s.record.clone()).collect();
    store.record_commands(&key, &version, &records).await?;
    tracing::info!(
        item = %reference,
        author = comment.author,
        edited = comment.edited,
        commands = records.len(),
        acted = decided.iter().filter(|s| s.acted()).count(),
        "commands handled"
    );
    if let Some(id) = comment.id {
        let at = CommentRef {
            kind: comment.kind,
            number: comment.number,
            id,
        };
        acknowledge(project, at, &decided).await;
    }
    // Decided again with the steering just recorded, from what was read:
    // the comment and status show the outcome without reading the item twice.
    let extra = Extra {
        matches: prepared.matches.clone(),
        reason: prepared.facts.db_change_reason.clone(),
        closing_merge_requests: prepared.closing_merge_requests.clone(),
        steering: Some(store.steering(&key, ANSWERS_SHOWN).await?),
        conflicts: prepared.facts.conflicts.clone(),
        peers_to_tell: prepared.peers_to_tell.clone(),
    };
    let again = prepare_with(
        project,
        prepared.subject,
        prepared.record,
        extra,
        prepared.project_state,
    )
    .await?;
    let evaluated = pipeline::commit(project, again).await?;
    tracing::debug!(item = %reference, writes = evaluated.writes, "evaluated after commands");
    Ok(())
}

fn is_recheck(parsed: &Parsed) -> bool {
    matches!(
        parsed,
        Parsed::Command {
            command: Command::Recheck,
            ..
        }
    )
}
