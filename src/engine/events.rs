//! What each kind of job does: an event names the MR, issue or milestone
//! it affects; an evaluation runs and enqueues what it implies (blocks to
//! re-render, issues to re-evaluate); a milestone event bumps the epoch and
//! re-evaluates the project.

use super::evaluate::FollowUps;
use super::evaluate_mr::gone;
use super::failure::{Failure, Step};
use super::project::ProjectContext;
use super::work::Work;
use super::{Engine, Forges};
use crate::forge::event::{Event, MilestoneAction, MilestoneScope};
use crate::forge::{ForgeKind, ItemKind, ItemNumber};
use crate::store::NewJob;

impl Engine {
    /// Runs `work` with `forges`, the job's (fenced) clients.
    pub(super) async fn run(&self, work: &Work, forges: &Forges) -> Step<()> {
        match work {
            Work::Event { forge, event } => self.run_event(forges, *forge, event).await,
            Work::Evaluate {
                forge,
                project,
                kind,
                number,
            } => {
                let project = self.project_context(forges, *forge, project)?;
                self.evaluate_item(&project, *kind, *number).await
            }
            Work::Reevaluate { forge, project } | Work::Sync { forge, project } => {
                let project = self.project_context(forges, *forge, project)?;
                self.enqueue_project_work(&project).await
            }
            Work::RenderBlock {
                forge,
                project,
                milestone,
            } => {
                let project = self.project_context(forges, *forge, project)?;
                self.render_block(&project, *milestone).await.map(|_| ())
            }
            Work::Announce {
                forge,
                project,
                milestone,
                kind,
            } => {
                let project = self.project_context(forges, *forge, project)?;
                self.run_announce(&project, *milestone, *kind).await
            }
        }
    }

    async fn run_event(&self, forges: &Forges, forge: ForgeKind, event: &Event) -> Step<()> {
        match event {
            Event::MergeRequestChanged {
                project, number, ..
            }
            | Event::MergeRequestClosed {
                project, number, ..
            } => {
                let project = self.project_context(forges, forge, project)?;
                self.evaluate_item(&project, ItemKind::MergeRequest, *number)
                    .await
            }
            Event::IssueChanged {
                project, number, ..
            } => {
                let project = self.project_context(forges, forge, project)?;
                self.evaluate_item(&project, ItemKind::Issue, *number).await
            }
            // The bot's decisions do not read comments.
            Event::CommentAdded { project, .. } => {
                self.project_context(forges, forge, project).map(|_| ())
            }
            Event::MilestoneChanged { scope, action, .. } => {
                self.milestone_changed(forges, forge, scope, *action).await
            }
            Event::Ping { .. } | Event::Installation { .. } | Event::Ignored { .. } => Ok(()),
        }
    }

    /// Bumps the milestone epoch of every configured project the milestone
    /// belongs to (a group milestone: every project under the group) and
    /// re-evaluates them. An edit that changed only descriptions (the bot's
    /// own block writes come back as such edits on GitHub) touches nothing
    /// a decision reads: one fresh read confirms it, instead of listing the
    /// project's every MR and issue again.
    async fn milestone_changed(
        &self,
        forges: &Forges,
        forge: ForgeKind,
        scope: &MilestoneScope,
        action: MilestoneAction,
    ) -> Step<()> {
        let projects: Vec<ProjectContext<'_>> = match scope {
            MilestoneScope::Project(path) => vec![self.project_context(forges, forge, path)?],
            MilestoneScope::Group(group) => {
                let under: Vec<_> = self.config.projects_in_group(forge, group).collect();
                if under.is_empty() {
                    return Err(Failure::Unrunnable(format!(
                        "no configured {} project is in group {group}",
                        forge.name()
                    )));
                }
                under
                    .into_iter()
                    .map(|p| self.context_on(forges, p))
                    .collect::<Step<_>>()?
            }
        };
        for project in projects {
            if action == MilestoneAction::Edited && self.only_descriptions_changed(&project).await?
            {
                continue;
            }
            self.store
                .bump_milestones_epoch(project.kind, &project.config.path)
                .await?;
            self.enqueue_work(&project.reevaluate()).await?;
        }
        Ok(())
    }

    /// Evaluates one item and enqueues what it implies.
    async fn evaluate_item(
        &self,
        project: &ProjectContext<'_>,
        kind: ItemKind,
        number: ItemNumber,
    ) -> Step<()> {
        let result = match kind {
            ItemKind::MergeRequest => self.evaluate_merge_request(project, number, None).await?,
            ItemKind::Issue => self.evaluate_issue(project, number, None).await?,
        };
        // The follow-ups were queued with the record (or its deletion).
        match result {
            Ok(_evaluated) => Ok(()),
            Err(_forgotten) => Err(gone(kind, number)),
        }
    }

    pub(super) async fn enqueue_work(&self, work: &Work) -> Step<()> {
        let payload = work.to_json();
        let serial_key = work.serial_key();
        self.store
            .enqueue(&NewJob {
                serial_key: &serial_key,
                payload: &payload,
            })
            .await?;
        Ok(())
    }
}

/// The jobs a finished evaluation implies: re-render the blocks it touched,
/// re-evaluate the issues it closes or closed, and the whole project when it
/// changed the batches.
pub(super) fn follow_up_work(project: &ProjectContext<'_>, follow_ups: &FollowUps) -> Vec<Work> {
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
pub(super) struct EncodedWork(Vec<(String, String)>);

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
