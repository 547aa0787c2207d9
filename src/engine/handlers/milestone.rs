//! `Work::MilestoneChanged`: a milestone was created, closed, reopened,
//! edited or deleted, so every decision of its projects may change.

use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::milestones::only_descriptions_changed;
use crate::engine::project::ProjectContext;
use crate::engine::queue::enqueue_work;
use crate::engine::{Engine, Forges};
use crate::forge::ForgeKind;
use crate::work::{MilestoneAction, MilestoneScope};

/// Bumps the milestone epoch of every configured project the milestone
/// belongs to (a group milestone: every project under the group) and
/// re-evaluates them. An edit that changed only descriptions (the bot's
/// own block writes come back as such edits on GitHub) touches nothing
/// a decision reads: one fresh read confirms it, instead of listing the
/// project's every MR and issue again.
pub(super) async fn run(
    engine: &Engine,
    forges: &Forges,
    forge: ForgeKind,
    scope: &MilestoneScope,
    action: MilestoneAction,
) -> Step<()> {
    let projects: Vec<ProjectContext<'_>> = match scope {
        MilestoneScope::Project(path) => vec![engine.project_context(forges, forge, path)?],
        MilestoneScope::Group(group) => {
            let under: Vec<_> = engine.config.projects_in_group(forge, group).collect();
            if under.is_empty() {
                return Err(Failure::Unrunnable(Unrunnable::NoProjectInGroup {
                    forge,
                    group: group.clone(),
                }));
            }
            under
                .into_iter()
                .map(|p| engine.context_on(forges, p))
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
