//! One handler per kind of [`Work`], each in its own file; `run` is the one
//! place that says which handler a job goes to. A handler takes the project
//! context the job is about (or, for work about several projects, the
//! engine and the job's forge clients) and nothing else.

mod announce;
mod comment;
mod evaluate;
mod milestone;
mod project;
mod render_block;

use crate::engine::failure::Step;
use crate::engine::{Engine, Forges};
use crate::work::Work;

/// Runs one job's work.
/// `forges` are the job's clients (fenced to its lease under a worker).
pub(crate) async fn run(engine: &Engine, forges: &Forges, work: &Work) -> Step<()> {
    match work {
        Work::Evaluate {
            forge,
            project,
            kind,
            number,
        } => {
            let project = engine.project_context(forges, *forge, project)?;
            evaluate::run(&project, *kind, *number).await
        }
        Work::Comment {
            forge,
            project,
            kind,
            number,
            author,
            body,
            edited,
            comment_id,
        } => {
            let project = engine.project_context(forges, *forge, project)?;
            let comment = comment::Comment {
                kind: *kind,
                number: *number,
                author,
                body,
                edited: *edited,
                id: *comment_id,
            };
            comment::run(&project, &comment).await
        }
        Work::MilestoneChanged {
            forge,
            scope,
            action,
            ..
        } => milestone::run(engine, forges, *forge, scope, *action).await,
        Work::Reevaluate { forge, project } | Work::Sync { forge, project } => {
            let project = engine.project_context(forges, *forge, project)?;
            project::run(&project).await
        }
        Work::RenderBlock {
            forge,
            project,
            milestone,
        } => {
            let project = engine.project_context(forges, *forge, project)?;
            render_block::run(&project, *milestone).await
        }
        Work::Announce {
            forge,
            project,
            milestone,
            kind,
        } => {
            let project = engine.project_context(forges, *forge, project)?;
            announce::run(&project, *milestone, *kind).await
        }
    }
}
