//! What each kind of job does: an event names the MR, issue or milestone
//! it affects; an evaluation runs and enqueues what it implies (blocks to
//! re-render, issues to re-evaluate); a milestone event bumps the epoch and
//! re-evaluates the project.

use crate::engine::Engine;
use crate::engine::announce::run_announce;
use crate::engine::block::render_block;
use crate::engine::failure::{Failure, Step};
use crate::engine::milestones::only_descriptions_changed;
use crate::engine::pipeline::decide::FollowUps;
use crate::engine::pipeline::issue::evaluate_issue;
use crate::engine::pipeline::merge_request::evaluate_merge_request;
use crate::engine::pipeline::merge_request::gone;
use crate::engine::project::ProjectContext;
use crate::engine::scan::enqueue_project_work;
use crate::forge::{ForgeKind, ItemKind, ItemNumber};
use crate::store::NewJob;
use crate::work::{MilestoneAction, MilestoneScope, Work};

pub(crate) async fn run(engine: &Engine, work: &Work) -> Step<()> {
    match work {
        Work::Evaluate {
            forge,
            project,
            kind,
            number,
        } => {
            let project = engine.project_context(*forge, project)?;
            evaluate_item(&project, *kind, *number).await
        }
        Work::Reevaluate { forge, project } | Work::Sync { forge, project } => {
            let project = engine.project_context(*forge, project)?;
            enqueue_project_work(&project).await
        }
        Work::RenderBlock {
            forge,
            project,
            milestone,
        } => {
            let project = engine.project_context(*forge, project)?;
            render_block(&project, *milestone).await.map(|_| ())
        }
        Work::Announce {
            forge,
            project,
            milestone,
            kind,
        } => {
            let project = engine.project_context(*forge, project)?;
            run_announce(&project, *milestone, *kind).await
        }
        // The bot's decisions do not read comments.
        Work::Comment { forge, project, .. } => engine.project_context(*forge, project).map(|_| ()),
        Work::MilestoneChanged {
            forge,
            scope,
            action,
            ..
        } => milestone_changed(engine, *forge, scope, *action).await,
    }
}

/// Bumps the milestone epoch of every configured project the milestone
/// belongs to (a group milestone: every project under the group) and
/// re-evaluates them. An edit that changed only descriptions (the bot's
/// own block writes come back as such edits on GitHub) touches nothing
/// a decision reads: one fresh read confirms it, instead of listing the
/// project's every MR and issue again.
async fn milestone_changed(
    engine: &Engine,
    forge: ForgeKind,
    scope: &MilestoneScope,
    action: MilestoneAction,
) -> Step<()> {
    let projects: Vec<ProjectContext<'_>> = match scope {
        MilestoneScope::Project(path) => vec![engine.project_context(forge, path)?],
        MilestoneScope::Group(group) => {
            let under: Vec<_> = engine.config.projects_in_group(forge, group).collect();
            if under.is_empty() {
                return Err(Failure::Unrunnable(format!(
                    "no configured {} project is in group {group}",
                    forge.name()
                )));
            }
            under
                .into_iter()
                .map(|p| engine.context_for(p))
                .collect::<Step<_>>()?
        }
    };
    for project in projects {
        if action == MilestoneAction::Edited && only_descriptions_changed(&project).await? {
            continue;
        }
        engine
            .store
            .bump_milestones_epoch(project.kind, &project.config.path)
            .await?;
        enqueue_work(engine, &project.reevaluate()).await?;
    }
    Ok(())
}

/// Evaluates one item and enqueues what it implies.
async fn evaluate_item(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<()> {
    let result = match kind {
        ItemKind::MergeRequest => evaluate_merge_request(project, number, None).await?,
        ItemKind::Issue => evaluate_issue(project, number, None).await?,
    };
    // The follow-ups were queued with the record (or its deletion).
    match result {
        Ok(_evaluated) => Ok(()),
        Err(_forgotten) => Err(gone(kind, number)),
    }
}

pub(crate) async fn enqueue_work(engine: &Engine, work: &Work) -> Step<()> {
    let payload = work.to_json();
    let serial_key = work.serial_key();
    engine
        .store
        .enqueue(&NewJob {
            serial_key: &serial_key,
            payload: &payload,
        })
        .await?;
    Ok(())
}

/// The jobs a finished evaluation implies: re-render the blocks it touched,
/// re-evaluate the issues it closes or closed, and the whole project when it
/// changed the batches.
pub(crate) fn follow_up_work(project: &ProjectContext<'_>, follow_ups: &FollowUps) -> Vec<Work> {
    let milestones = follow_ups.milestones.iter();
    let mut work: Vec<Work> = milestones.map(|m| project.render_block(*m)).collect();
    if follow_ups.batches_changed {
        work.push(project.reevaluate());
    }
    work.extend(follow_ups.issues.iter().map(|issue| Work::Evaluate {
        forge: project.kind,
        project: project.path().clone(),
        kind: ItemKind::Issue,
        number: *issue,
    }));
    work.extend(
        follow_ups
            .announcements
            .iter()
            .map(|(milestone, kind)| Work::Announce {
                forge: project.kind,
                project: project.path().clone(),
                milestone: *milestone,
                kind: *kind,
            }),
    );
    work
}

/// Work as the queue stores it (serial key and JSON payload), owned so that
/// borrowed `NewJob`s can be handed to one store transaction.
pub(crate) struct EncodedWork(Vec<(String, String)>);

impl EncodedWork {
    pub fn new(work: &[Work]) -> EncodedWork {
        EncodedWork(
            work.iter()
                .map(|work| (work.serial_key(), work.to_json()))
                .collect(),
        )
    }

    pub fn jobs(&self) -> Vec<NewJob<'_>> {
        self.0
            .iter()
            .map(|(serial_key, payload)| NewJob {
                serial_key,
                payload,
            })
            .collect()
    }
}
