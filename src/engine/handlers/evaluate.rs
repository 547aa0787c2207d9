//! `Work::Evaluate`: one MR or issue through the pipeline. What it implies
//! (blocks to re-render, issues to re-evaluate, mails that may be due) was
//! queued with its record; an item that no longer exists ends the job.

use crate::engine::failure::Step;
use crate::engine::pipeline::{self, read::Found, read::gone};
use crate::engine::project::ProjectContext;
use crate::forge::{ItemKind, ItemNumber};

pub(super) async fn run(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<()> {
    match pipeline::evaluate(project, kind, number).await? {
        Found::Present(_evaluated) => Ok(()),
        Found::Gone(_forgotten) => Err(gone(kind, number)),
    }
}
